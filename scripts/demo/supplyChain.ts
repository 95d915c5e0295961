/**
 * The demo's conditional payment: Acme Logistics buys components from Nordic Components under a
 * purchase order — a deposit on order, the balance released by the carrier's delivery
 * attestation, the buyer's QA acceptance (both signed offline) and the supplier's zk proof that
 * its bank (Baltic Savings) has it KYC-verified.
 */
import { keccak256, stringToHex, type Address } from "viem";
import { ContractRevertError, fromMinorUnits, renderTable, type Clearhouse } from "../../packages/sdk/src";
import { parseAgreement, signAttestation } from "../../packages/sdk/src/payments";
import {
  identityCommitment,
  kycInputs,
  KycTree,
  prove,
  randomFieldElement,
  releaseProver,
} from "../../packages/zk/src";
import { account, participant } from "./participants";

export interface SupplyChainContext {
  as: (key: string) => Clearhouse;
  addr: (key: string) => Address;
  log: (line: string) => void;
}

/** The two attestors (members): they only sign offline, they never send a transaction. */
const CARRIER_INDEX = participant("carrier").index;
const BUYER_QA_INDEX = participant("buyer-qa").index;

export async function supplyChainStep(c: SupplyChainContext): Promise<{ gas: bigint }> {
  let gas = 0n;
  const money = (v: bigint) => `€${fromMinorUnits(v, 2)}`;
  const acme = c.as("acme");
  const supplier = c.as("supplier");
  const carrier = account(CARRIER_INDEX);
  const qa = account(BUYER_QA_INDEX);
  try {
    c.log("Baltic Savings issues KYC credentials; Nordic Components holds one");
    const supplierSecret = randomFieldElement();
    const others = Array.from({ length: 6 }, () => identityCommitment(randomFieldElement()));
    const tree = new KycTree([...others.slice(0, 3), identityCommitment(supplierSecret), ...others.slice(3)]);

    const block = await acme.context.publicClient.getBlock();
    const spec = parseAgreement(
      {
        format: "clearhouse.agreement/1",
        name: "Purchase order PO-2026-118",
        reference: "PO-2026-118",
        arbiter: c.addr("auditor"),
        milestones: [
          {
            name: "deposit on order",
            payee: c.addr("supplier"),
            amount: "2500.00",
            deadline: "+7d",
            conditions: [{ time: "+0s" }],
          },
          {
            name: "balance on delivery, acceptance and KYC",
            payee: c.addr("supplier"),
            amount: "7500.00",
            deadline: "+60d",
            combine: "all",
            conditions: [
              { attestation: { kind: "delivered", by: [carrier.address] } },
              { attestation: { kind: "accepted", by: [qa.address] } },
              { proof: { circuit: "kyc_membership", root: `0x${tree.root.toString(16)}` } },
            ],
          },
        ],
      },
      "PO-2026-118",
      { now: block.timestamp, decimals: 2 },
    );
    const created = await acme.payments.createAgreement({ spec });
    gas += created.tx.gasUsed;
    const id = created.agreementId;
    c.log(
      `Acme locks ${money(created.total)} in agreement ${id} (funded by an EIP-2612 permit in the same transaction, gas ${created.tx.gasUsed.toLocaleString("en")})`,
    );

    gas += (await supplier.payments.release({ agreementId: id, milestone: 0 })).gasUsed;
    c.log(`  deposit released to Nordic Components: ${money(spec.milestones[0].amount)}`);

    const escrow = acme.deployment.contracts.ConditionalEscrow!.proxy;
    const chainId = acme.deployment.chainId;
    const pod = keccak256(stringToHex("Proof of delivery CMR 7781-22, 40 pallets, signed at Hamburg dock 4"));
    const report = keccak256(stringToHex("QA report PO-2026-118: 40/40 pallets accepted"));
    const delivered = await signAttestation(carrier, {
      escrow,
      chainId,
      agreementId: id,
      milestone: 1,
      kind: "delivered",
      evidenceHash: pod,
    });
    const accepted = await signAttestation(qa, {
      escrow,
      chainId,
      agreementId: id,
      milestone: 1,
      kind: "accepted",
      evidenceHash: report,
    });
    gas += (await supplier.payments.submitAttestations({ attestations: [delivered] })).gasUsed;
    gas += (await supplier.payments.submitAttestations({ attestations: [accepted] })).gasUsed;
    c.log("  the carrier (delivered) and Acme's QA (accepted) signed offline; the supplier submitted both");

    const early = await supplier.payments.release({ agreementId: id, milestone: 1 }).catch((e: unknown) => e);
    if (early instanceof ContractRevertError) c.log(`  release before the KYC proof is refused: ${early.shortMessage}`);

    const binding = await supplier.payments.bindingOf({ agreementId: id, milestone: 1 });
    const started = Date.now();
    const proof = await prove(
      "kyc_membership",
      kycInputs({
        secret: supplierSecret,
        path: tree.path(identityCommitment(supplierSecret)),
        scope: binding,
        message: binding,
      }),
    );
    gas += (await supplier.payments.submitProof({ agreementId: id, milestone: 1, condition: 2, proof })).gasUsed;
    c.log(
      `  Nordic Components proves it is a KYC'd customer of Baltic (proof in ${Date.now() - started} ms; its nullifier is now spent)`,
    );

    gas += (await acme.payments.release({ agreementId: id, milestone: 1 })).gasUsed;
    const a = await acme.payments.getAgreement({ agreementId: id });
    c.log(
      `  balance released: agreement ${id} is ${a.status}, ${money(a.released)} paid, ${money(a.locked)} left in escrow`,
    );
    const table = renderTable(a.milestones, [
      { header: "#", value: (r) => String(r.index), align: "right" },
      { header: "amount", value: (r) => fromMinorUnits(r.amount, 2), align: "right" },
      { header: "status", value: (r) => r.status },
      {
        header: "conditions",
        value: (r) => `${r.combine}: ${r.conditions.map((x) => `${x.met ? "✓" : "✗"} ${x.description}`).join("; ")}`,
      },
    ]);
    for (const line of table.split("\n")) c.log(`    ${line}`);
  } finally {
    await releaseProver();
  }
  return { gas };
}
