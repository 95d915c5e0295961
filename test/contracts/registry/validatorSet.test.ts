/**
 * ValidatorSet: QBFT contract validator selection mirroring the registry's VALIDATOR nodes (issue 19
 * part 1). Every success and revert path, the address derivation against real keys, the gas of
 * getValidators() at the 64-validator bound, and a stateful property run against a model.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ValidatorSet } from "../../../typechain-types";
import { deployRegistry } from "../../helpers/fixtures";
import { NodeKind } from "./helpers";

/** A real node key: its enode id (128 hex, no 0x04) and the address Besu derives from it. */
function nodeKey(i: number): { enodeId: string; address: string; ip: string } {
  const wallet = new ethers.Wallet(ethers.keccak256(ethers.toUtf8Bytes(`validator-${i}`)));
  return {
    enodeId: wallet.signingKey.publicKey.slice(4),
    address: wallet.address,
    ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  };
}
const PORT = 30303;

async function withSet() {
  const f = await deployRegistry();
  const factory = await ethers.getContractFactory("ValidatorSet");
  const set = (await factory.deploy(await f.registry.getAddress(), f.owner.address)) as unknown as ValidatorSet;
  await set.waitForDeployment();
  for (let i = 0; i < 4; i++) await f.registry.allowNode(nodeKey(i).enodeId, nodeKey(i).ip, PORT, NodeKind.Validator);
  return { ...f, set };
}

async function withFour() {
  const f = await withSet();
  for (let i = 0; i < 4; i++) await f.set.addValidator(nodeKey(i).enodeId, nodeKey(i).ip, PORT);
  return f;
}

