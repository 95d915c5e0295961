/**
 * The audit's proof check: every registered verification key is the committed one, and every proof
 * the chain accepted re-verifies off-chain, with its public signals re-derived from the transaction.
 */
import { decodeFunctionData, toFunctionSelector, type AbiFunction, type Address, type Hex } from "viem";
import { conditionalEscrowAbi, nettingEngineAbi, privateChunksAbi } from "@clearhouse/contracts";
import { CIRCUIT_IDS, circuitNameOf, circuitSpec, type CircuitId } from "../zk/circuits";
import { bucketWords } from "../zk/privateWords";
import { vkHashOf } from "../zk/vk";
import type { CheckOptions, CheckResult, Finding } from "./check";
import type { AuditEvent, ChainSnapshot } from "./collect";

/** A proof to re-verify: the circuit, the flattened proof and the public signals re-derived. */
interface Derived {
  circuit: CircuitId;
  proof: readonly bigint[];
  signals: bigint[];
}

interface ProvedChunk {
  root: bigint;
  buckets: readonly number[];
  amounts: readonly bigint[];
  proof: readonly bigint[];
}

/**
 * The SettlementLedger index each bank held just before event `at` (an index is given by
 * BankEnrolled and may be given again after a release, so it is read from the history up to then).
 */
function ledgerIndexesBefore(events: readonly AuditEvent[], at: AuditEvent): Map<string, number> {
  const indexes = new Map<string, number>();
  for (const e of events) {
    if (e.blockNumber > at.blockNumber || (e.blockNumber === at.blockNumber && e.logIndex >= at.logIndex)) break;
    if (e.contract === "SettlementLedger" && e.eventName === "BankEnrolled")
      indexes.set(String(e.args.bank).toLowerCase(), Number(e.args.index));
  }
  return indexes;
}

/**
 * The proofs of a `declareProvedChunks` transaction (private mode v2): one `private_netting_256`
 * proof per chunk, with [root, word0, word1] rebuilt as the engine does (docs/spec/private-batch.md).
 */
function chunkProofs(s: ChainSnapshot, e: AuditEvent, input: Hex): Derived[] {
  const { args } = decodeFunctionData({ abi: privateChunksAbi, data: input });
  const [, , , counterparties, , chunks] = args as unknown as [
    bigint,
    Hex,
    { root: Hex },
    Address[],
    bigint[],
    readonly ProvedChunk[],
  ];
  const declared = s.events.find((x) => x.transactionHash === e.transactionHash && x.eventName === "BatchDeclared");
  if (!declared) throw new Error("the transaction has no BatchDeclared event");
  const indexes = ledgerIndexesBefore(s.events, declared);
  const indexOf = (bank: string): number => {
    const i = indexes.get(bank.toLowerCase());
    if (i === undefined) throw new Error(`${bank} held no ledger index at block ${declared.blockNumber}`);
    return i;
  };
  const bank = indexOf(String(declared.args.debtor));
  return chunks.map((c) => ({
    circuit: "private_netting_256",
    proof: c.proof,
    signals: [
      c.root,
      ...bucketWords(
        bank,
        c.buckets.map((b) => indexOf(counterparties[Number(b)])),
        c.amounts,
      ),
    ],
  }));
}

export async function proofs(s: ChainSnapshot, opts: CheckOptions): Promise<CheckResult> {
  const failures: Finding[] = [];
  let checked = 0;
  for (const id of CIRCUIT_IDS) {
    const registered = Object.entries(s.state.circuits).find(([k]) => circuitNameOf(k as Hex) === id)?.[1];
    const vk = opts.verificationKeys[id];
    if (!registered || !vk) continue;
    checked++;
    if (registered.vkHash !== vkHashOf(vk))
      failures.push({
        detail: `${id}: the registered vkHash ${registered.vkHash} is not the committed verification key's ${vkHashOf(vk)}`,
      });
  }
  let viaContracts = 0;
  const selector = (abi: typeof nettingEngineAbi | typeof conditionalEscrowAbi, name: string) =>
    toFunctionSelector(abi.find((x) => x.type === "function" && x.name === name) as AbiFunction);
  const DECLARE = selector(nettingEngineAbi, "declareProved");
  const CHUNKS = toFunctionSelector(
    privateChunksAbi.find((x) => x.type === "function" && x.name === "declareProvedChunks") as AbiFunction,
  );
  const SUBMIT = selector(conditionalEscrowAbi, "submitProof");
  for (const e of s.events) {
    const input = s.proofTransactions[e.transactionHash];
    if (!input) continue;
    const v2 = e.eventName === "BatchProofAccepted" && circuitNameOf(e.args.circuitId as Hex) === "private_netting_256";
    const expected =
      e.eventName === "BatchProofAccepted"
        ? v2
          ? CHUNKS
          : DECLARE
        : e.eventName === "ProofAccepted"
          ? SUBMIT
          : undefined;
    if (!expected) continue;
    // A proof submitted through another contract (a multisig, a smart wallet) is not in the
    // transaction's own input: the chain verified it, but the audit cannot re-derive it here.
    if (input.slice(0, 10).toLowerCase() !== expected) {
      viaContracts++;
      continue;
    }
    let derived: Derived[];
    try {
      if (v2) derived = chunkProofs(s, e, input);
      else if (e.eventName === "BatchProofAccepted") {
        const { args } = decodeFunctionData({ abi: nettingEngineAbi, data: input });
        const [, , header, counterparties, totals, p] = args as unknown as [
          bigint,
          Hex,
          { root: Hex },
          Address[],
          bigint[],
          readonly bigint[],
        ];
        const declared = s.events.find(
          (x) => x.transactionHash === e.transactionHash && x.eventName === "BatchDeclared",
        );
        const bank = BigInt(String(declared?.args.debtor));
        const packed = [0, 1, 2, 3].map((k) =>
          k < counterparties.length ? (totals[k] << 160n) | BigInt(counterparties[k]) : 0n,
        );
        derived = [{ circuit: "batch_netting_16", proof: p, signals: [BigInt(header.root), ...packed, bank] }];
      } else if (e.eventName === "ProofAccepted") {
        const { args } = decodeFunctionData({ abi: conditionalEscrowAbi, data: input });
        const [, , , p, pub] = args as unknown as [bigint, bigint, bigint, readonly bigint[], readonly bigint[]];
        derived = [{ circuit: circuitSpec(circuitNameOf(e.args.circuitId as Hex)).id, proof: p, signals: [...pub] }];
      } else continue;
    } catch (error) {
      failures.push({
        detail: `cannot re-derive the proof of ${e.eventName}: ${(error as Error).message.split("\n")[0]}`,
        transactionHash: e.transactionHash,
      });
      continue;
    }
    for (const [i, { circuit, proof, signals }] of derived.entries()) {
      checked++;
      if (!(await opts.verifyProof(circuit, proof, signals))) {
        failures.push({
          detail:
            `the ${circuit} proof${derived.length > 1 ? ` of chunk ${i}` : ""} accepted on chain ` +
            "does not verify against the committed verification key",
          transactionHash: e.transactionHash,
        });
      }
    }
  }
  return {
    id: "proofs",
    title:
      "Proofs: registered keys are the committed ones; every accepted proof re-verified off-chain" +
      (viaContracts ? ` (${viaContracts} sent through other contracts not re-derived)` : ""),
    checked,
    failures,
    ...(checked === 0
      ? {
          notRunReason:
            Object.keys(s.state.circuits).length === 0
              ? "no circuit is registered and the chain accepted no proof"
              : "no registered circuit has a committed verification key and no accepted proof could be re-derived",
        }
      : {}),
  };
}
