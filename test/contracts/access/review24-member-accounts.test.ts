/**
 * Review 24 (attacker review of member accounts, decision 045). Each test asserts the CORRECT
 * behaviour; the ones marked `it.skip` fail on the current code and name their finding.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployToken, Reason } from "../../helpers/fixtures";
import { admitAccountBank, createAccount, deployAccountKit, KeyRole } from "./accounts";
import { contractEntry } from "../governance/helpers";

const MAGIC = "0x1626ba7e";
const INVALID = "0xffffffff";
const SANCTION = 7;

async function withAccount() {
  const f = await deployToken();
  const kit = await deployAccountKit(f.registry, f.owner);
  const [keyA, keyB, keyC, attacker, spare] = f.others.slice(14, 19);
  const account = await createAccount(kit, keyA);
  const address = await account.getAddress();
  await admitAccountBank(f.registry, address, "Account Bank");
  return { ...f, kit, account, address, keyA, keyB, keyC, attacker, spare };
}

/** A Hardhat signer's (index `index`) raw 65-byte ECDSA signature of `hash`, and key ‖ signature. */
function keySignature(key: { address: string }, hash: string, index: number): { raw: string; wrapped: string } {
  const wallet = ethers.HDNodeWallet.fromPhrase(
    "test test test test test test test test test test test junk",
    undefined,
    `m/44'/60'/0'/0/${index}`,
  );
  expect(wallet.address).to.equal(key.address);
  const raw = wallet.signingKey.sign(hash).serialized;
  return { raw, wrapped: ethers.concat([key.address, raw]) };
}

