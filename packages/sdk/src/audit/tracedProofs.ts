/**
 * The audit's view of a traced private declaration (`declareTracedChunks`, private/3,
 * docs/spec/traced-batch.md): each chunk's `private_traced_32` public signals re-derived from the
 * transaction's calldata and the `BatchTraced` event (epoch, threshold and the regulator key of that
 * epoch), as the engine derived them.
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

/** The decoded arguments of a `declareTracedChunks` call. */
export type TracedDeclarationArgs = ReturnType<typeof decodeTracedDeclaration>;

/**
 * The trace policy of a `BatchTraced` event: epoch, threshold and the regulator key itself (the
 * event carries it, so the reader needs no registry's history: the engine's registry may have been
 * replaced since).
 */
function policyOf(traced: AuditEvent): TracePolicy {
  return {
    epoch: Number(traced.args.epoch),
    key: { x: BigInt(String(traced.args.keyX)), y: BigInt(String(traced.args.keyY)) },
    threshold: BigInt(String(traced.args.threshold)),
  };
}

/** The trace policy a traced declaration was checked against: that of the BatchTraced event of `e`'s transaction. */
export function policyAt(s: ChainSnapshot, e: AuditEvent): TracePolicy {
  const traced = s.events.find((x) => x.transactionHash === e.transactionHash && x.eventName === "BatchTraced");
  if (!traced) throw new Error("the transaction has no BatchTraced event");
  return policyOf(traced);
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
  const { declared, indexOf } = indexerAt(s, e, enrolments);
  return derivedProofs(decodeTracedDeclaration(input), declared, indexOf, policyAt(s, e));
}

/** The chunks' proofs of decoded `args` with their signals, as the engine derived them for the `declared` bank. */
function derivedProofs(
  { counterparties, chunks }: TracedDeclarationArgs,
  declared: AuditEvent,
  indexOf: (bank: string) => number,
  policy: TracePolicy,
): Derived[] {
  const bank = indexOf(String(declared.args.debtor));
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
 * A traced declaration whose chunks the snapshot cannot give: the transaction that emitted its
 * `BatchTraced` was sent to another contract (a bank's wallet or multisig), so its own input says
 * nothing reliable about what reached the engine. The ciphertexts are on chain, in the internal
 * call, but not readable from the transaction; the regulator is told so, never left to think that
 * nothing was traced.
 */
export interface UnreadableTraced {
  cycleId: bigint;
  batchId: Hex;
  transactionHash: Hex;
  blockNumber: bigint;
  epoch: number;
  reason: string;
}

type TracedFilter = { batchId?: Hex; cycleId?: bigint };

/** The BatchTraced events of the snapshot that pass `filter`, with their ids. */
function tracedEvents(s: ChainSnapshot, filter: TracedFilter) {
  const out: { e: AuditEvent; batchId: Hex; cycleId: bigint }[] = [];
  for (const e of s.events) {
    if (e.eventName !== "BatchTraced") continue;
    const batchId = String(e.args.batchId).toLowerCase() as Hex;
    const cycleId = BigInt(String(e.args.cycleId));
    if (filter.batchId !== undefined && filter.batchId.toLowerCase() !== batchId) continue;
    if (filter.cycleId !== undefined && filter.cycleId !== cycleId) continue;
    out.push({ e, batchId, cycleId });
  }
  return out;
}

/** The declaration's calldata, or why it cannot be read from the transaction. */
function tracedInput(s: ChainSnapshot, e: AuditEvent): { decoded: TracedDeclarationArgs } | string {
  const input = s.proofTransactions[e.transactionHash];
  if (!input || input === "0x")
    return "sent through another contract (a wallet or multisig): its transaction's input is not the engine's call";
  try {
    return { decoded: decodeTracedDeclaration(input) };
  } catch (err) {
    return `its transaction's input is not a declareTracedChunks call (${(err as Error).message.split("\n")[0]})`;
  }
}

/**
 * Every traced declaration of the snapshot whose calldata is the engine's, optionally only of one
 * batch or one cycle. The others are `unreadableTraced`'s.
 */
export function tracedDeclarations(s: ChainSnapshot, filter: TracedFilter = {}): TracedDeclaration[] {
  const enrolments = enrolmentsOf(s.events);
  const out: TracedDeclaration[] = [];
  for (const { e, batchId, cycleId } of tracedEvents(s, filter)) {
    const found = tracedInput(s, e);
    if (typeof found === "string") continue;
    // `e` is the BatchTraced event itself; the calldata is decoded once.
    const { declared, indexOf } = indexerAt(s, e, enrolments);
    const policy = policyOf(e);
    out.push({
      cycleId,
      batchId,
      bank: String(declared.args.debtor) as Address,
      transactionHash: e.transactionHash,
      blockNumber: e.blockNumber,
      policy,
      headerRoot: found.decoded.header.root,
      counterparties: found.decoded.counterparties,
      chunks: found.decoded.chunks,
      proofs: derivedProofs(found.decoded, declared, indexOf, policy),
    });
  }
  return out;
}

/** The traced declarations of the snapshot (optionally of one batch or cycle) whose calldata cannot be read. */
export function unreadableTraced(s: ChainSnapshot, filter: TracedFilter = {}): UnreadableTraced[] {
  const out: UnreadableTraced[] = [];
  for (const { e, batchId, cycleId } of tracedEvents(s, filter)) {
    const found = tracedInput(s, e);
    if (typeof found !== "string") continue;
    const epoch = Number(e.args.epoch);
    out.push({
      cycleId,
      batchId,
      transactionHash: e.transactionHash,
      blockNumber: e.blockNumber,
      epoch,
      reason: found,
    });
  }
  return out;
}
