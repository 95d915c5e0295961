/** MemberAccount and its factory: keys with roles, rotation, revocation and ERC-1271. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployToken, Reason } from "../../helpers/fixtures";
import { encodeSignature, sm2Key, sm2Sign } from "../crypto/helpers";
import { admitAccountBank, createAccount, deployAccountKit, KeyRole } from "./accounts";

const MAGIC = "0x1626ba7e";
const INVALID = "0xffffffff";

async function withAccount() {
  const f = await deployToken();
  const kit = await deployAccountKit(f.registry, f.owner);
  const [keyA, keyB, keyC] = f.others.slice(8, 11);
  const account = await createAccount(kit, keyA);
  await admitAccountBank(f.registry, await account.getAddress(), "Account Bank");
  return { ...f, kit, account, address: await account.getAddress(), keyA, keyB, keyC };
}

/** key ‖ its 65-byte ECDSA signature of the raw 32-byte `hash` (Hardhat signer `index`'s key). */
function keySignature(index: number, address: string, hash: string): string {
  const path = `m/44'/60'/0'/0/${index}`;
  const wallet = ethers.HDNodeWallet.fromPhrase(
    "test test test test test test test test test test test junk",
    undefined,
    path,
  );
  return ethers.concat([address, wallet.signingKey.sign(hash).serialized]);
}

