/**
 * The demo's traceability step (issue 23, decision 041): governance registers the regulator's key
 * and a trace threshold; Baltic's next private batch is traced — every payment of €10,000.00 or more
 * is encrypted to the regulator inside the proof, the others to zeros; the regulator reads the large
 * ones from the chain alone and nothing of the small ones; the key rotates, and each epoch's key
 * reads its own batches only.
 */
import { verifierRegistryAbi } from "@clearhouse/contracts";
import type { Address } from "viem";
import { fromMinorUnits, type Clearhouse, type PaymentRecord } from "../../packages/sdk/src";
import { collectSnapshot, tracedDeclarations } from "../../packages/sdk/src/audit";
import { accountHash } from "../../packages/sdk/src/settlement/record";
import {
  buildTracedBatch,
  decryptDeclaration,
  generateRegulatorKey,
  proofVerifier,
  proveTracedBatch,
  releaseProver,
  type RegulatorKeyFile,
} from "../../packages/zk/src";
import { proposeAndQueue, waitAndExecute } from "./governed";

export interface TracedContext {
  as: (key: string) => Clearhouse;
  addr: (key: string) => Address;
  log: (line: string) => void;
  valueDate: string;
  /** The VerifierRegistry's proxy. */
  verifierRegistry: Address;
}

/** €10,000.00 in minor units. */
const THRESHOLD = 1_000_000n;

export async function tracedStep(c: TracedContext): Promise<{ gas: bigint; proofs: number; proposals: number }> {
  let gas = 0n;
  let proofs = 0;
  let proposals = 0;
  const relayer = c.as("auditor");
  const governed = async (functionName: string, args: readonly unknown[], description: string) => {
    const q = await proposeAndQueue(
      relayer,
      {
        target: c.verifierRegistry,
        abi: verifierRegistryAbi,
        functionName,
        args,
        description,
        signers: ["operator", "alpine", "celtic"],
      },
      c.log,
    );
    gas += await waitAndExecute(relayer, [q], c.log);
    proposals++;
  };
  const keyOf = (epoch: number): RegulatorKeyFile => ({ epoch, ...generateRegulatorKey() });
  const baltic = c.as("baltic");
  const payees = ["alpine", "celtic"] as const;
  const indexes = new Map<string, number>();
  for (const bank of ["baltic", ...payees])
    indexes.set(c.addr(bank).toLowerCase(), (await baltic.settlement.ledgerIndexOf({ bank: c.addr(bank) }))!);

  /** Baltic's traced batch of `n` payments (every 5th €10,000.00 or more), proved, anchored, declared, settled. */
  const tracedDay = async (label: string, n: number) => {
    const records: PaymentRecord[] = Array.from({ length: n }, (_, i) => ({
      paymentId: `BALT-TRACE-${label}-${i + 1}`,
      debtorBank: c.addr("baltic"),
      creditorBank: c.addr(payees[i % 2]),
      amount: i % 5 === 0 ? THRESHOLD + BigInt(25_000 * i) : BigInt(5_000 + 250 * i),
      currency: "EUR",
      valueDate: c.valueDate,
      endToEndId: `TRACE-E2E-${label}-${i + 1}`,
      debtorAccountHash: accountHash(`LV80BALT${label}${String(i).padStart(10, "0")}`),
      creditorAccountHash: accountHash(`CH93ALPN${label}${String(i).padStart(10, "0")}`),
    }));
    const batch = buildTracedBatch(records, {
      submitter: c.addr("baltic"),
      key: `${c.valueDate}-traced-${label}`,
      indexOf: (bank) => indexes.get(bank.toLowerCase()) ?? 0,
    });
    const policy = await baltic.zk.getTracePolicy();
    const chunks = await proveTracedBatch(batch, policy, {
      onProgress: (done, total, ms) => c.log(`  chunk ${done}/${total} proved (private_traced_32) in ${ms} ms`),
    });
    proofs += chunks.length;
    gas += (await baltic.settlement.submitBatch({ key: batch.key, header: batch.header })).tx?.gasUsed ?? 0n;
    for (const payee of payees)
      gas += (await c.as(payee).settlement.acknowledgeBatch({ batchId: batch.batchId })).gasUsed;
    const operator = c.as("operator");
    const { cycleId, tx } = await operator.settlement.openCycle();
    gas += tx.gasUsed;
    const declared = await baltic.settlement.declareTracedChunks({ key: batch.key, header: batch.header, chunks });
    gas += declared.gasUsed + (await operator.settlement.closeCycle({ cycleId })).gasUsed;
    const large = records.filter((r) => r.amount >= THRESHOLD).length;
    c.log(
      `  ${n} payments (${large} of €10,000.00 or more) in ${chunks.length} traced chunk${chunks.length === 1 ? "" : "s"}, declared with ciphertexts for epoch ${policy.epoch} in one transaction: gas ${declared.gasUsed.toLocaleString("en")}, ${Math.round(Number(declared.gasUsed) / n).toLocaleString("en")} a payment; cycle ${cycleId} settled`,
    );
    return batch.batchId;
  };

  /** The regulator reads `batchId` from the chain with `key`: proofs re-verified, slots decrypted. */
  const read = async (batchId: `0x${string}`, key: RegulatorKeyFile) => {
    const snapshot = await collectSnapshot(c.as("regulator").context);
    const [d] = tracedDeclarations(snapshot, { batchId });
    const verifier = proofVerifier();
    let verified = true;
    for (const p of d.proofs) verified &&= await verifier.verifyProof(p.circuit, p.proof, p.signals);
    return { verified, ...decryptDeclaration(d, key) };
  };

  try {
    const epoch1 = keyOf(1);
    c.log("The regulator makes a key offline and hands governance only its public half");
    await governed(
      "rotateRegulatorKey",
      [epoch1.public[0], epoch1.public[1]],
      "Register the regulator's key (epoch 1)",
    );
    await governed("setTraceThreshold", [THRESHOLD], "Trace payments of €10,000.00 or more");
    const first = await tracedDay("a", 64);
    const r1 = await read(first, epoch1);
    c.log(
      `  the regulator, from the chain alone (proofs re-verified: ${r1.verified}, roots match the anchored header: ${r1.rootMatches}): ${r1.payments.length} payments read, ${r1.zeroSlots} slots read as zeros — small payments and empty slots alike`,
    );
    for (const p of r1.payments.slice(0, 2))
      c.log(
        `    €${fromMinorUnits(p.amount, 2)} from account ${p.debtorAccountHash.toString(16).slice(0, 10)}… to ${p.creditorAccountHash.toString(16).slice(0, 10)}… (payment ${p.paymentIdHash.toString(16).slice(0, 10)}…)`,
      );

    const epoch2 = keyOf(2);
    c.log("The regulator's key rotates (a new official takes over): no new circuit, no new ceremony");
    await governed("rotateRegulatorKey", [epoch2.public[0], epoch2.public[1]], "Rotate the regulator's key (epoch 2)");
    const second = await tracedDay("b", 16);
    const r2 = await read(second, epoch2);
    c.log(`  epoch 2's key reads the new batch: ${r2.payments.length} payments`);
    const stale = await read(second, epoch1).catch((e: unknown) => e as Error);
    c.log(
      `  epoch 1's key on it: refused — ${stale instanceof Error ? stale.message.split("\n")[0] : "read (unexpected)"}`,
    );
    const history = await read(first, epoch1);
    c.log(`  epoch 1's key still reads epoch 1's batch: ${history.payments.length} payments`);
  } finally {
    await releaseProver();
  }
  return { gas, proofs, proposals };
}
