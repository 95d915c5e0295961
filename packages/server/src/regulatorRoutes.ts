/**
 * The regulator's page (issue 23, docs/server.md "Regulator"): `GET /api/regulator/traced?cycle=N`
 * or `?batch=0x…` reads the traced payments of a cycle or a batch with the regulator's key files
 * the server was configured with (`regulatorKeys`), every chunk proof of a batch read re-verified:
 * the report of `clearhouse audit decrypt`, computed by the same function (`readTracedTarget`).
 * Regulator keys only: a member's, operator's or auditor's key is refused (403). The secrets stay
 * in this process: no answer, log line or metric carries them, nor do the errors about their files.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ClearhouseContext } from "@clearhouse/sdk";
import { collectSnapshot } from "@clearhouse/sdk/audit";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import {
  parseTracedTarget,
  proofVerifier,
  readRegulatorKeyFile,
  readSharedKeysFile,
  readTracedTarget,
  RegulatorFileError,
  type RegulatorReadingKeys,
} from "@clearhouse/zk";
import type { RegulatorKeysConfig } from "./config";
import { plain } from "./feed";
import { abortableVerifier, type ProverUsers } from "./sharedRun";

/** Why every traced batch is listed as not read when the server was given no key. */
export const NO_REGULATOR_KEY = "the server holds no regulator key (regulatorKeys in the serve config)";

/** Fields of a regulator file whose problem may be shown: the others hold (parts of) secrets. */
const PUBLIC_FIELD = /^(kind|version|epoch|public(\.[xy])?|keys(\[\d+\])?|keys\[\d+\]\.ephemeral(\.[xy])?)$/;

/** `e` without a secret: a key file's secret or a shared key is never repeated, nor the file's text. */
function redacted(e: RegulatorFileError): string {
  if (PUBLIC_FIELD.test(e.field)) return `\`${e.field}\` ${e.problem}`;
  // An fs error (ENOENT, EACCES…) says nothing of the contents; a JSON syntax error quotes them.
  if (e.field === "(file)") return /^cannot be read as JSON: E[A-Z]+:/.test(e.problem) ? e.problem : "is not JSON";
  return `\`${e.field}\` is not valid (not shown: the field is secret)`;
}

/**
 * The keys of `regulatorKeys`, each file read and checked (the public key against the secret, the
 * points on the curve). A file that fails stops the start: InvalidArgumentError naming the config
 * field (`regulatorKeys.keyFiles[0]`), the file and the field inside it, never a secret's value.
 */
export function loadRegulatorKeys(config: RegulatorKeysConfig | undefined): RegulatorReadingKeys | undefined {
  if (!config) return undefined;
  const read = <T>(field: string, paths: readonly string[], reader: (path: string) => T): T[] =>
    paths.map((path, i) => {
      try {
        return reader(path);
      } catch (e) {
        if (e instanceof RegulatorFileError)
          throw new InvalidArgumentError(
            `regulatorKeys.${field}[${i}]`,
            `${path}: ${redacted(e)}`,
            `Give the file as \`clearhouse regulator ${field === "keyFiles" ? "keygen" : "combine"}\` wrote it, or leave it out of the serve config.`,
          );
        throw e;
      }
    });
  return {
    files: read("keyFiles", config.keyFiles, readRegulatorKeyFile),
    shared: read("sharedKeysFiles", config.sharedKeysFiles, readSharedKeysFile),
  };
}

export interface RegulatorRouteOptions {
  ctx: ClearhouseContext;
  /** The keys read at the start (undefined: none configured). */
  keys: RegulatorReadingKeys | undefined;
  /** Holds the prover's threads while proofs are re-verified (shared with the audit). */
  prover: ProverUsers;
  forbidden: (reply: FastifyReply, what: string) => unknown;
}

/** `GET /api/regulator/traced`: regulator keys only. */
export function regulatorRoutes(app: FastifyInstance, o: RegulatorRouteOptions): void {
  const onlyRegulator = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.apiKey!.role !== "regulator") return o.forbidden(reply, "this (regulator only)");
  };
  const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ error: "bad_request", message });
  app.get<{ Querystring: { cycle?: unknown; batch?: unknown } }>(
    "/api/regulator/traced",
    { preHandler: onlyRegulator },
    async (req, reply) => {
      const { cycle, batch } = req.query;
      if ((cycle === undefined) === (batch === undefined))
        return bad(reply, "Give exactly one of cycle (a cycle number) and batch (a batch id, 0x + 64 hex digits).");
      const target = cycle ?? batch;
      const filter = typeof target === "string" && target.length <= 78 ? parseTracedTarget(target) : undefined;
      if (cycle !== undefined && !(filter && "cycleId" in filter))
        return bad(reply, "cycle must be a cycle number (a whole number).");
      if (batch !== undefined && !(filter && "batchId" in filter))
        return bad(reply, "batch must be a batch id (0x + 64 hex digits).");
      // One request's read, stopped (at its next read or proof) when its client goes away.
      const signal = req.abandoned;
      const report = await o.prover.during(async () =>
        readTracedTarget(await collectSnapshot(o.ctx, { signal }), target as string, filter!, o.keys ?? {}, {
          verifier: abortableVerifier(proofVerifier(), signal),
          noKeyReason: NO_REGULATOR_KEY,
        }),
      );
      return plain(report);
    },
  );
}
