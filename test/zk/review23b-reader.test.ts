/**
 * Review 23b, the regulator's reader (`readTracedTarget`, the function behind `audit decrypt` and
 * GET /api/regulator/traced) on a synthetic chain snapshot: traced declarations built with the real
 * encryption and calldata encoding, no proofs (a stub verifier answers true). The tests assert the
 * sound behaviour: one batch that cannot be decrypted must not hide the others. They FAIL today.
 */
import { expect } from "chai";
import { encodeFunctionData, keccak256, concat, toHex, type Address, type Hex } from "viem";
import { privateChunksAbi } from "../../packages/contracts/src";
import type { AuditEvent, ChainSnapshot } from "../../packages/sdk/src/audit/collect";
import type { ProofVerifier } from "../../packages/sdk/src/audit/check";
import { buildTracedBatch, encryptTracedChunk } from "../../packages/zk/src/tracedBatch";
import { readTracedTarget } from "../../packages/zk/src/regulator/report";
import { BASE8, mul, type Point } from "../../packages/zk/src/regulator/curve";
import {
  combinePartialFiles,
  partialDecryptBatch,
  type SharedKeysFile,
} from "../../packages/zk/src/regulator/partialFiles";
import { splitRegulatorKey } from "../../packages/zk/src/regulator/threshold";
import type { RegulatorKeyFile } from "../../packages/zk/src/regulator/files";
import { sampleRecords } from "./proofs";

const BANK = "0x1000000000000000000000000000000000000001" as Address;
const CPS = ["0x2000000000000000000000000000000000000002", "0x3000000000000000000000000000000000000003"] as Address[];
const S1 = 0x5eed0001n;
const S2 = 0x5eed0002n;
const THRESHOLD = 1_500n;

let log = 0;
const ev = (
  eventName: string,
  args: Record<string, unknown>,
  tx: Hex,
  block: bigint,
  contract = "NettingEngine",
): AuditEvent =>
  ({ contract, eventName, args, blockNumber: block, logIndex: log++, transactionHash: tx }) as AuditEvent;

/** A traced declaration of `label` in `cycle` under `secret`'s public key at `epoch`, ephemeral scalar `e`. */
function declaration(label: string, cycle: bigint, epoch: number, secret: bigint, e: bigint, block: bigint) {
  const indexes = new Map<string, number>([
    [BANK.toLowerCase(), 0],
    ...CPS.map((c, i) => [c.toLowerCase(), i + 1] as [string, number]),
  ]);
  const batch = buildTracedBatch(sampleRecords(30, BANK, CPS), {
    submitter: BANK,
    key: label,
    indexOf: (a) => indexes.get(a.toLowerCase())!,
  });
  const [kx, ky] = mul(BASE8, secret);
  const policy = { epoch, key: { x: kx, y: ky }, threshold: THRESHOLD };
  const chunks = batch.chunks.map((c, i) => {
    const sealed = encryptTracedChunk(c, policy, e + BigInt(i));
    return {
      root: c.root,
      buckets: [...c.buckets] as [number, number, number, number],
      amounts: [...c.amounts] as [bigint, bigint, bigint, bigint],
      ephemeral: sealed.ephemeralKey,
      ciphertexts: sealed.ciphertexts.flat(),
      proof: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint],
    };
  });
  const h = batch.header;
  const header = {
    root: keccak256(concat(chunks.map((c) => toHex(c.root, { size: 32 })))),
    entryCount: BigInt(h.entryCount),
    grossTotal: h.grossTotal,
    totalsCommitment: h.totalsCommitment,
    metadataDigest: h.metadataDigest,
    counterpartyMask: 0b110n,
    closesAt: 0n,
  };
  const input = encodeFunctionData({
    abi: privateChunksAbi,
    functionName: "declareTracedChunks",
    args: [cycle, batch.key, header, [...h.counterparties], [...h.totals], chunks],
  } as never);
  const tx = keccak256(toHex(label));
  const batchId = keccak256(toHex(`id:${label}`));
  const events = [
    ev(
      "BatchDeclared",
      { cycleId: cycle, batchId, debtor: BANK, creditors: h.counterparties, amounts: h.totals },
      tx,
      block,
    ),
    ev("BatchProofAccepted", { cycleId: cycle, batchId }, tx, block),
    ev(
      "BatchTraced",
      { cycleId: cycle, batchId, epoch, threshold: THRESHOLD, chunks: BigInt(chunks.length), keyX: kx, keyY: ky },
      tx,
      block,
    ),
  ];
  return {
    events,
    tx,
    input,
    batchId,
    ephemerals: chunks.map((c) => c.ephemeral as unknown as Point),
    key: [kx, ky] as Point,
  };
}

function snapshot(decls: ReturnType<typeof declaration>[], rotations: [number, Point][]): ChainSnapshot {
  const enrol = [BANK, ...CPS].map((bank, index) =>
    ev("BankEnrolled", { bank, index }, "0x01", 1n, "SettlementLedger"),
  );
  const rotated = rotations.map(([epoch, [x, y]]) =>
    ev("RegulatorKeyRotated", { epoch, x, y }, "0x02", 2n, "VerifierRegistry"),
  );
  const proofTransactions: Record<Hex, Hex> = {};
  for (const d of decls) proofTransactions[d.tx] = d.input;
  return {
    events: [...enrol, ...rotated, ...decls.flatMap((d) => d.events)],
    proofTransactions,
  } as unknown as ChainSnapshot;
}

