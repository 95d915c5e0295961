/**
 * The demo's privacy step: a bank settles payments in private mode (chunks of 16 under a Poseidon
 * root, totals accepted only with a batch_netting proof), and a bank's customer proves KYC
 * membership without saying who they are.
 */
import { toHex, type Address } from "viem";
import { ContractRevertError, fromMinorUnits, type Clearhouse, type PaymentRecord } from "../../packages/sdk/src";
import { accountHash } from "../../packages/sdk/src/settlement/record";
import {
  amountInputs,
  buildPrivateChunks,
  identityCommitment,
  kycInputs,
  KycTree,
  namedSignals,
  nettingInputs,
  prove,
  randomFieldElement,
  releaseProver,
  toCalldata,
  verify,
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
    const records: PaymentRecord[] = Array.from({ length: 20 }, (_, i) => ({
      paymentId: `BALT-PRIV-${i + 1}`,
      debtorBank: c.addr("baltic"),
      creditorBank: c.addr(payees[i % 2]),
      amount: BigInt(50_000 + 1_250 * i),
      currency: "EUR",
      valueDate: c.valueDate,
      endToEndId: `PRIV-E2E-${i + 1}`,
      debtorAccountHash: accountHash(`LV80BALT${String(i).padStart(13, "0")}`),
      creditorAccountHash: accountHash(`CH93ALPN${String(i).padStart(13, "0")}`),
    }));
    const chunks = buildPrivateChunks(records, { submitter: c.addr("baltic"), keyPrefix: `${c.valueDate}-priv` });
    c.log(`Baltic keeps 20 payments private: ${chunks.length} chunks of ≤ 16 under Poseidon roots, each proved`);
    const bundles = [];
    for (const chunk of chunks) {
      const started = Date.now();
      const bundle = await prove("batch_netting_16", nettingInputs(chunk));
      proofs++;
      bundles.push(bundle);
      const r = await baltic.settlement.submitBatch({ key: chunk.key, header: chunk.header });
      gas += r.tx?.gasUsed ?? 0n;
      c.log(
        `  chunk ${chunk.metadata.chunk}: ${chunk.records.length} payments, ${chunk.header.counterparties.length} creditor bank(s), gross €${fromMinorUnits(chunk.header.grossTotal, 2)}, proof in ${Date.now() - started} ms, anchored`,
      );
      for (const payee of payees) {
        if (chunk.header.counterparties.includes(c.addr(payee)))
          gas += (await c.as(payee).settlement.acknowledgeBatch({ batchId: chunk.batchId })).gasUsed;
      }
    }
    const operator = c.as("operator");
    const { cycleId, tx } = await operator.settlement.openCycle();
    gas += tx.gasUsed;
    const refused = await baltic.settlement
      .declareBatch({ key: chunks[0].key, header: chunks[0].header })
      .catch((e: unknown) => e);
    if (refused instanceof ContractRevertError)
      c.log(`  declared without its proof, a private chunk is refused: ${refused.shortMessage}`);
    for (const [i, chunk] of chunks.entries()) {
      const r = await baltic.settlement.declareProvedBatch({
        key: chunk.key,
        header: chunk.header,
        proof: toCalldata(bundles[i]).proof,
      });
      gas += r.gasUsed;
      c.log(
        `  chunk ${i} declared with its batch_netting proof (verified on chain, gas ${r.gasUsed.toLocaleString("en")})`,
      );
    }
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
