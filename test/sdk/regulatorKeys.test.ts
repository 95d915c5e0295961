/**
 * The SDK's regulator key and trace threshold (VerifierRegistry, decision 040) on a real Hardhat
 * chain: reads, the owner's actions before the handover, checks made before sending, the revert
 * catalogue's messages, and a rotation enacted by the multisig from the `<action>Call` builder.
 */
import hre from "hardhat";
import { expect } from "chai";
import { custom } from "viem";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import {
  ContractRevertError,
  InvalidArgumentError,
  createClearhouse,
  signGovernanceFile,
  zk,
} from "../../packages/sdk/src";
import { encodeGovernedCall } from "../../packages/sdk/src/governance";
import { deployConsortium } from "../../scripts/lib/deployConsortium";
import { blockNumber, key, rejectsWith } from "./fixture";
import { MIN_DELAY, governanceFixture, signerKey } from "./governanceFixture";

const P = zk.BABYJUBJUB_P;
const keyOf = (secret: bigint) => {
  const [x, y] = mulPointEscalar(Base8, secret);
  return { x, y };
};

/** The consortium with its zk layer, still owned by the deployer (account 0). */
async function ownerFixture() {
  const deployment = await deployConsortium({ token: { name: "Key Euro", symbol: "kEUR", decimals: 2 } });
  const transport = custom(hre.network.provider, { retryCount: 0 });
  const owner = createClearhouse({ transport, deployment, account: key(0), pollingInterval: 10 });
  return { owner, outsider: owner.as(key(9)) };
}

describe("SDK regulator keys and trace threshold (real Hardhat network)", () => {
  it("reads no key at first, then each rotation's key; past epochs stay readable", async () => {
    const { owner } = await loadFixture(ownerFixture);
    expect(await owner.zk.getRegulatorKey()).to.equal(null);
    expect(await owner.zk.getTracePolicy()).to.deep.equal({ epoch: 0, key: null, threshold: 0n });

    const first = keyOf(1234n);
    const second = keyOf(98_765n);
    await owner.zk.rotateRegulatorKey(first);
    const since = BigInt(await time.latest());
    await owner.zk.rotateRegulatorKey(second);
    const since2 = BigInt(await time.latest());
    await owner.zk.setTraceThreshold({ threshold: 1_000_000n });

    expect(await owner.zk.getRegulatorKey()).to.deep.equal({ epoch: 2, ...second, since: since2 });
    expect(await owner.zk.getRegulatorKey({ epoch: 1 })).to.deep.equal({ epoch: 1, ...first, since });
    expect(await owner.zk.getTracePolicy()).to.deep.equal({ epoch: 2, key: second, threshold: 1_000_000n });
  });

  it("explains the contract's refusals: unchanged key, low-order key, unchanged threshold, unknown epoch, stranger", async () => {
    const { owner, outsider } = await loadFixture(ownerFixture);
    const k = keyOf(42n);
    await owner.zk.rotateRegulatorKey(k);

    const unchanged = await rejectsWith(owner.zk.rotateRegulatorKey(k), ContractRevertError);
    expect(unchanged.errorName).to.equal("ZkRegulatorKeyInvalid");
    expect(unchanged.shortMessage).to.match(/cannot be the regulator's key: unchanged/);

    // On the curve and not the identity, so the SDK sends it; the contract finds the order-2 point.
    const lowOrder = await rejectsWith(owner.zk.rotateRegulatorKey({ x: 0n, y: P - 1n }), ContractRevertError);
    expect(lowOrder.errorName).to.equal("ZkRegulatorKeyInvalid");
    expect(lowOrder.shortMessage).to.match(/not in prime subgroup/);
    expect(lowOrder.message).to.match(/anyone could decrypt|let anyone decrypt/);

    const threshold = await rejectsWith(owner.zk.setTraceThreshold({ threshold: 0n }), ContractRevertError);
    expect(threshold.errorName).to.equal("ZkTraceThresholdUnchanged");
    expect(threshold.shortMessage).to.match(/the trace threshold is 0\.00 kEUR already/);

    const epoch = await rejectsWith(owner.zk.getRegulatorKey({ epoch: 5 }), ContractRevertError);
    expect(epoch.errorName).to.equal("ZkUnknownRegulatorEpoch");
    expect(epoch.shortMessage).to.match(/no regulator key was set in epoch 5/);

    const stranger = await rejectsWith(outsider.zk.setTraceThreshold({ threshold: 1n }), ContractRevertError);
    expect(stranger.errorName).to.equal("OwnableUnauthorizedAccount");
  });

  it("checks arguments before sending anything", async () => {
    const { owner } = await loadFixture(ownerFixture);
    const before = await blockNumber();
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => owner.zk.rotateRegulatorKey({ x: 1n, y: 2n }), /is not a point of Baby Jubjub/],
      [() => owner.zk.rotateRegulatorKey({ x: 0n, y: 1n }), /is the identity/],
      [() => owner.zk.rotateRegulatorKey({ x: Base8[0] + P, y: Base8[1] }), /does not fit a Baby Jubjub coordinate/],
      [() => owner.zk.setTraceThreshold({ threshold: 2n ** 64n }), /does not fit uint64/],
      [() => owner.zk.setTraceThreshold({ threshold: 5 as unknown as bigint }), /is not a bigint/],
      [() => owner.zk.getRegulatorKey({ epoch: 0 }), /is not an integer from 1/],
    ];
    for (const [call, message] of cases) {
      const error = await rejectsWith(call(), InvalidArgumentError);
      expect(error.message).to.match(message);
    }
    expect(await blockNumber()).to.equal(before);
  });

  it("governance rotates the key and sets the threshold by proposal (minimum delay)", async () => {
    const f = await loadFixture(governanceFixture);
    const k = keyOf(777n);
    const rotate = zk.rotateRegulatorKeyCall(f.anyone.context, k);
    const threshold = zk.setTraceThresholdCall(f.anyone.context, { threshold: 50_000n });
    // `clearhouse gov propose --target verifiers --call rotateRegulatorKey --args '["x","y"]'` encodes the same.
    const fromCli = encodeGovernedCall({
      contract: "VerifierRegistry",
      functionName: "rotateRegulatorKey",
      args: [k.x.toString(), k.y.toString()],
    });
    expect(fromCli.signature).to.equal("rotateRegulatorKey(uint256,uint256)");
    for (const [lane, c, description] of [
      [1n, rotate, "Rotate the regulator's key"],
      [2n, threshold, "Trace payments of 500.00 and more"],
    ] as const) {
      const file = await f.anyone.governance.buildProposal({
        target: c.address,
        call: { abi: c.abi, functionName: c.functionName, args: c.args, contract: "verifiers" },
        lane,
        description,
      });
      if (c === rotate && file.typedData.primaryType === "Proposal")
        expect(file.typedData.message.data).to.equal(fromCli.data);
      const signatures = await Promise.all([0, 1, 2].map((i) => signGovernanceFile(file, signerKey(i))));
      await f.anyone.governance.queueProposal({ file, signatures });
      expect((await f.anyone.governance.getProposalStatus({ file })).delay).to.equal(MIN_DELAY);
      await time.increase(MIN_DELAY);
      await f.anyone.governance.executeProposal({ file });
    }
    expect(await f.anyone.zk.getTracePolicy()).to.deep.equal({ epoch: 1, key: k, threshold: 50_000n });
  });
});