describe("review24: member accounts under attack", function () {
  describe("R24-1 squatting: anyone binds an account's address or its next key", function () {
    // fails until fixed: R24-1 (bindKey accepts any caller, so a wallet or member binds the
    // predicted account address as its own key: createAccount and admitMember are blocked)
    it.skip("a stranger's bindKey of a predicted account address does not block its creation", async function () {
      const f = await loadFixture(withAccount);
      const salt = ethers.id("nord-bank");
      const predicted = await f.kit.factory.accountAddress(f.keyB.address, KeyRole.ALL, salt);
      // banks[3] is an ordinary EOA member (a customer wallet can do the same, see R24-2).
      await (await f.registry.connect(f.banks[3]).bindKey(predicted)).wait();
      await expect(f.kit.factory.createAccount(f.keyB.address, KeyRole.ALL, salt)).not.to.be.reverted;
    });

    // fails until fixed: R24-1 (front-running the first key or a rotation's new key)
    it.skip("a stranger's bindKey of a key does not block the account from authorizing it", async function () {
      const f = await loadFixture(withAccount);
      await (await f.registry.connect(f.banks[3]).bindKey(f.keyB.address)).wait();
      await expect(f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).not.to.be.reverted;
      await expect(f.kit.factory.createAccount(f.keyB.address, KeyRole.ALL, ethers.ZeroHash)).not.to.be.reverted;
    });

    it("today: the squat needs a governance unbind per key, and the squatter can bind again", async function () {
      const f = await loadFixture(withAccount);
      await (await f.registry.connect(f.banks[3]).bindKey(f.keyB.address)).wait();
      await expect(f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyBound")
        .withArgs(f.keyB.address, f.banks[3].address);
      await (await f.registry.connect(f.owner).unbindKey(f.keyB.address)).wait();
      await (await f.registry.connect(f.banks[2]).bindKey(f.keyB.address)).wait();
      await expect(
        f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT),
      ).to.be.revertedWithCustomError(f.registry, "RegistryKeyBound");
    });
  });

  describe("R24-2 permissioning: a customer wallet lends its standing to any address", function () {
    // fails until fixed: R24-2 (a wallet calls bindKey(x) and x passes check with the wallet's standing)
    it.skip("check refuses an address a customer wallet bound to itself", async function () {
      const f = await loadFixture(withAccount);
      await (await f.registry.setTier(1, 100n, 1000n, 10_000n)).wait();
      const wallet = f.spare;
      await (await f.registry.connect(f.banks[0]).openWallet(wallet.address, 1)).wait();
      const stranger = ethers.Wallet.createRandom().address;
      expect((await f.registry.check(stranger, await f.token.getAddress(), 0, "0x")).reason).to.equal(
        Reason.SenderNotMember,
      );
      await (await f.registry.connect(wallet).bindKey(stranger)).wait();
      expect((await f.registry.check(stranger, await f.token.getAddress(), 0, "0x")).reason).to.equal(
        Reason.SenderNotMember,
      );
    });
  });

  describe("R24-3 sanctions: a sanctioned key still signs for its account", function () {
    // fails until fixed: R24-3 (isValidSignature ignores the key's sanction)
    it.skip("isValidSignature refuses a sanctioned APPROVE key", async function () {
      const f = await loadFixture(withAccount);
      const hash = ethers.id("governance approval");
      await (await f.registry.addSanction(f.keyA.address, SANCTION)).wait();
      expect((await f.registry.check(f.keyA.address, f.address, 0, "0x")).reason).to.equal(Reason.SenderSanctioned);
      const { wrapped } = keySignature(f.keyA, hash, 15);
      expect(await f.account.isValidSignature(hash, wrapped)).to.equal(INVALID);
    });

    // fails until fixed: R24-3 (a sanctioned address can be authorized and bound as a key)
    it.skip("authorizeKey refuses a sanctioned address", async function () {
      const f = await loadFixture(withAccount);
      await (await f.registry.addSanction(f.keyB.address, SANCTION)).wait();
      await expect(f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.APPROVE)).to.be.reverted;
    });
  });

  describe("R24-4 roles: SUBMIT acts where APPROVE is meant to be needed", function () {
    async function withMultisig() {
      const f = await withAccount();
      const [s2, s3] = f.others.slice(10, 12);
      // The account and one EOA key of it are both signers (a bank migrating its signer seat).
      const multisig = await (
        await ethers.getContractFactory("ConsortiumMultisig")
      ).deploy([f.address, f.keyA.address, s2.address, s3.address], 2, 0, 0, f.owner.address, []);
      return { ...f, multisig };
    }

    // fails until fixed: R24-4 (execute lets a SUBMIT-only key cast the member's on-chain approval)
    it.skip("a SUBMIT-only key cannot approve a governance proposal for the member", async function () {
      const f = await loadFixture(withMultisig);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).wait();
      const hash = ethers.id("some proposal");
      const call = f.multisig.interface.encodeFunctionData("approve", [hash]);
      await expect(f.account.connect(f.keyB).execute(await f.multisig.getAddress(), call)).to.be.reverted;
    });

    // fails until fixed: R24-5 (a key's raw signature is not bound to the account: one ECDSA
    // signature counts for the key as a signer and again for its account)
    it.skip("one key's signature does not count twice (as itself and as its account)", async function () {
      const f = await loadFixture(withMultisig);
      const target = await (await ethers.getContractFactory("ReentrantTarget")).deploy();
      const p = {
        target: await target.getAddress(),
        value: 0n,
        data: target.interface.encodeFunctionData("poke"),
        lane: 0n,
        nonce: await f.multisig.nonceOf(0n),
        notBefore: 0n,
        expiry: BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n,
      };
      const digest = await f.multisig.proposalHash(p);
      const { raw, wrapped } = keySignature(f.keyA, digest, 15);
      const signatures = ethers.concat([raw, contractEntry(f.address, wrapped)]);
      await expect(f.multisig.execute(p, signatures)).to.be.revertedWithCustomError(
        f.multisig,
        "MultisigThresholdNotMet",
      );
    });
  });

  describe("R24-6 governance unbind leaves the account inconsistent", function () {
    // fails until fixed: R24-6 (authorizeKey of a held key never re-binds it: after a governance
    // unbindKey the key is listed with its roles, cannot be restored except by revoke + authorize)
    it.skip("re-authorizing a key governance unbound makes it usable again", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).wait();
      await (await f.registry.connect(f.owner).unbindKey(f.keyB.address)).wait();
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).wait();
      const data = f.token.interface.encodeFunctionData("approve", [f.banks[0].address, 1n]);
      await expect(f.account.connect(f.keyB).execute(await f.token.getAddress(), data)).not.to.be.reverted;
    });

    // fails until fixed: R24-6 (the operator count includes unbound keys, so MemberAccountLastOperator
    // does not stop the last working OPERATE key from revoking itself)
    it.skip("the last working OPERATE key cannot revoke itself while another is unbound", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.OPERATE)).wait();
      await (await f.registry.connect(f.owner).unbindKey(f.keyB.address)).wait();
      await expect(f.account.connect(f.keyA).revokeKey(f.keyA.address)).to.be.revertedWithCustomError(
        f.account,
        "MemberAccountLastOperator",
      );
    });
    // fails until fixed: R24-6 (keys()/rolesOf keep a key governance unbound; the SDK's memberKeys
    // and `clearhouse keys list` then show a dead key as authorized)
    it.skip("a key governance unbound is no longer listed as authorized", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).wait();
      await (await f.registry.connect(f.owner).unbindKey(f.keyB.address)).wait();
      const [keys] = await f.account.keys();
      expect(keys).to.deep.equal([f.keyA.address]);
    });
  });

  describe("R24-8 a compromised OPERATE key entrenches itself against a governance revokeKey", function () {
    it("today: revoking the named key leaves the attacker's fresh OPERATE key in control", async function () {
      const f = await loadFixture(withAccount);
      const honest = f.keyA;
      const stolen = f.keyB;
      await (await f.account.connect(honest).authorizeKey(stolen.address, KeyRole.ALL)).wait();
      // The thief sees the governance proposal revokeKey(stolen) queued behind its timelock and:
      await (await f.account.connect(stolen).authorizeKey(f.attacker.address, KeyRole.ALL)).wait();
      await (await f.account.connect(stolen).revokeKey(honest.address)).wait();
      await (await f.account.connect(f.owner).revokeKey(stolen.address)).wait(); // the proposal executes
      expect(await f.account.rolesOf(f.attacker.address)).to.equal(KeyRole.ALL);
      expect(await f.account.rolesOf(honest.address)).to.equal(0);
      expect((await f.registry.check(f.attacker.address, f.address, 0, "0x")).reason).to.equal(Reason.Allowed);
    });
  });

  describe("R24-2b an EOA member binds keys past MAX_KEYS, none of them listed anywhere", function () {
    // fails until fixed: R24-2 (bindKey is open to any caller, not only factory-made accounts)
    it.skip("an EOA member cannot bind more than MAX_KEYS keys that pass check", async function () {
      const f = await loadFixture(withAccount);
      const target = await f.token.getAddress();
      let passing = 0;
      for (let i = 0; i < 17; i++) {
        const k = ethers.Wallet.createRandom().address;
        await (await f.registry.connect(f.banks[1]).bindKey(k)).wait();
        if ((await f.registry.check(k, target, 0, "0x")).reason === BigInt(Reason.Allowed)) passing++;
      }
      expect(passing).to.be.at.most(16);
    });
  });

  describe("R24-7 an account that has keys can itself be bound as a key", function () {
    // fails until fixed: R24-7 (bindKey checks the caller is not a key, not that the key has no keys)
    it.skip("bindKey refuses an address that has keys bound to it", async function () {
      const f = await loadFixture(withAccount);
      // Account 2 (not admitted) with its own key; then the admitted account takes it as a key.
      const other = await createAccount(f.kit, f.keyC, KeyRole.ALL, ethers.id("other"));
      const otherAddress = await other.getAddress();
      expect(await f.registry.accountOfKey(f.keyC.address)).to.equal(otherAddress);
      await expect(f.account.connect(f.keyA).authorizeKey(otherAddress, KeyRole.SUBMIT)).to.be.reverted;
    });

    it("today the chain stops one step short: the second-level key is refused by check", async function () {
      const f = await loadFixture(withAccount);
      const other = await createAccount(f.kit, f.keyC, KeyRole.ALL, ethers.id("other"));
      const otherAddress = await other.getAddress();
      await (await f.account.connect(f.keyA).authorizeKey(otherAddress, KeyRole.SUBMIT)).wait();
      expect(await f.registry.accountOfKey(otherAddress)).to.equal(f.address);
      expect((await f.registry.check(f.keyC.address, f.address, 0, "0x")).reason).to.equal(Reason.SenderNotMember);
      // …but keyC acts as the member through other.execute(account, execute(...)):
      const inner = f.token.interface.encodeFunctionData("approve", [f.banks[0].address, 3n]);
      const outer = f.account.interface.encodeFunctionData("execute", [await f.token.getAddress(), inner]);
      await expect(other.connect(f.keyC).execute(f.address, outer))
        .to.emit(f.token, "Approval")
        .withArgs(f.address, f.banks[0].address, 3n);
    });
  });

  describe("R24-9 governance takes over a member account on the minimum delay", function () {
    // fails until fixed: R24-9 (authorizeKey/revokeKey on an account and registry.unbindKey are not
    // sensitive selectors: governance gains a member's identity after the minimum delay only)
    it.skip("a governance authorizeKey on a member account waits the sensitive delay", async function () {
      const f = await loadFixture(withAccount);
      const multisig = await (
        await ethers.getContractFactory("ConsortiumMultisig")
      ).deploy([f.others[10].address, f.others[11].address], 1, 3_600, 172_800, f.owner.address, []);
      const selector = f.account.interface.getFunction("authorizeKey").selector;
      expect(await multisig.delayOf(f.address, selector)).to.equal(172_800);
    });
  });

  describe("R24-10 a key without SUBMIT still passes the chain's permissioning", function () {
    // fails until fixed: R24-10 (check ignores the key's roles: an APPROVE-only key, meant for
    // offline signing, may send any transaction and deploy with its account's OPERATOR role)
    it.skip("check refuses an APPROVE-only key's transactions", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.APPROVE)).wait();
      expect((await f.registry.check(f.keyB.address, await f.token.getAddress(), 0, "0x")).reason).to.not.equal(
        Reason.Allowed,
      );
    });
  });

  describe("R24-13 execute drives the account's own contract keys", function () {
    // fails until fixed: R24-13 (execute may target one of the account's own keys: a SUBMIT key
    // makes an OPERATE contract key that obeys the account, e.g. a forwarder the member owns,
    // call authorizeKey, and so grants itself OPERATE)
    it.skip("a SUBMIT key cannot reach OPERATE through the account's own contract key", async function () {
      const f = await loadFixture(withAccount);
      // A forwarder as OPERATE key (ChunksForwarder.exec forwards for anyone; a member-owned
      // forwarder that obeys only the account behaves the same here, as the account is the caller).
      const forwarder = await (await ethers.getContractFactory("ChunksForwarder")).deploy(f.address);
      const forwarderAddress = await forwarder.getAddress();
      await (await f.account.connect(f.keyA).authorizeKey(forwarderAddress, KeyRole.OPERATE)).wait();
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).wait();
      const grant = f.account.interface.encodeFunctionData("authorizeKey", [f.keyB.address, KeyRole.ALL]);
      const viaForwarder = forwarder.interface.encodeFunctionData("exec", [f.address, grant]);
      await expect(f.account.connect(f.keyB).execute(forwarderAddress, viaForwarder)).to.be.revertedWithCustomError(
        f.account,
        "MemberAccountForbiddenCall",
      );
      expect(await f.account.rolesOf(f.keyB.address)).to.equal(KeyRole.SUBMIT);
    });
  });

  describe("checked and holding", function () {
    it("ERC-7201 slots match their namespaces", async function () {
      for (const [name, slot] of [
        ["clearhouse.storage.MemberAccount", "0x63f204c5b3cac1b8381c4441f7ed425fbadd47704cc65170f27dd0fbe723b200"],
        ["clearhouse.storage.MemberKeys", "0x3f91372e966ec8f595a5e97cd5af7afc3b0900f9e2c2fdc39d7369fce13ac600"],
      ]) {
        const inner = BigInt(ethers.id(name)) - 1n;
        const outer = BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [inner])));
        expect(ethers.toBeHex(outer & ~0xffn, 32)).to.equal(slot);
      }
    });

    it("a SUBMIT key cannot reach key binding through a forwarding contract (msg.sender is the forwarder)", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).wait();
      // The account calls the factory, whose new account binds its own first key, never to this account.
      const call = f.kit.factory.interface.encodeFunctionData("createAccount", [
        f.keyC.address,
        KeyRole.ALL,
        ethers.id("x"),
      ]);
      await (await f.account.connect(f.keyB).execute(await f.kit.factory.getAddress(), call)).wait();
      expect(await f.registry.accountOfKey(f.keyC.address)).to.not.equal(f.address);
      expect(await f.account.rolesOf(f.keyC.address)).to.equal(0);
    });

    it("a revoked key's signature and transactions are refused at once", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.ALL)).wait();
      const hash = ethers.id("h");
      const { wrapped } = keySignature(f.keyB, hash, 16);
      expect(await f.account.isValidSignature(hash, wrapped)).to.equal(MAGIC);
      await (await f.account.connect(f.keyA).revokeKey(f.keyB.address)).wait();
      expect(await f.account.isValidSignature(hash, wrapped)).to.equal(INVALID);
      expect((await f.registry.check(f.keyB.address, f.address, 0, "0x")).reason).to.equal(Reason.SenderNotMember);
    });
  });
});
