/** Auditing from a node process: read the chain and the banks' batch files, write and read reports. */
import { readFileSync } from "node:fs";
import type { ClearhouseContext } from "../context";
import { InvalidArgumentError } from "../errors/base";
import type { ProofVerifier } from "../audit/check";
import { collectSnapshot } from "../audit/collect";
import { auditSnapshot, type AuditReport } from "../audit/report";
import { readBatchFile } from "./batchFile";
import type { EnvelopeKey } from "./envelope/envelope";

/** Read the chain and audit it; `batchFiles` are paths of bank batch files to check too. */
export async function auditChain(
  ctx: ClearhouseContext,
  opts: {
    verifier: ProofVerifier;
    batchFiles?: string[];
    /** Opens the batch files that are encrypted (docs/spec/encrypted-envelope.md). */
    encryptionKey?: EnvelopeKey;
    onProgress?(done: number, total: number): void;
    /** Stops the audit (rejecting with the signal's reason) at its next read once aborted. */
    signal?: AbortSignal;
  },
): Promise<AuditReport> {
  const snapshot = await collectSnapshot(ctx, { onProgress: opts.onProgress, signal: opts.signal });
  opts.signal?.throwIfAborted();
  const crypto = opts.encryptionKey ? { encryptionKey: opts.encryptionKey } : {};
  const files = (opts.batchFiles ?? []).map((path) => ({ path, file: readBatchFile(path, crypto) }));
  return auditSnapshot(snapshot, { verifier: opts.verifier, batchFiles: files });
}

/**
 * Read a report written by `clearhouse audit report --out` (JSON); InvalidArgumentError when the
 * file is not a `clearhouse.audit/2` report (an older format has no three-state results).
 */
export function readReport(path: string): AuditReport {
  const report = JSON.parse(readFileSync(path, "utf8")) as { format?: unknown };
  if (report.format !== "clearhouse.audit/2")
    throw new InvalidArgumentError(
      "path",
      `${path} is not a clearhouse.audit/2 report (its format is ${JSON.stringify(report.format ?? null)})`,
      "Run `clearhouse audit report` again to write a report in the current format.",
    );
  return report as AuditReport;
}
