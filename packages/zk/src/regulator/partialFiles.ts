/**
 * The files of a threshold decryption of a batch (docs/spec/regulator-keys.md §6): the ephemeral
 * keys to decrypt, one official's partial decryptions of all of them, and the shared keys combined
 * from k officials' partials (secret: mode 0600).
 */
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { pointEquals, type Point } from "./curve";
import { FileFields, hex32, pointToJson } from "./fileFields";
import { RegulatorFileError } from "./errors";
import {
  combinePartials,
  MAX_OFFICIALS,
  partialDecrypt,
  type PartialDecryption,
  type RegulatorShare,
} from "./threshold";
import type { ThresholdPublicFile } from "./files";

export const REGULATOR_PARTIAL_KIND = "clearhouse.regulator-partial";
export const REGULATOR_SHARED_KEYS_KIND = "clearhouse.regulator-shared-keys";

/** One official's partial decryptions for many ephemeral keys (a whole batch). */
export interface PartialFile {
  epoch: number;
  index: number;
  items: Omit<PartialDecryption, "index">[];
}

/** The shared key K = s·E of each ephemeral key E. */
export interface SharedKeysFile {
  epoch: number;
  keys: { ephemeral: Point; key: Point }[];
}

const text = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";

/** The ephemeral keys of an `{ "ephemeral": [{x, y}, …] }` file (checked on use, not here). */
export function readEphemeralsFile(path: string): Point[] {
  const f = FileFields.read(path, undefined);
  return f.array("ephemeral").map((e, t) => f.point(`ephemeral[${t}]`, e));
}

/** Official `share.index`'s partial decryption of each ephemeral key, with its DLEQ proof. */
export function partialDecryptBatch(
  share: RegulatorShare & { epoch: number },
  ephemerals: readonly Point[],
): PartialFile {
  return {
    epoch: share.epoch,
    index: share.index,
    items: ephemerals.map((e) => {
      const { ephemeral, point, proof } = partialDecrypt(share, e);
      return { ephemeral, point, proof };
    }),
  };
}

export function partialFileToJson(p: PartialFile): Record<string, unknown> {
  return {
    kind: REGULATOR_PARTIAL_KIND,
    version: 1,
    epoch: p.epoch,
    index: p.index,
    items: p.items.map((i) => ({
      ephemeral: pointToJson(i.ephemeral),
      point: pointToJson(i.point),
      proof: { challenge: hex32(i.proof.challenge), response: hex32(i.proof.response) },
    })),
  };
}

/** A partial file; its points and proofs are checked when combined (naming the official). */
export function readPartialFile(path: string): PartialFile {
  const f = FileFields.read(
    path,
    REGULATOR_PARTIAL_KIND,
    "A partial file is written by `clearhouse regulator partial`.",
  );
  const epoch = f.epoch();
  const index = f.integer("index", 1, MAX_OFFICIALS);
  const items = f.array("items").map((raw, t) => {
    const field = `items[${t}]`;
    if (typeof raw !== "object" || raw === null) throw f.error(field, "is not {ephemeral, point, proof}");
    const item = raw as Record<string, unknown>;
    const proof = item.proof as Record<string, unknown> | undefined;
    if (typeof proof !== "object" || proof === null) throw f.error(`${field}.proof`, "is not {challenge, response}");
    return {
      ephemeral: f.point(`${field}.ephemeral`, item.ephemeral),
      point: f.point(`${field}.point`, item.point),
      proof: {
        challenge: f.number(`${field}.proof.challenge`, 0n, 2n ** 256n, "a number", proof.challenge),
        response: f.number(`${field}.proof.response`, 0n, 2n ** 256n, "a number", proof.response),
      },
    };
  });
  return { epoch, index, items };
}

export function writePartialFile(path: string, p: PartialFile): void {
  writeFileAtomic(path, text(partialFileToJson(p)));
}

/**
 * Combine k or more officials' partial files into the shared key of every ephemeral key they
 * cover, in the order the first file lists them. Refused: a file of another epoch than the
 * commitments (RegulatorFileError on `epoch`), an official's file given twice, an ephemeral key
 * with fewer than k partials, and every refusal of `combinePartials`, naming the ephemeral key by
 * its position.
 */
export function combinePartialFiles(
  pub: ThresholdPublicFile,
  files: readonly { path: string; partial: PartialFile }[],
): SharedKeysFile {
  for (const { path, partial } of files)
    if (partial.epoch !== pub.epoch)
      throw new RegulatorFileError(
        path,
        "epoch",
        `is ${partial.epoch}, but the share commitments are of epoch ${pub.epoch}`,
        "Combine partials made from shares of the key of the epoch the chunks were encrypted in.",
      );
  const ephemerals: Point[] = [];
  const byEphemeral = new Map<string, PartialDecryption[]>();
  // A file may list one E twice (a bank that reused an ephemeral key in two batches): its official's
  // partial is taken once (review 23b, C); an official's second FILE is still refused by combinePartials.
  const itemsSeen = new Set<string>();
  for (const [f, { partial }] of files.entries())
    for (const item of partial.items) {
      const id = `${item.ephemeral[0]},${item.ephemeral[1]}`;
      if (itemsSeen.has(`${f}:${id}`)) continue;
      itemsSeen.add(`${f}:${id}`);
      if (!byEphemeral.has(id)) {
        byEphemeral.set(id, []);
        ephemerals.push(item.ephemeral);
      }
      byEphemeral.get(id)!.push({ index: partial.index, ...item });
    }
  const keys = ephemerals.map((ephemeral, t) => {
    const partials = byEphemeral.get(`${ephemeral[0]},${ephemeral[1]}`)!;
    const key = combinePartials(partials, pub.commitments, pub.k, `ephemeral key #${t + 1}`);
    return { ephemeral, key };
  });
  return { epoch: pub.epoch, keys };
}

export function sharedKeysToJson(s: SharedKeysFile): Record<string, unknown> {
  return {
    kind: REGULATOR_SHARED_KEYS_KIND,
    version: 1,
    epoch: s.epoch,
    keys: s.keys.map((k) => ({ ephemeral: pointToJson(k.ephemeral), key: pointToJson(k.key) })),
  };
}

export function readSharedKeysFile(path: string): SharedKeysFile {
  const f = FileFields.read(path, REGULATOR_SHARED_KEYS_KIND);
  const epoch = f.epoch();
  const keys = f.array("keys").map((raw, t) => {
    const item = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    return { ephemeral: f.point(`keys[${t}].ephemeral`, item.ephemeral), key: f.point(`keys[${t}].key`, item.key) };
  });
  return { epoch, keys };
}

/** Write the combined shared keys (mode 0600: each decrypts its chunk). */
export function writeSharedKeysFile(path: string, s: SharedKeysFile): void {
  writeFileAtomic(path, text(sharedKeysToJson(s)), 0o600);
}

/** The shared key of `ephemeral` in a shared-keys file, or undefined. */
export function sharedKeyOf(s: SharedKeysFile, ephemeral: Point): Point | undefined {
  return s.keys.find((k) => pointEquals(k.ephemeral, ephemeral))?.key;
}
