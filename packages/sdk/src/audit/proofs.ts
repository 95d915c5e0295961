/**
 * The audit's proof check: every registered verification key is the committed one, and every proof
 * the chain accepted re-verifies off-chain, with its public signals re-derived from the transaction.
 */
import { decodeFunctionData, toFunctionSelector, type AbiFunction, type Address, type Hex } from "viem";
import { conditionalEscrowAbi, nettingEngineAbi, privateChunksAbi } from "@clearhouse/contracts";
import { CIRCUIT_IDS, circuitNameOf, circuitSpec } from "../zk/circuits";
import { vkHashOf } from "../zk/vk";
import type { CheckOptions, CheckResult, Finding } from "./check";
import type { AuditEvent, ChainSnapshot } from "./collect";
import { tracedProofs } from "./tracedProofs";
import { chunkWords, enrolmentsOf, indexerAt, type Derived, type Enrolment } from "./proofContext";

interface ProvedChunk {
  root: bigint;
  buckets: readonly number[];
  amounts: readonly bigint[];
  proof: readonly bigint[];
}

/**
 * The proofs of a `declareProvedChunks` transaction (private mode v2): one `private_netting_256`
 * proof per chunk, with [root, word0, word1] rebuilt as the engine does (docs/spec/private-batch.md).
 */
function chunkProofs(s: ChainSnapshot, e: AuditEvent, input: Hex, enrolments: Map<string, Enrolment>): Derived[] {
  const { args } = decodeFunctionData({ abi: privateChunksAbi, data: input });
  const [, , , counterparties, , chunks] = args as unknown as [
    bigint,
    Hex,
    { root: Hex },
    Address[],
    bigint[],
    readonly ProvedChunk[],
  ];
  const { declared, indexOf } = indexerAt(s, e, enrolments);
  const bank = indexOf(String(declared.args.debtor));
  return chunks.map((c) => ({
    circuit: "private_netting_256",
    proof: c.proof,
    signals: [c.root, ...chunkWords(bank, indexOf, counterparties, c)],
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
  let enrolments: Map<string, Enrolment> | undefined;
  const selector = (abi: typeof nettingEngineAbi | typeof conditionalEscrowAbi, name: string) =>
    toFunctionSelector(abi.find((x) => x.type === "function" && x.name === name) as AbiFunction);
  const DECLARE = selector(nettingEngineAbi, "declareProved");
  const CHUNKS = toFunctionSelector(
    privateChunksAbi.find((x) => x.type === "function" && x.name === "declareProvedChunks") as AbiFunction,
  );
  const TRACED = toFunctionSelector(
    privateChunksAbi.find((x) => x.type === "function" && x.name === "declareTracedChunks") as AbiFunction,
  );
  const SUBMIT = selector(conditionalEscrowAbi, "submitProof");
  for (const e of s.events) {
    const input = s.proofTransactions[e.transactionHash];
    if (!input) continue;
    const accepted = e.eventName === "BatchProofAccepted" ? circuitNameOf(e.args.circuitId as Hex) : undefined;
    const v2 = accepted === "private_netting_256";
    const v3 = accepted === "private_traced_32";
    const expected =
      e.eventName === "BatchProofAccepted"
        ? v2
          ? CHUNKS
          : v3
            ? TRACED
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
      if (v2) derived = chunkProofs(s, e, input, (enrolments ??= enrolmentsOf(s.events)));
      else if (v3) derived = tracedProofs(s, e, input, (enrolments ??= enrolmentsOf(s.events)));
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