describe("MemberAccount", function () {
  describe("creation", function () {
    it("deploys at the predicted address, binds the first key and emits the events", async function () {
      const f = await loadFixture(deployToken);
      const kit = await deployAccountKit(f.registry, f.owner);
      const key = f.others[8];
      const salt = ethers.id("bank-x");
      const predicted = await kit.factory.accountAddress(key.address, KeyRole.ALL, salt);
      const account = await ethers.getContractAt("MemberAccount", predicted);
      await expect(kit.factory.createAccount(key.address, KeyRole.ALL, salt))
        .to.emit(kit.factory, "MemberAccountCreated")
        .withArgs(predicted, key.address, KeyRole.ALL, salt)
        .and.to.emit(account, "KeyAuthorized")
        .withArgs(key.address, KeyRole.ALL, await kit.factory.getAddress())
        .and.to.emit(f.registry, "KeyBound")
        .withArgs(predicted, key.address);
      expect(await account.rolesOf(key.address)).to.equal(KeyRole.ALL);
      expect(await account.registry()).to.equal(await f.registry.getAddress());
      const [keys, roles] = await account.keys();
      expect(keys).to.deep.equal([key.address]);
      expect(roles).to.deep.equal([BigInt(KeyRole.ALL)]);
    });

    it("refuses a first key without OPERATE, a zero registry, a second initialize and a zero factory argument", async function () {
      const f = await loadFixture(deployToken);
      const kit = await deployAccountKit(f.registry, f.owner);
      const account = await ethers.getContractAt("MemberAccount", await kit.factory.getAddress());
      await expect(kit.factory.createAccount(f.others[8].address, KeyRole.SUBMIT, ethers.ZeroHash))
        .to.be.revertedWithCustomError(account, "MemberAccountInvalidRoles")
        .withArgs(KeyRole.SUBMIT);
      const a = await createAccount(kit, f.others[8]);
      await expect(a.initialize(await f.registry.getAddress(), f.others[9].address, 7)).to.be.revertedWithCustomError(
        a,
        "InvalidInitialization",
      );
      const impl = await (await ethers.getContractFactory("MemberAccount")).deploy();
      await expect(impl.initialize(ethers.ZeroAddress, f.others[9].address, 7)).to.be.revertedWithCustomError(
        impl,
        "InvalidInitialization",
      );
      const Factory = await ethers.getContractFactory("MemberAccountFactory");
      await expect(Factory.deploy(ethers.ZeroAddress, await f.registry.getAddress())).to.be.revertedWithCustomError(
        kit.factory,
        "MemberAccountFactoryZeroAddress",
      );
    });

    it("refuses a zero registry at initialization", async function () {
      const f = await loadFixture(deployToken);
      const impl = await (await ethers.getContractFactory("MemberAccount")).deploy();
      const beacon = await (
        await ethers.getContractFactory("UpgradeableBeacon")
      ).deploy(await impl.getAddress(), f.owner.address);
      const Proxy = await ethers.getContractFactory("BeaconProxy");
      const init = impl.interface.encodeFunctionData("initialize", [ethers.ZeroAddress, f.others[8].address, 7]);
      await expect(Proxy.deploy(await beacon.getAddress(), init)).to.be.revertedWithCustomError(
        impl,
        "MemberAccountZeroRegistry",
      );
    });
  });

  describe("execute", function () {
    it("calls on as the member with a SUBMIT key and logs which key acted", async function () {
      const f = await loadFixture(withAccount);
      const data = f.token.interface.encodeFunctionData("approve", [f.banks[0].address, 5n]);
      await expect(f.account.connect(f.keyA).execute(await f.token.getAddress(), data))
        .to.emit(f.account, "Executed")
        .withArgs(f.keyA.address, await f.token.getAddress(), data.slice(0, 10))
        .and.to.emit(f.token, "Approval")
        .withArgs(f.address, f.banks[0].address, 5n);
    });

    it("refuses a stranger, a key without SUBMIT, a call to itself or to the registry's key binding", async function () {
      const f = await loadFixture(withAccount);
      const token = await f.token.getAddress();
      const data = f.token.interface.encodeFunctionData("approve", [f.banks[0].address, 5n]);
      await expect(f.account.connect(f.keyB).execute(token, data))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
        .withArgs(f.keyB.address, KeyRole.SUBMIT);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.APPROVE)).wait();
      await expect(f.account.connect(f.keyB).execute(token, data))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
        .withArgs(f.keyB.address, KeyRole.SUBMIT);
      const self = f.account.interface.encodeFunctionData("authorizeKey", [f.keyC.address, KeyRole.ALL]);
      await expect(f.account.connect(f.keyA).execute(f.address, self))
        .to.be.revertedWithCustomError(f.account, "MemberAccountForbiddenCall")
        .withArgs(f.address, self.slice(0, 10));
      const registry = await f.registry.getAddress();
      for (const call of [
        f.registry.interface.encodeFunctionData("bindKey", [f.keyC.address]),
        f.registry.interface.encodeFunctionData("unbindKey", [f.keyB.address]),
      ]) {
        await expect(f.account.connect(f.keyA).execute(registry, call))
          .to.be.revertedWithCustomError(f.account, "MemberAccountForbiddenCall")
          .withArgs(registry, call.slice(0, 10));
      }
    });

    it("passes the target's revert on unchanged", async function () {
      const f = await loadFixture(withAccount);
      const data = f.token.interface.encodeFunctionData("transfer", [f.banks[0].address, 1n]);
      await expect(f.account.connect(f.keyA).execute(await f.token.getAddress(), data)).to.be.revertedWithCustomError(
        f.token,
        "ERC20InsufficientBalance",
      );
    });
  });

  describe("keys", function () {
    it("authorizes, re-roles and revokes; revocation unbinds in the registry at once", async function () {
      const f = await loadFixture(withAccount);
      await expect(f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT))
        .to.emit(f.account, "KeyAuthorized")
        .withArgs(f.keyB.address, KeyRole.SUBMIT, f.keyA.address)
        .and.to.emit(f.registry, "KeyBound")
        .withArgs(f.address, f.keyB.address);
      await expect(f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.ALL))
        .to.emit(f.account, "KeyAuthorized")
        .withArgs(f.keyB.address, KeyRole.ALL, f.keyA.address)
        .and.not.to.emit(f.registry, "KeyBound");
      const token = await f.token.getAddress();
      await expect(f.account.connect(f.keyB).revokeKey(f.keyA.address))
        .to.emit(f.account, "KeyRevoked")
        .withArgs(f.keyA.address, f.keyB.address)
        .and.to.emit(f.registry, "KeyUnbound")
        .withArgs(f.address, f.keyA.address, f.address);
      expect(await f.account.rolesOf(f.keyA.address)).to.equal(0);
      expect((await f.registry.check(f.keyA.address, token, 0, "0x"))[1]).to.equal(Reason.SenderNotMember);
      expect((await f.registry.check(f.keyB.address, token, 0, "0x"))[1]).to.equal(Reason.Allowed);
      const data = f.token.interface.encodeFunctionData("approve", [f.banks[0].address, 1n]);
      await expect(f.account.connect(f.keyA).execute(token, data))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
        .withArgs(f.keyA.address, KeyRole.SUBMIT);
    });

    it("lets governance add and revoke keys, the last OPERATE key included", async function () {
      const f = await loadFixture(withAccount);
      await expect(f.account.connect(f.owner).authorizeKey(f.keyB.address, KeyRole.SUBMIT))
        .to.emit(f.account, "KeyAuthorized")
        .withArgs(f.keyB.address, KeyRole.SUBMIT, f.owner.address);
      await expect(f.account.connect(f.owner).revokeKey(f.keyA.address))
        .to.emit(f.account, "KeyRevoked")
        .withArgs(f.keyA.address, f.owner.address);
      await expect(f.account.connect(f.owner).authorizeKey(f.keyC.address, KeyRole.OPERATE)).to.emit(
        f.account,
        "KeyAuthorized",
      );
    });

    it("resetKeys: governance replaces every key at once (a stolen OPERATE key keeps nothing)", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.ALL)).wait();
      // the thief (keyB) adds a key of its own while governance's revocation waits
      await (await f.account.connect(f.keyB).authorizeKey(f.keyC.address, KeyRole.ALL)).wait();
      const fresh = f.others[11];
      await expect(f.account.connect(f.owner).resetKeys(fresh.address, KeyRole.ALL))
        .to.emit(f.account, "KeyRevoked")
        .withArgs(f.keyC.address, f.owner.address)
        .and.to.emit(f.account, "KeyAuthorized")
        .withArgs(fresh.address, KeyRole.ALL, f.owner.address);
      const [keys] = await f.account.keys();
      expect(keys).to.deep.equal([fresh.address]);
      for (const old of [f.keyA, f.keyB, f.keyC])
        expect(await f.registry.accountOfKey(old.address)).to.equal(ethers.ZeroAddress);
      await expect(f.account.connect(f.keyB).resetKeys(f.keyB.address, KeyRole.ALL))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
        .withArgs(f.keyB.address, KeyRole.OPERATE);
      await expect(f.account.connect(fresh).resetKeys(fresh.address, KeyRole.ALL))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
        .withArgs(fresh.address, KeyRole.OPERATE);
      await expect(f.account.connect(f.owner).resetKeys(f.keyA.address, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.account, "MemberAccountInvalidRoles")
        .withArgs(KeyRole.SUBMIT);
    });

    it("execute refuses a call to one of the account's own keys", async function () {
      const f = await loadFixture(withAccount);
      const forwarder = await (await ethers.getContractFactory("ChunksForwarder")).deploy(f.address);
      const key = await forwarder.getAddress();
      await (await f.account.connect(f.keyA).authorizeKey(key, KeyRole.OPERATE)).wait();
      const data = forwarder.interface.encodeFunctionData("exec", [f.address, "0x"]);
      await expect(f.account.connect(f.keyA).execute(key, data))
        .to.be.revertedWithCustomError(f.account, "MemberAccountForbiddenCall")
        .withArgs(key, data.slice(0, 10));
    });

    it("refuses: a non-operator, bad roles, bad keys, an unknown key, the 17th key, the last operator", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.SUBMIT)).wait();
      await expect(f.account.connect(f.keyB).authorizeKey(f.keyC.address, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
        .withArgs(f.keyB.address, KeyRole.OPERATE);
      await expect(f.account.connect(f.keyB).revokeKey(f.keyA.address))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
        .withArgs(f.keyB.address, KeyRole.OPERATE);
      for (const roles of [0, 8, 255]) {
        await expect(f.account.connect(f.keyA).authorizeKey(f.keyC.address, roles))
          .to.be.revertedWithCustomError(f.account, "MemberAccountInvalidRoles")
          .withArgs(roles);
      }
      for (const key of [ethers.ZeroAddress, f.address, await f.registry.getAddress()]) {
        await expect(f.account.connect(f.keyA).authorizeKey(key, KeyRole.SUBMIT))
          .to.be.revertedWithCustomError(f.account, "MemberAccountInvalidKey")
          .withArgs(key);
      }
      await expect(f.account.connect(f.keyA).revokeKey(f.keyC.address))
        .to.be.revertedWithCustomError(f.account, "MemberAccountUnknownKey")
        .withArgs(f.keyC.address);
      await expect(f.account.connect(f.keyA).revokeKey(f.keyA.address))
        .to.be.revertedWithCustomError(f.account, "MemberAccountLastOperator")
        .withArgs(f.keyA.address);
      await expect(f.account.connect(f.keyA).authorizeKey(f.keyA.address, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.account, "MemberAccountLastOperator")
        .withArgs(f.keyA.address);
      // a key bound to another account is refused by the registry
      const other = await createAccount(f.kit, f.keyC);
      await expect(f.account.connect(f.keyA).authorizeKey(f.keyC.address, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyBound")
        .withArgs(f.keyC.address, await other.getAddress());
      for (let i = 2; i < 16; i++) {
        await (
          await f.account.connect(f.keyA).authorizeKey(ethers.Wallet.createRandom().address, KeyRole.SUBMIT)
        ).wait();
      }
      await expect(f.account.connect(f.keyA).authorizeKey(ethers.Wallet.createRandom().address, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.account, "MemberAccountTooManyKeys")
        .withArgs(16);
      expect((await f.account.keys())[0].length).to.equal(16);
    });
  });

  describe("isValidSignature", function () {
    const hash = ethers.id("proposal 7");

    it("accepts an APPROVE key's signature while it is authorized, and nothing else", async function () {
      const f = await loadFixture(withAccount);
      await (await f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.APPROVE)).wait();
      await (await f.account.connect(f.keyA).authorizeKey(f.keyC.address, KeyRole.SUBMIT)).wait();
      // Hardhat signers 9, 10, 11 are keys A, B, C (f.others starts at signer 1)
      const digest = await f.account.accountDigest(hash);
      const raw = (signer: typeof f.keyB) => keySignature(f.others.indexOf(signer) + 1, signer.address, digest);
      const byB = ethers.concat([f.keyB.address, await f.keyB.signMessage(ethers.getBytes(hash))]);
      expect(await f.account.isValidSignature(hash, raw(f.keyB))).to.equal(MAGIC);
      expect(await f.account.isValidSignature(hash, byB)).to.equal(INVALID); // signed another message
      expect(await f.account.isValidSignature(ethers.id("other"), raw(f.keyB))).to.equal(INVALID);
      // the key's signature of the bare hash (not tied to this account) is refused (review 24, R24-5)
      expect(
        await f.account.isValidSignature(hash, keySignature(f.others.indexOf(f.keyB) + 1, f.keyB.address, hash)),
      ).to.equal(INVALID);
      expect(await f.account.isValidSignature(hash, raw(f.keyC))).to.equal(INVALID); // no APPROVE
      expect(await f.account.isValidSignature(hash, raw(f.keyA))).to.equal(MAGIC); // ALL includes APPROVE
      expect(await f.account.isValidSignature(hash, "0x1234")).to.equal(INVALID);
      expect(await f.account.isValidSignature(hash, f.keyB.address)).to.equal(INVALID);
      // a sanctioned key signs for nobody (review 24, R24-3)
      await (await f.registry.addSanction(f.keyB.address, 5)).wait();
      expect(await f.account.isValidSignature(hash, raw(f.keyB))).to.equal(INVALID);
      await (await f.registry.removeSanction(f.keyB.address, 5)).wait();
      expect(await f.account.isValidSignature(hash, raw(f.keyB))).to.equal(MAGIC);
      await (await f.account.connect(f.keyA).revokeKey(f.keyB.address)).wait();
      expect(await f.account.isValidSignature(hash, raw(f.keyB))).to.equal(INVALID);
    });

    it("matches the documented account-digest vector (docs/access.md)", async function () {
      const types = { AccountSignature: [{ name: "hash", type: "bytes32" }] };
      const domain = {
        name: "Clearhouse MemberAccount",
        version: "1",
        chainId: 31337,
        verifyingContract: "0x1111111111111111111111111111111111111111",
      };
      const hash = ethers.id("proposal 7");
      expect(hash).to.equal("0x1b69bbae5fa494f6cd1b577c85c2943e3846bbb16e1137f5c7d4d67a88ab17e5");
      expect(ethers.id("AccountSignature(bytes32 hash)")).to.equal(
        "0xc1d32f0561b88d4070ac4a02580331db5157594f9a18e4e88173cb2d47f43464",
      );
      expect(ethers.TypedDataEncoder.hashDomain(domain)).to.equal(
        "0xae1852366b5a17ddea01b46a8fed3141778b173b6b57cd825719d32b9ee050ba",
      );
      expect(ethers.TypedDataEncoder.hash(domain, types, { hash })).to.equal(
        "0xf619fa7c6d465c917757658b8450f0902f95f7efd974346b59843b59923ed31d",
      );
      const f = await loadFixture(withAccount);
      expect(await f.account.ACCOUNT_SIGNATURE_TYPEHASH()).to.equal(ethers.id("AccountSignature(bytes32 hash)"));
    });

    it("takes an SM2 official's SM2Signer as a key", async function () {
      const f = await loadFixture(withAccount);
      const official = sm2Key();
      const signer = await (await ethers.getContractFactory("SM2Signer")).deploy(official.px, official.py);
      const signerAddress = await signer.getAddress();
      await (await f.account.connect(f.keyA).authorizeKey(signerAddress, KeyRole.APPROVE)).wait();
      const digest = await f.account.accountDigest(hash);
      const sm2 = encodeSignature(sm2Sign(ethers.getBytes(digest), official));
      expect(await f.account.isValidSignature(hash, ethers.concat([signerAddress, sm2]))).to.equal(MAGIC);
      const other = encodeSignature(sm2Sign(ethers.getBytes(hash), official)); // the bare hash
      expect(await f.account.accountDigest(hash)).to.equal(
        ethers.TypedDataEncoder.hash(
          { name: "Clearhouse MemberAccount", version: "1", chainId: 31337, verifyingContract: f.address },
          { AccountSignature: [{ name: "hash", type: "bytes32" }] },
          { hash },
        ),
      );
      expect(await f.account.isValidSignature(hash, ethers.concat([signerAddress, other]))).to.equal(INVALID);
    });
  });
});
