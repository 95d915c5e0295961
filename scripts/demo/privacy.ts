/**
 * The demo's privacy step: a bank settles payments in private mode v2 (decision 034: one batch of
 * 256-slot chunks under Poseidon roots, its totals accepted only with one private_netting_256 proof
 * per chunk, all in one transaction), and a bank's customer proves KYC membership without saying
 * who they are.
 */
import { toHex, type Address } from "viem";
import { ContractRevertError, fromMinorUnits, type Clearhouse, type PaymentRecord } from "../../packages/sdk/src";
import { accountHash } from "../../packages/sdk/src/settlement/record";
import {
  amountInputs,
  buildPrivateBatch,
  identityCommitment,
  kycInputs,
  KycTree,
  namedSignals,
  privateInclusionProof,
  prove,
  provePrivateBatch,
  randomFieldElement,
  releaseProver,
  verify,
  verifyPrivateInclusion,
} from "../../packages/zk/src";

export interface PrivacyContext {
  as: (key: string) => Clearhouse;
  addr: (key: string) => Address;
  log: (line: string) => void;
  valueDate: string;
}

const hex = (v: bigint) => `${toHex(v, { size: 32 }).slice(0, 12)}…`;

export async function privacyStep(c: PrivacyContext): Promise<{ gas: bigint; proofs: number }> {
  let gas = 0n;
  let proofs = 0;
  try {
    const baltic = c.as("baltic");
    const payees = ["alpine", "celtic"] as const;
    const records: PaymentRecord[] = Array.from({ length: 300 }, (_, i) => ({
      paymentId: `BALT-PRIV-${i + 1}`,
      debtorBank: c.addr("baltic"),
      creditorBank: c.addr(payees[i % 2]),
      amount: BigInt(50_000 + 125 * i),
      currency: "EUR",
      valueDate: c.valueDate,
      endToEndId: `PRIV-E2E-${i + 1}`,
      debtorAccountHash: accountHash(`LV80BALT${String(i).padStart(13, "0")}`),
      creditorAccountHash: accountHash(`CH93ALPN${String(i).padStart(13, "0")}`),
    }));
    const indexes = new Map<string, number>();
    for (const bank of ["baltic", ...payees]) {
      const index = await baltic.settlement.ledgerIndexOf({ bank: c.addr(bank) });
      if (index === undefined) throw new Error(`${bank} is not enrolled in the settlement ledger`);
      indexes.set(c.addr(bank).toLowerCase(), index);
    }
    const batch = buildPrivateBatch(records, {
      submitter: c.addr("baltic"),
      key: `${c.valueDate}-private`,
      indexOf: (bank) => indexes.get(bank.toLowerCase()) ?? 0,
    });
    c.log(
      `Baltic keeps ${records.length} payments private: one batch of ${batch.chunks.length} chunks (256 slots each, one Poseidon root each); the anchored root is the keccak of the chunk roots`,
    );
    const chunks = await provePrivateBatch(batch, {
      onProgress: (done, total, ms) => c.log(`  chunk ${done}/${total} proved (private_netting_256) in ${ms} ms`),
    });
    proofs += chunks.length;
    const anchored = await baltic.settlement.submitBatch({ key: batch.key, header: batch.header });
    gas += anchored.tx?.gasUsed ?? 0n;
    for (const payee of payees) {
      gas += (await c.as(payee).settlement.acknowledgeBatch({ batchId: batch.batchId })).gasUsed;
    }
    const alpinePayment = records.find((r) => r.creditorBank === c.addr("alpine"));
    if (!alpinePayment) throw new Error("the private batch has no payment to Alpine");
    const inclusion = privateInclusionProof(batch, alpinePayment.paymentId);
    const chunkRoot = verifyPrivateInclusion(inclusion, {
      record: alpinePayment,
      bankIndex: indexes.get(c.addr("baltic").toLowerCase()) ?? 0,
      creditorIndex: indexes.get(c.addr("alpine").toLowerCase()) ?? 0,
      header: (await c.as("alpine").settlement.getBatch({ batchId: batch.batchId })).header,
    });
    c.log(
      `  anchored once, acknowledged; Alpine checks ${alpinePayment.paymentId} against the anchored header (root, v2 commitment, its mask bit) from its own group of 8 slots and hashes only: chunk root ${hex(chunkRoot)}`,
    );
    const operator = c.as("operator");
    const { cycleId, tx } = await operator.settlement.openCycle();
    gas += tx.gasUsed;
    const refused = await baltic.settlement
      .declareBatch({ key: batch.key, header: batch.header })
      .catch((e: unknown) => e);
    if (refused instanceof ContractRevertError)
      c.log(`  declared without its proofs, the private batch is refused: ${refused.shortMessage}`);
    const declared = await baltic.settlement.declareProvedChunks({ key: batch.key, header: batch.header, chunks });
    gas += declared.gasUsed;
    c.log(
      `  declared with its ${chunks.length} proofs in one transaction (each verified on chain): gas ${declared.gasUsed.toLocaleString("en")}, ${Math.round(Number(declared.gasUsed) / records.length).toLocaleString("en")} a payment`,
    );
    gas += (await operator.settlement.closeCycle({ cycleId })).gasUsed;
    const cycle = await operator.settlement.getCycle({ cycleId });
    const net = cycle.positions.map(
      (p) =>
        `${p.bank === c.addr("baltic") ? "Baltic" : p.bank === c.addr("alpine") ? "Alpine" : "Celtic"} ${p.net > 0n ? "+" : ""}${fromMinorUnits(p.net, 2)}`,
    );
    c.log(`  cycle ${cycleId} settled from proved totals only — the chain never saw a payment: ${net.join(", ")}`);

    c.log("Alpine issues KYC credentials; a customer proves membership without saying which one");
    const secrets = Array.from({ length: 5 }, () => randomFieldElement());
    const tree = new KycTree(secrets.map(identityCommitment));
    const scope = BigInt(toHex("supplier-onboarding-2026", { size: 32 })) >> 8n;
    const started = Date.now();
    const kyc = await prove(
      "kyc_membership",
      kycInputs({ secret: secrets[3], path: tree.path(identityCommitment(secrets[3])), scope, message: 4242n }),
    );
    proofs++;
    const signals = namedSignals(kyc);
    c.log(
      `  proof in ${Date.now() - started} ms: root ${hex(signals.root)} (Alpine's tree of ${tree.size}), nullifier ${hex(signals.nullifier)}`,
    );
    c.log(
      `  verified off-chain: ${await verify(kyc)}; on chain by the registered verifier: ${await operator.zk.verifyOnChain({ proof: kyc })}`,
    );
    const replayed = { ...kyc, publicSignals: kyc.publicSignals.map((s, i) => (i === 3 ? "4243" : s)) };
    c.log(
      `  the same proof bound to another message: on chain ${await operator.zk.verifyOnChain({ proof: replayed })}`,
    );
    const amount = await prove(
      "amount_limit",
      amountInputs({ amount: 750_000n, blinding: randomFieldElement(), limit: 1_000_000n, message: 4242n }),
    );
    proofs++;
    c.log(
      `  an amount proves itself ≤ €10,000.00 without being shown: on chain ${await operator.zk.verifyOnChain({ proof: amount })}`,
    );
  } finally {
    await releaseProver();
  }
  return { gas, proofs };
}