describe("ValidatorSet", function () {
  this.timeout(120_000);

  it("derives a validator's address from its enode id as Besu does (node key → address), any case", async function () {
    const { set } = await loadFixture(withSet);
    for (let i = 0; i < 3; i++) {
      const k = nodeKey(i);
      expect(await set.addressOfEnode(k.enodeId)).to.equal(k.address);
      expect(await set.addressOfEnode(k.enodeId.toUpperCase())).to.equal(k.address);
    }
    await expect(set.addressOfEnode("ab".repeat(63))).to.be.revertedWithCustomError(set, "ValidatorNodeNotAllowed");
    await expect(set.addressOfEnode("zz" + "ab".repeat(63))).to.be.revertedWithCustomError(
      set,
      "ValidatorNodeNotAllowed",
    );
  });

  it("addValidator adds an allowed VALIDATOR node with its event; getValidators lists them in order", async function () {
    const { set } = await loadFixture(withSet);
    const k = nodeKey(0);
    await expect(set.addValidator(k.enodeId, k.ip, PORT))
      .to.emit(set, "ValidatorAdded")
      .withArgs(k.address, k.enodeId, k.ip, PORT);
    for (let i = 1; i < 4; i++) await set.addValidator(nodeKey(i).enodeId, nodeKey(i).ip, PORT);
    expect(await set.getValidators()).to.deep.equal([0, 1, 2, 3].map((i) => nodeKey(i).address));
    expect(await set.isValidator(k.address)).to.equal(true);
    expect(await set.nodeOf(k.address)).to.deep.equal([k.enodeId, k.ip, BigInt(PORT)]);
    expect(await set.isValidator(ethers.ZeroAddress)).to.equal(false);
  });

  it("addValidator refuses a caller other than governance, a node the registry does not allow as a validator, a duplicate", async function () {
    const { set, registry, others } = await loadFixture(withFour);
    const k = nodeKey(9);
    await expect(set.connect(others[0]).addValidator(k.enodeId, k.ip, PORT))
      .to.be.revertedWithCustomError(set, "OwnableUnauthorizedAccount")
      .withArgs(others[0].address);
    await expect(set.addValidator(k.enodeId, k.ip, PORT))
      .to.be.revertedWithCustomError(set, "ValidatorNodeNotAllowed")
      .withArgs(k.enodeId, k.ip, PORT);
    await registry.allowNode(k.enodeId, k.ip, PORT, NodeKind.Member); // a member node is no validator
    await expect(set.addValidator(k.enodeId, k.ip, PORT)).to.be.revertedWithCustomError(set, "ValidatorNodeNotAllowed");
    await expect(set.addValidator(nodeKey(0).enodeId, nodeKey(0).ip, 30304)).to.be.revertedWithCustomError(
      set,
      "ValidatorNodeNotAllowed",
    ); // another port is another node
    await expect(set.addValidator(nodeKey(0).enodeId, nodeKey(0).ip, PORT))
      .to.be.revertedWithCustomError(set, "ValidatorAlreadyInSet")
      .withArgs(nodeKey(0).address);
  });

  it("holds at most 64 validators; getValidators() at 64 costs under 200k gas", async function () {
    const { set, registry } = await loadFixture(withSet);
    for (let i = 0; i < 65; i++) {
      const k = nodeKey(i);
      if (i >= 4) await registry.allowNode(k.enodeId, k.ip, PORT, NodeKind.Validator);
      if (i < 64) await set.addValidator(k.enodeId, k.ip, PORT);
    }
    expect(await set.MAX_VALIDATORS()).to.equal(64n);
    await expect(set.addValidator(nodeKey(64).enodeId, nodeKey(64).ip, PORT))
      .to.be.revertedWithCustomError(set, "ValidatorSetFull")
      .withArgs(64);
    const gas = await ethers.provider.estimateGas({
      to: await set.getAddress(),
      data: set.interface.encodeFunctionData("getValidators"),
    });
    console.log(`      getValidators() with 64 validators: ${gas} gas (a transaction's, 21,000 intrinsic included)`);
    expect(gas < 200_000n).to.equal(true);
    expect(await set.getValidators()).to.have.length(64);
  });

  it("removeValidator (governance) moves the last validator into the gap; the last one stays", async function () {
    const { set, others } = await loadFixture(withFour);
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => nodeKey(i).address);
    await expect(set.connect(others[0]).removeValidator(b)).to.be.revertedWithCustomError(
      set,
      "OwnableUnauthorizedAccount",
    );
    await expect(set.removeValidator(b)).to.emit(set, "ValidatorRemoved").withArgs(b, false);
    expect(await set.getValidators()).to.deep.equal([a, d, c]);
    expect(await set.isValidator(b)).to.equal(false);
    expect(await set.nodeOf(b)).to.deep.equal(["", "", 0n]);
    await expect(set.removeValidator(b)).to.be.revertedWithCustomError(set, "ValidatorNotInSet").withArgs(b);
    await set.removeValidator(a);
    await set.removeValidator(c);
    await expect(set.removeValidator(d)).to.be.revertedWithCustomError(set, "ValidatorSetWouldBeEmpty");
    expect(await set.getValidators()).to.deep.equal([d]);
  });

  it("prune: anyone removes a validator whose node the registry no longer allows as a validator", async function () {
    const { set, registry, others } = await loadFixture(withFour);
    const k0 = nodeKey(0);
    const k1 = nodeKey(1);
    await expect(set.connect(others[3]).prune(k0.address))
      .to.be.revertedWithCustomError(set, "ValidatorStillAllowed")
      .withArgs(k0.address);
    await registry.removeNode(k0.enodeId, k0.ip, PORT);
    await expect(set.connect(others[3]).prune(k0.address)).to.emit(set, "ValidatorRemoved").withArgs(k0.address, true);
    await expect(set.prune(k0.address)).to.be.revertedWithCustomError(set, "ValidatorNotInSet");
    // re-allowed as a member node: no longer a validator either
    await registry.removeNode(k1.enodeId, k1.ip, PORT);
    await registry.allowNode(k1.enodeId, k1.ip, PORT, NodeKind.Member);
    await set.prune(k1.address);
    expect(await set.getValidators()).to.deep.equal([nodeKey(3).address, nodeKey(2).address]);
  });

  it("prune never empties the set, and the constructor refuses a zero registry", async function () {
    const { set, registry, owner } = await loadFixture(withFour);
    for (const i of [1, 2, 3]) await set.removeValidator(nodeKey(i).address);
    await registry.removeNode(nodeKey(0).enodeId, nodeKey(0).ip, PORT);
    await expect(set.prune(nodeKey(0).address)).to.be.revertedWithCustomError(set, "ValidatorSetWouldBeEmpty");
    const factory = await ethers.getContractFactory("ValidatorSet");
    await expect(factory.deploy(ethers.ZeroAddress, owner.address)).to.be.revertedWithCustomError(
      set,
      "ValidatorSetZeroRegistry",
    );
  });

  it("property: after any sequence of adds, removals and prunes the set equals a model and is never empty", async function () {
    const { set, registry } = await loadFixture(withSet);
    const N = 8;
    for (let i = 4; i < N; i++) await registry.allowNode(nodeKey(i).enodeId, nodeKey(i).ip, PORT, NodeKind.Validator);
    const allowed = new Set([...Array(N).keys()]);
    const model: number[] = [];
    const op = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), i: fc.nat(N - 1) }),
      fc.record({ kind: fc.constant("remove" as const), i: fc.nat(N - 1) }),
      fc.record({ kind: fc.constant("disallow" as const), i: fc.nat(N - 1) }),
      fc.record({ kind: fc.constant("prune" as const), i: fc.nat(N - 1) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 25 }), async (ops) => {
        for (const o of ops) {
          const k = nodeKey(o.i);
          const inSet = model.includes(o.i);
          if (o.kind === "add") {
            const ok = allowed.has(o.i) && !inSet;
            const tx = set.addValidator(k.enodeId, k.ip, PORT);
            if (ok) {
              await tx;
              model.push(o.i);
            } else await expect(tx).to.be.reverted;
          } else if (o.kind === "remove" || o.kind === "prune") {
            const ok = inSet && model.length > 1 && (o.kind === "remove" || !allowed.has(o.i));
            const tx = o.kind === "remove" ? set.removeValidator(k.address) : set.prune(k.address);
            if (ok) {
              await tx;
              const at = model.indexOf(o.i);
              model[at] = model[model.length - 1];
              model.pop();
            } else await expect(tx).to.be.reverted;
          } else if (allowed.has(o.i)) {
            await registry.removeNode(k.enodeId, k.ip, PORT);
            allowed.delete(o.i);
          } else {
            await registry.allowNode(k.enodeId, k.ip, PORT, NodeKind.Validator);
            allowed.add(o.i);
          }
          const onChain = await set.getValidators();
          expect(onChain).to.deep.equal(model.map((i) => nodeKey(i).address));
          expect(new Set(onChain).size).to.equal(onChain.length);
        }
      }),
      { numRuns: 8 },
    );
  });
});