const verifier: ProofVerifier = { verifyProof: async () => true, verificationKeys: {} };
const keyFile = (epoch: number, secret: bigint): RegulatorKeyFile => ({ epoch, secret, public: mul(BASE8, secret) });
const sharedFile = (epoch: number, secret: bigint, ephemerals: Point[]): SharedKeysFile => ({
  epoch,
  keys: ephemerals.map((ephemeral) => ({ ephemeral, key: mul(ephemeral, secret) })),
});

describe("review23b — the regulator's reader, one undecryptable batch", function () {
  this.timeout(60_000);

  it("a wrong key in a shared-keys file (forged or mixed up) does not hide the other batches of the cycle", async () => {
    const a = declaration("r23b-a", 7n, 1, S1, 11n, 10n);
    const b = declaration("r23b-b", 7n, 1, S1, 22n, 11n);
    const s = snapshot([a, b], [[1, mul(BASE8, S1)]]);
    // B's shared keys are fine; A's file holds keys that are not s·E (S2 instead of S1).
    const keys = { shared: [sharedFile(1, S2, a.ephemerals), sharedFile(1, S1, b.ephemerals)] };
    const report = await readTracedTarget(s, "7", { cycleId: 7n }, keys, { verifier }).catch((e: Error) => e);
    expect(report, "the whole report threw").to.not.be.instanceOf(Error);
    const r = report as Awaited<ReturnType<typeof readTracedTarget>>;
    expect(r.readings.map((x) => x.batchId)).to.deep.equal([b.batchId]);
    expect(r.notRead.map((x) => x.batchId)).to.deep.equal([a.batchId]);
    expect(r.notRead[0].reason).to.match(/keys for its chunks that do not decrypt them/);
  });

  it("an ephemeral scalar reused across two declarations of different epochs: each batch read with its epoch's shared keys", async () => {
    // Allowed by the engine (only a repeat WITHIN a declaration is refused).
    const a = declaration("r23b-e1", 7n, 1, S1, 33n, 10n);
    const b = declaration("r23b-e2", 8n, 2, S2, 33n, 20n);
    const s = snapshot(
      [a, b],
      [
        [1, mul(BASE8, S1)],
        [2, mul(BASE8, S2)],
      ],
    );
    // Officials of each epoch combined their batch's keys: two correct files, same E, different K.
    const keys = { shared: [sharedFile(1, S1, a.ephemerals), sharedFile(2, S2, b.ephemerals)] };
    const report = await readTracedTarget(s, "8", { cycleId: 8n }, keys, { verifier }).catch((e: Error) => e);
    expect(report, "cycle 8 could not be read").to.not.be.instanceOf(Error);
    expect((report as Awaited<ReturnType<typeof readTracedTarget>>).readings).to.have.length(1);
  });

  it("a cycle whose epoch has no RegulatorKeyRotated in the snapshot (registry replaced): the other batches still read", async () => {
    // After setVerifierRegistry to a new registry (docs/zk.md: governance's off-switch), the
    // deployment names the new registry: the old epoch's key events are no longer collected.
    const a = declaration("r23b-old", 7n, 1, S1, 44n, 10n);
    const s = snapshot([a], []);
    const report = await readTracedTarget(s, "7", { cycleId: 7n }, { files: [keyFile(1, S1)] }, { verifier }).catch(
      (e: Error) => e,
    );
    expect(report, `threw: ${(report as Error).message}`).to.not.be.instanceOf(Error);
    expect((report as Awaited<ReturnType<typeof readTracedTarget>>).readings).to.have.length(1);
  });

  it("sanity: both batches read with the whole key", async () => {
    const a = declaration("r23b-a", 7n, 1, S1, 11n, 10n);
    const b = declaration("r23b-b", 7n, 1, S1, 22n, 11n);
    const s = snapshot([a, b], [[1, mul(BASE8, S1)]]);
    const report = await readTracedTarget(s, "7", { cycleId: 7n }, { files: [keyFile(1, S1)] }, { verifier });
    expect(report.readings.map((r) => r.payments.length)).to.deep.equal([16, 16]);
  });
});

describe("review23b — k-of-n over a cycle where a bank reused an ephemeral key across two batches", function () {
  it("regulator combine gives the shared key of every ephemeral key (a repeated E is not an official given twice)", () => {
    // Batches A and B of cycle 7, same epoch, chunk 0 of both under e = 55 (the engine refuses a
    // repeat only within one declaration). `audit ephemeral 7` lists every chunk's E, so E twice.
    const a = declaration("r23b-ra", 7n, 1, S1, 55n, 10n);
    const b = declaration("r23b-rb", 7n, 1, S1, 55n, 11n);
    const ephemerals = [...a.ephemerals, ...b.ephemerals];
    const { public: pub, shares } = splitRegulatorKey(S1, 2, 3);
    const files = shares.slice(0, 2).map((share, i) => ({
      path: `official-${i + 1}.json`,
      partial: partialDecryptBatch({ ...share, epoch: 1 }, ephemerals),
    }));
    let combined: SharedKeysFile | Error;
    try {
      combined = combinePartialFiles({ ...pub, epoch: 1 }, files);
    } catch (e) {
      combined = e as Error;
    }
    expect(combined, `combine threw: ${(combined as Error).message}`).to.not.be.instanceOf(Error);
  });
});
