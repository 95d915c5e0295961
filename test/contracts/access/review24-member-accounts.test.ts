/**
 * Review 24 (attacker review of member accounts, decision 045): each finding's scenario, asserting
 * the behaviour after its fix (or, for R24-4 and R24-10, the documented rule).
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
  describe("R24-1 squatting: only the factory's accounts bind keys", function () {
    it("a member's or a wallet's bindKey is refused, so a predicted account or a next key can't be squatted", async function () {
      const f = await loadFixture(withAccount);
      const salt = ethers.id("nord-bank");
      const predicted = await f.kit.factory.accountAddress(f.keyB.address, KeyRole.ALL, salt);
      for (const key of [predicted, f.keyB.address])
        await expect(f.registry.connect(f.banks[3]).bindKey(key))
          .to.be.revertedWithCustomError(f.registry, "RegistryNotMemberAccount")
          .withArgs(f.banks[3].address);
      await expect(f.kit.factory.createAccount(f.keyB.address, KeyRole.ALL, salt)).not.to.be.reverted;
      await expect(f.account.connect(f.keyA).authorizeKey(f.keyC.address, KeyRole.SUBMIT)).not.to.be.reverted;
    });
  });

  describe("R24-2 permissioning: a customer wallet lends its standing to any address", function () {
    // (was) R24-2 (a wallet calls bindKey(x) and x passes check with the wallet's standing)
    it("check refuses an address a customer wallet bound to itself", async function () {
      const f = await loadFixture(withAccount);
      await (await f.registry.setTier(1, 100n, 1000n, 10_000n)).wait();
      const wallet = f.spare;
      await (await f.registry.connect(f.banks[0]).openWallet(wallet.address, 1)).wait();
      const stranger = ethers.Wallet.createRandom().address;
      expect((await f.registry.check(stranger, await f.token.getAddress(), 0, "0x")).reason).to.equal(
        Reason.SenderNotMember,
      );
      await expect(f.registry.connect(wallet).bindKey(stranger))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMemberAccount")
        .withArgs(wallet.address);
      expect((await f.registry.check(stranger, await f.token.getAddress(), 0, "0x")).reason).to.equal(
        Reason.SenderNotMember,
      );
    });
  });

  describe("R24-3 sanctions: a sanctioned key still signs for its account", function () {
    // (was) R24-3 (isValidSignature ignores the key's sanction)
    it("isValidSignature refuses a sanctioned APPROVE key", async function () {
      const f = await loadFixture(withAccount);
      const hash = ethers.id("governance approval");
      await (await f.registry.addSanction(f.keyA.address, SANCTION)).wait();
      expect((await f.registry.check(f.keyA.address, f.address, 0, "0x")).reason).to.equal(Reason.SenderSanctioned);
      const { wrapped } = keySignature(f.keyA, await f.account.accountDigest(hash), 15);
      expect(await f.account.isValidSignature(hash, wrapped)).to.equal(INVALID);
    });

    // (was) R24-3 (a sanctioned address can be authorized and bound as a key)
    it("authorizeKey refuses a sanctioned address", async function () {
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

    // R24-4, documented (docs/access.md): SUBMIT is every transaction the member sends, on-chain
    // approvals included; APPROVE is offline signatures (ERC-1271).
    it("a SUBMIT key's on-chain approve is the member's (documented rule)", async function () {
      const f = await loadFixture(withMultisig);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).wait();
      const hash = ethers.id("some proposal");
      const call = f.multisig.interface.encodeFunctionData("approve", [hash]);
      await expect(f.account.connect(f.keyB).execute(await f.multisig.getAddress(), call)).not.to.be.reverted;
    });

    // R24-5: a key signs the account's EIP-712 digest of the hash, so its signature of the hash
    // itself does not count for its account
    it("one key's signature does not count twice (as itself and as its account)", async function () {
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
      // the account refuses the key's signature of the bare digest: it does not count at all
      await expect(f.multisig.execute(p, signatures)).to.be.revertedWithCustomError(
        f.multisig,
        "MultisigInvalidSignature",
      );
      // signed for the account (its EIP-712 digest) it counts: a key holder who is also a signer can
      // still sign twice on purpose — governance must not seat both (docs/access.md, residual risk)
      const forAccount = keySignature(f.keyA, await f.account.accountDigest(digest), 15);
      expect(await f.account.isValidSignature(digest, forAccount.wrapped)).to.equal(MAGIC);
    });
  });

  describe("R24-6 governance no longer unbinds behind the account's back", function () {
    it("governance's unbindKey is refused; it revokes through the account, which stays consistent", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.OPERATE)).wait();
      await expect(f.registry.connect(f.owner).unbindKey(f.keyB.address))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotKeyAccount")
        .withArgs(f.owner.address, f.keyB.address, f.address);
      await (await f.account.connect(f.owner).revokeKey(f.keyB.address)).wait();
      const [keys] = await f.account.keys();
      expect(keys).to.deep.equal([f.keyA.address]);
      await expect(f.account.connect(f.keyA).revokeKey(f.keyA.address)).to.be.revertedWithCustomError(
        f.account,
        "MemberAccountLastOperator",
      );
    });
  });

  describe("R24-8 a compromised OPERATE key entrenches itself against a governance revokeKey", function () {
    it("revokeKey alone (the named key) leaves the attacker's fresh OPERATE key in control", async function () {
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

    it("fixed: governance's resetKeys leaves the attacker nothing", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.ALL)).wait();
      await (await f.account.connect(f.keyB).authorizeKey(f.attacker.address, KeyRole.ALL)).wait();
      await (await f.account.connect(f.keyB).revokeKey(f.keyA.address)).wait();
      await (await f.account.connect(f.owner).resetKeys(f.spare.address, KeyRole.ALL)).wait();
      expect(await f.account.rolesOf(f.attacker.address)).to.equal(0);
      expect((await f.registry.check(f.attacker.address, f.address, 0, "0x")).reason).to.equal(Reason.SenderNotMember);
      const [keys] = await f.account.keys();
      expect(keys).to.deep.equal([f.spare.address]);
    });
  });

  describe("R24-2b an EOA member binds keys past MAX_KEYS, none of them listed anywhere", function () {
    it("an EOA member cannot bind keys at all", async function () {
      const f = await loadFixture(withAccount);
      await expect(f.registry.connect(f.banks[1]).bindKey(ethers.Wallet.createRandom().address))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMemberAccount")
        .withArgs(f.banks[1].address);
    });
  });

  describe("R24-7 an account that has keys can itself be bound as a key", function () {
    // (was) R24-7 (bindKey checks the caller is not a key, not that the key has no keys)
    it("bindKey refuses an address that has keys bound to it", async function () {
      const f = await loadFixture(withAccount);
      // Account 2 (not admitted) with its own key; then the admitted account takes it as a key.
      const other = await createAccount(f.kit, f.keyC, KeyRole.ALL, ethers.id("other"));
      const otherAddress = await other.getAddress();
      expect(await f.registry.accountOfKey(f.keyC.address)).to.equal(otherAddress);
      await expect(f.account.connect(f.keyA).authorizeKey(otherAddress, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable")
        .withArgs(otherAddress);
    });
  });

  describe("R24-9 governance takes over a member account on the minimum delay", function () {
    // (was) R24-9 (authorizeKey/revokeKey on an account and registry.unbindKey are not
    // sensitive selectors: governance gains a member's identity after the minimum delay only)
    it("a governance authorizeKey on a member account waits the sensitive delay", async function () {
      const f = await loadFixture(withAccount);
      const multisig = await (
        await ethers.getContractFactory("ConsortiumMultisig")
      ).deploy([f.others[10].address, f.others[11].address], 1, 3_600, 172_800, f.owner.address, []);
      const selector = f.account.interface.getFunction("authorizeKey").selector;
      expect(await multisig.delayOf(f.address, selector)).to.equal(172_800);
    });
  });

  describe("R24-10 a key without SUBMIT still passes the chain's permissioning", function () {
    // R24-10, documented (docs/access.md): the chain's permissioning gives every bound key its
    // account's standing whatever its roles; what it may do as the member is the account's check.
    it("an APPROVE-only key passes check but can't act as the member (documented rule)", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.APPROVE)).wait();
      const token = await f.token.getAddress();
      expect((await f.registry.check(f.keyB.address, token, 0, "0x")).reason).to.equal(Reason.Allowed);
      const data = f.token.interface.encodeFunctionData("approve", [f.banks[0].address, 1n]);
      await expect(f.account.connect(f.keyB).execute(token, data))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
        .withArgs(f.keyB.address, KeyRole.SUBMIT);
    });
  });

  describe("R24-13 execute drives the account's own contract keys", function () {
    // (was) R24-13 (execute may target one of the account's own keys: a SUBMIT key
    // makes an OPERATE contract key that obeys the account, e.g. a forwarder the member owns,
    // call authorizeKey, and so grants itself OPERATE)
    it("a SUBMIT key cannot reach OPERATE through the account's own contract key", async function () {
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
      const { wrapped } = keySignature(f.keyB, await f.account.accountDigest(hash), 16);
      expect(await f.account.isValidSignature(hash, wrapped)).to.equal(MAGIC);
      await (await f.account.connect(f.keyA).revokeKey(f.keyB.address)).wait();
      expect(await f.account.isValidSignature(hash, wrapped)).to.equal(INVALID);
      expect((await f.registry.check(f.keyB.address, f.address, 0, "0x")).reason).to.equal(Reason.SenderNotMember);
    });
  });
});
