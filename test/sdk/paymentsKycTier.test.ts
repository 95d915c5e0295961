/**
 * SDK payments with a kyc_tier proof condition, end to end on a deployed consortium: terms written
 * as people write them (`proof: { circuit: kyc_tier, root, minTier }`), the agreement created
 * through the SDK, a proof made with proveKycTier bound to the milestone, submitted and released;
 * a proof of a lower minimum is refused by the escrow.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { toHex } from "viem";
import { ContractRevertError } from "../../packages/sdk/src/errors/revert";
import { parseAgreement } from "../../packages/sdk/src/payments/terms";
import { kycCredential, KycTree, proveKycTier, releaseProver } from "../../packages/zk/src";
import { rejectsWith } from "./fixture";
import { settlementFixture } from "./settlementFixture";

describe("SDK payments — kyc_tier condition", function () {
  this.timeout(180_000);
  after(releaseProver);

  it("a tier-2 customer's proof of tier ≥ 2 releases the milestone; a proof of tier ≥ 1 is refused", async () => {
    const f = await loadFixture(settlementFixture);
    const customer = kycCredential(0x5eed5n, 2);
    const tree = new KycTree([kycCredential(0x1n, 1).commitment, customer.commitment, kycCredential(0x3n).commitment]);
    const block = await f.gov.context.publicClient.getBlock();
    const spec = parseAgreement(
      {
        format: "clearhouse.agreement/1",
        reference: "PO-TIER",
        arbiter: f.addr.danube,
        milestones: [
          {
            payee: f.addr.baltic,
            amount: "25.00",
            deadline: "+10d",
            conditions: [{ proof: { circuit: "kyc_tier", root: toHex(tree.root, { size: 32 }), minTier: 2 } }],
          },
        ],
      },
      "test",
      { now: block.timestamp, decimals: 2 },
    );
    const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec });
    const [condition] = (await f.gov.payments.getAgreement({ agreementId })).milestones[0].conditions;
    expect(condition.description).to.match(/^kyc_tier proof \(tier ≥ 2, 0x/);
    expect(condition.met).to.equal(false);

    const binding = await f.gov.payments.bindingOf({ agreementId, milestone: 0 });
    const low = await proveKycTier({ credential: customer, tree, minTier: 1, scope: binding, message: binding });
    const refused = await rejectsWith(
      f.bank.baltic.payments.submitProof({ agreementId, milestone: 0, condition: 0, proof: low }),
      ContractRevertError,
    );
    expect(refused.message).to.match(/public signal 4 of the proof does not match/);

    const proof = await proveKycTier({ credential: customer, tree, minTier: 2, scope: binding, message: binding });
    await f.bank.baltic.payments.submitProof({ agreementId, milestone: 0, condition: 0, proof });
    expect((await f.gov.payments.getAgreement({ agreementId })).milestones[0].conditions[0].met).to.equal(true);
    await f.bank.baltic.payments.release({ agreementId, milestone: 0 });
    expect((await f.gov.payments.getAgreement({ agreementId })).milestones[0].status).to.equal("Released");
  });
});
