/**
 * The regulator reads a traced batch (docs/spec/traced-batch.md §7): every chunk's shared key
 * S = s·E, from the regulator's secret of the batch's epoch or from the shared keys k officials
 * combined (docs/spec/regulator-keys.md §6), every slot decrypted, the traced payments kept and the
 * zero slots counted. A key is matched to a batch by its public key against the one the chain
 * registered for the batch's epoch, never by the epoch a file is labelled with. Proofs are
 * re-verified by `readTracedTarget` (report.ts), which `clearhouse audit decrypt` and the
 * console's regulator page call.
 */
import { keccak256, concat, toHex, type Hex } from "viem";
import type { TracedDeclaration } from "@clearhouse/sdk/audit";
import { RegulatorEpochError, SharedKeyMissingError, SlotDecryptionError } from "./errors";
import { sharedKey } from "./keys";
import { pointEquals, type Point } from "./curve";
import { decryptSlot, isZeroSlot, type SlotPlaintext } from "./decrypt";
import type { RegulatorKeyFile } from "./files";
import { sharedKeyOf, type SharedKeysFile } from "./partialFiles";

/** One traced payment as the regulator reads it. */
export interface TracedPayment extends SlotPlaintext {
  cycleId: bigint;
  batchId: Hex;
  /** The declaring (debtor) bank. */
  bank: string;
  chunk: number;
  slot: number;
}

/** What one traced batch gave the regulator. */
export interface TracedBatchReading {
  cycleId: bigint;
  batchId: Hex;
  bank: string;
  epoch: number;
  threshold: bigint;
  transactionHash: Hex;
  /** The chunk roots hash to the anchored header root (the engine checked it too). */
  rootMatches: boolean;
  /** Every chunk's proof re-verified off-chain against the signals re-derived from the chain. */
  proofsVerified: boolean;
  payments: TracedPayment[];
  /** Slots that decrypt to zeros: small payments and unused slots alike. */
  zeroSlots: number;
}

/** The keys a regulator reads with: whole key files (any epochs) and combined shared keys (k-of-n). */
export interface RegulatorReadingKeys {
  files?: readonly RegulatorKeyFile[];
  shared?: readonly SharedKeysFile[];
}

/** The chain's key of the batch's epoch (every traced declaration has one). */
const chainKeyOf = (d: TracedDeclaration): Point => {
  if (!d.policy.key) throw new Error(`batch ${d.batchId} has no regulator key on record`);
  return [d.policy.key.x, d.policy.key.y];
};

/** Decrypt every slot of `d` with the shared key `keyOf` gives for each chunk's ephemeral key. */
function decryptWith(
  d: TracedDeclaration,
  keyOf: (ephemeral: Point, chunk: number) => Point,
): Omit<TracedBatchReading, "proofsVerified"> {
  const payments: TracedPayment[] = [];
  let zeroSlots = 0;
  d.chunks.forEach((c, chunk) => {
    const shared = keyOf([c.ephemeral[0], c.ephemeral[1]], chunk);
    for (let slot = 0; slot < c.ciphertexts.length / 7; slot++) {
      const m = decryptSlot(c.ciphertexts.slice(7 * slot, 7 * slot + 7), shared, slot);
      if (isZeroSlot(m)) zeroSlots++;
      else payments.push({ cycleId: d.cycleId, batchId: d.batchId, bank: d.bank, chunk, slot, ...m });
    }
  });
  const roots = keccak256(concat(d.chunks.map((c) => toHex(c.root, { size: 32 }))));
  return {
    cycleId: d.cycleId,
    batchId: d.batchId,
    bank: d.bank,
    epoch: d.policy.epoch,
    threshold: d.policy.threshold,
    transactionHash: d.transactionHash,
    rootMatches: roots.toLowerCase() === d.headerRoot.toLowerCase(),
    payments,
    zeroSlots,
  };
}

/**
 * Decrypt one traced declaration with the regulator's whole key. The key must be the one the chain
 * registered for the batch's epoch (its public key is compared; RegulatorEpochError otherwise,
 * before any slot is read).
 */
export function decryptDeclaration(
  d: TracedDeclaration,
  key: RegulatorKeyFile,
): Omit<TracedBatchReading, "proofsVerified"> {
  if (!pointEquals(key.public, chainKeyOf(d))) throw new RegulatorEpochError(key.epoch, d.policy.epoch, d.batchId);
  return decryptWith(d, (ephemeral) => sharedKey(key.secret, ephemeral));
}

/**
 * Decrypt one traced declaration with shared keys k officials combined (`clearhouse regulator
 * combine`): each chunk's key is looked up by its ephemeral key (SharedKeyMissingError names a
 * chunk the file has no key for). A shared key that is not s·E fails the slots' tags
 * (SlotDecryptionError).
 */
export function decryptDeclarationShared(
  d: TracedDeclaration,
  shared: SharedKeysFile,
): Omit<TracedBatchReading, "proofsVerified"> {
  return decryptWith(d, (ephemeral, chunk) => {
    const key = sharedKeyOf(shared, ephemeral);
    if (!key) throw new SharedKeyMissingError(d.batchId, chunk, ephemeral);
    return key;
  });
}

/** How a reader that was given several keys fared with one batch. */
export type DeclarationReading = { read: Omit<TracedBatchReading, "proofsVerified"> } | { notRead: string };

/**
 * Read `d` with whichever of the keys fits it: the key file whose public key is the chain's key of
 * the batch's epoch, else a shared-keys file holding every chunk's key whose slots decrypt (files of
 * the batch's epoch first; a file whose keys fail the cipher's tags — forged, or another epoch's
 * for an ephemeral key a bank reused — is passed over). No fitting key is not an error here: it
 * says why (`notRead`), so that a cycle spanning a rotation is read as far as the keys given allow.
 */
export function readDeclaration(d: TracedDeclaration, keys: RegulatorReadingKeys): DeclarationReading {
  const chainKey = chainKeyOf(d);
  const file = keys.files?.find((k) => pointEquals(k.public, chainKey));
  if (file) return { read: decryptDeclaration(d, file) };
  const holding = (keys.shared ?? []).filter((s) =>
    d.chunks.every((c) => sharedKeyOf(s, [c.ephemeral[0], c.ephemeral[1]])),
  );
  const ordered = [
    ...holding.filter((s) => s.epoch === d.policy.epoch),
    ...holding.filter((s) => s.epoch !== d.policy.epoch),
  ];
  const failures: string[] = [];
  for (const shared of ordered) {
    try {
      return { read: decryptDeclarationShared(d, shared) };
    } catch (e) {
      if (!(e instanceof SlotDecryptionError)) throw e;
      failures.push(`a shared-keys file of epoch ${shared.epoch} has keys for its chunks that do not decrypt them`);
    }
  }
  return {
    notRead:
      `encrypted to the regulator key of epoch ${d.policy.epoch} (${chainKey[0]}, ${chainKey[1]}): ` +
      (failures.length
        ? `no key file given has that public key, and ${failures.join("; ")}`
        : "no key file given has that public key, and no shared-keys file given has a key for every chunk"),
  };
}
