/**
 * The audit's view of a traced private declaration (`declareTracedChunks`, private/3,
 * docs/spec/traced-batch.md): each chunk's `private_traced_32` public signals re-derived from the
 * transaction's calldata, the `BatchTraced` event (epoch, threshold) and the regulator key of that
 * epoch (the VerifierRegistry's `RegulatorKeyRotated` events), as the engine derived them.
 */
import { decodeFunctionData, type Address, type Hex } from "viem";
import { privateChunksAbi } from "@clearhouse/contracts";
import { traceChallenge, traceEvaluation } from "../zk/traceBinding";
import type { TracePolicy } from "../zk/regulatorKeys";
import type { AuditEvent, ChainSnapshot } from "./collect";
import { chunkWords, enrolmentsOf, indexerAt, type Derived, type Enrolment } from "./proofContext";

/** One chunk of a traced declaration as its calldata carries it. */
export interface TracedChunkCalldata {
  root: bigint;
  buckets: readonly number[];
  amounts: readonly bigint[];
  ephemeral: readonly [bigint, bigint];
  /** 224 elements, slot-major. */
  ciphertexts: readonly bigint[];
  proof: readonly bigint[];
}

/** The arguments of a `declareTracedChunks` call. */
export function decodeTracedDeclaration(input: Hex): {
  header: { root: Hex };
  counterparties: Address[];
  totals: bigint[];
  chunks: readonly TracedChunkCalldata[];
} {
  const { functionName, args } = decodeFunctionData({ abi: privateChunksAbi, data: input });
  if (functionName !== "declareTracedChunks")
    throw new Error(`the transaction calls ${functionName}, not declareTracedChunks`);
  const [, , header, counterparties, totals, chunks] = args as unknown as [
    bigint,
    Hex,
    { root: Hex },
    Address[],
    bigint[],
    readonly TracedChunkCalldata[],
  ];
  return { header, counterparties, totals, chunks };
}

/** The trace policy a traced declaration was checked against: its BatchTraced event and the key of that epoch. */
export function policyAt(s: ChainSnapshot, e: AuditEvent): TracePolicy {
  const traced = s.events.find((x) => x.transactionHash === e.transactionHash && x.eventName === "BatchTraced");
  if (!traced) throw new Error("the transaction has no BatchTraced event");
  const epoch = Number(traced.args.epoch);
  const rotated = s.events.find((x) => x.eventName === "RegulatorKeyRotated" && Number(x.args.epoch) === epoch);
  if (!rotated) throw new Error(`no RegulatorKeyRotated event for epoch ${epoch}`);
  return {
    epoch,
    key: { x: BigInt(String(rotated.args.x)), y: BigInt(String(rotated.args.y)) },
    threshold: BigInt(String(traced.args.threshold)),
  };
}

/** Chunk `c`'s ciphertexts, 7 elements a slot. */
export const slotsOf = (c: TracedChunkCalldata): bigint[][] =>
  Array.from({ length: c.ciphertexts.length / 7 }, (_, i) => c.ciphertexts.slice(7 * i, 7 * i + 7));

/** Every chunk's proof with [root, word0, word1, E.x, E.y, evaluation, K.x, K.y, threshold, r] re-derived. */
export function tracedProofs(
  s: ChainSnapshot,
  e: AuditEvent,
  input: Hex,
  enrolments: Map<string, Enrolment>,
): Derived[] {
  const { counterparties, chunks } = decodeTracedDeclaration(input);
  const { declared, indexOf } = indexerAt(s, e, enrolments);
  const bank = indexOf(String(declared.args.debtor));
  const policy = policyAt(s, e);
  return chunks.map((c) => {
    const slots = slotsOf(c);
    const r = traceChallenge(c.root, c.ephemeral, policy, slots);
    return {
      circuit: "private_traced_32",
      proof: c.proof,
      signals: [
        c.root,
        ...chunkWords(bank, indexOf, counterparties, c),
        c.ephemeral[0],
        c.ephemeral[1],
        traceEvaluation(slots, r),
        policy.key!.x,
        policy.key!.y,
        policy.threshold,
        r,
      ],
    };
  });
}

/** A traced declaration found in the chain's events, with what the regulator needs to read it. */
export interface TracedDeclaration {
  cycleId: bigint;
  batchId: Hex;
  bank: Address;
  transactionHash: Hex;
  blockNumber: bigint;
  /** The policy it was checked against: the epoch's key and the threshold then. */
  policy: TracePolicy;
  /** The anchored header root (the engine checked the calldata's header is the anchored one). */
  headerRoot: Hex;
  counterparties: Address[];
  chunks: readonly TracedChunkCalldata[];
  /** Each chunk's proof with its public signals re-derived as the engine did. */
  proofs: Derived[];
}

/**
 * Every traced declaration of the snapshot, optionally only of one batch or one cycle (a declaration
 * sent through another contract, whose calldata is not the engine's, is reported by the audit's proof
 * check and skipped here).
 */
export function tracedDeclarations(
  s: ChainSnapshot,
  filter: { batchId?: Hex; cycleId?: bigint } = {},
): TracedDeclaration[] {
  const enrolments = enrolmentsOf(s.events);
  const out: TracedDeclaration[] = [];
  for (const e of s.events) {
    if (e.eventName !== "BatchTraced") continue;
    const batchId = String(e.args.batchId).toLowerCase() as Hex;
    const cycleId = BigInt(String(e.args.cycleId));
    if (filter.batchId !== undefined && filter.batchId.toLowerCase() !== batchId) continue;
    if (filter.cycleId !== undefined && filter.cycleId !== cycleId) continue;
    const input = s.proofTransactions[e.transactionHash];
    if (!input) continue;
    let decoded: ReturnType<typeof decodeTracedDeclaration>;
    try {
      decoded = decodeTracedDeclaration(input);
    } catch {
      continue;
    }
    const { declared } = indexerAt(s, e, enrolments);
    out.push({
      cycleId,
      batchId,
      bank: String(declared.args.debtor) as Address,
      transactionHash: e.transactionHash,
      blockNumber: e.blockNumber,
      policy: policyAt(s, e),
      headerRoot: decoded.header.root,
      counterparties: decoded.counterparties,
      chunks: decoded.chunks,
      proofs: tracedProofs(s, e, input, enrolments),
    });
  }
  return out;
}
