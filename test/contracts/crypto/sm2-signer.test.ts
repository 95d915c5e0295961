/**
 * SM2Signer: an ERC-1271 signer holding an SM2 key — what it accepts, what it refuses (without
 * reverting), and its use as an offline signer of a ConsortiumMultisig proposal and as an escrow
 * attestor.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { SM2Signer } from "../../../typechain-types";
import {
  encodeSignature,
  G,
  GX,
  GY,
  N,
  P,
  pointMul,
  publicKeyHex,
  smallPoint,
  sm2Digest,
  sm2Key,
  sm2Sign,
  sm2Za,
  STANDARD,
  type Sm2Key,
} from "./helpers";
import {
  accounts,
  contractEntry,
  pokeDraft,
  signAll,
  SENSITIVE_DELAY,
  THRESHOLD,
  type MultisigFixture,
} from "../governance/helpers";
import { lei, Role } from "../../helpers/fixtures";
import {
  Attest,
  attested,
  create,
  DAY,
  deployAgreement,
  EVIDENCE,
  milestone,
  SIG_DEADLINE,
  sigEntries,
  signAttestation,
  standardTerms,
} from "../payments/helpers";

const MAGIC = "0x1626ba7e";
const INVALID = "0xffffffff";

async function deploySigner(key: Sm2Key = sm2Key()): Promise<{ signer: SM2Signer; key: Sm2Key }> {
  const signer = await (await ethers.getContractFactory("SM2Signer")).deploy(key.px, key.py);
  return { signer, key };
}

/** The SM2Signer's ERC-1271 signature of `hash`: SM2 over SM3(Z_A ‖ hash), as abi.encode(r, s). */
const sm2SignHash = (hash: string, key: Sm2Key): string => encodeSignature(sm2Sign(ethers.getBytes(hash), key));

describe("SM2Signer", function () {
  describe("construction", function () {
    it("binds the key: SM2SignerKeyBound(px, py, Z_A), publicKey() and za()", async function () {
      const factory = await ethers.getContractFactory("SM2Signer");
      const signer = await factory.deploy(STANDARD.px, STANDARD.py);
      await expect(signer.deploymentTransaction())
        .to.emit(signer, "SM2SignerKeyBound")
        .withArgs(STANDARD.px, STANDARD.py, STANDARD.za);
      expect(await signer.publicKey()).to.deep.equal([STANDARD.px, STANDARD.py]);
      expect(await signer.za()).to.equal(STANDARD.za);
      // signedDigest(hash) = SM3(Z_A ‖ hash), as sm-crypto-v2 computes it for the 32-byte message.
      const hash = ethers.keccak256(ethers.toUtf8Bytes("anything"));
      expect(await signer.signedDigest(hash)).to.equal(
        sm2Digest(ethers.getBytes(hash), publicKeyHex(STANDARD.px, STANDARD.py)),
      );
    });

    it("refuses a key off the curve, with a coordinate ≥ p, or ±G: SM2SignerInvalidKey(px, py)", async function () {
      const factory = await ethers.getContractFactory("SM2Signer");
      const twoG = pointMul(2n, G)!;
      const bad: [bigint, bigint][] = [
        [STANDARD.px, STANDARD.py + 1n],
        [0n, 0n],
        [smallPoint().x + P, smallPoint().y],
        [GX, GY],
        [GX, P - GY],
      ];
      for (const [x, y] of bad) {
        await expect(factory.deploy(x, y)).to.be.revertedWithCustomError(factory, "SM2SignerInvalidKey").withArgs(x, y);
      }
      // Any other curve point is a key.
      await expect(factory.deploy(twoG.x, twoG.y)).not.to.be.reverted;
    });
  });

  describe("isValidSignature", function () {
    it("returns the magic value for the key's SM2 signature of the hash (random keys and hashes)", async function () {
      for (let i = 0; i < 4; i++) {
        const { signer, key } = await deploySigner();
        const hash = ethers.hexlify(ethers.randomBytes(32));
        expect(await signer.za()).to.equal(sm2Za(key.publicKey));
        expect(await signer.signedDigest(hash)).to.equal(sm2Digest(ethers.getBytes(hash), key.publicKey));
        expect(await signer.isValidSignature(hash, sm2SignHash(hash, key))).to.equal(MAGIC);
      }
    });

    it("accepts the docs/crypto.md vector (the standard's key and nonce over a 32-byte hash)", async function () {
      const signer = await (await ethers.getContractFactory("SM2Signer")).deploy(STANDARD.px, STANDARD.py);
      const hash = ethers.keccak256(ethers.toUtf8Bytes("Clearhouse SM2Signer test vector"));
      expect(hash).to.equal("0xacf8f8612f8eb517268708eb7a16c6126e29b2b7a09fefe9c3629c5a8371478c");
      expect(await signer.signedDigest(hash)).to.equal(
        "0x9a6a92283217f052d8da124bb54cb735b49ffbf1d783968357b55c4592e57c38",
      );
      const signature =
        "0x9f568e99c0a507eb3ade447243c4b5ebf5fe2acfe58ad292a7196b12c0fa16ab" +
        "d6e850f05084876c02f610cb1113c54cf83068d5b39a236e2936fd3f840563fb";
      expect(await signer.isValidSignature(hash, signature)).to.equal(MAGIC);
      // The same r ‖ s over the standard's own digest construction for the bytes, not the hash: refused.
      expect(await signer.isValidSignature(ethers.keccak256(hash), signature)).to.equal(INVALID);
    });

    it("returns 0xffffffff for another hash, another key's signature, and every tampered byte", async function () {
      const { signer, key } = await loadFixture(deploySigner);
      const hash = ethers.hexlify(ethers.randomBytes(32));
      const signature = sm2SignHash(hash, key);
      expect(await signer.isValidSignature(ethers.hexlify(ethers.randomBytes(32)), signature)).to.equal(INVALID);
      expect(await signer.isValidSignature(hash, sm2SignHash(hash, sm2Key()))).to.equal(INVALID);
      const bytes = ethers.getBytes(signature);
      for (const at of [0, 1, 17, 31, 32, 33, 50, 63]) {
        const tampered = Uint8Array.from(bytes);
        tampered[at] ^= 0x01;
        expect(await signer.isValidSignature(hash, tampered), `byte ${at}`).to.equal(INVALID);
      }
      // A hash with one bit changed.
      const hashBytes = ethers.getBytes(hash);
      hashBytes[31] ^= 0x80;
      expect(await signer.isValidSignature(hashBytes, signature)).to.equal(INVALID);
    });

    it("returns 0xffffffff (no revert) for a wrong length, r or s out of range, and t = 0", async function () {
      const { signer, key } = await loadFixture(deploySigner);
      const hash = ethers.hexlify(ethers.randomBytes(32));
      const signature = sm2SignHash(hash, key);
      const { r, s } = sm2Sign(ethers.getBytes(hash), key);
      const wrongLengths = [
        "0x",
        ethers.dataSlice(signature, 0, 63),
        ethers.concat([signature, "0x00"]),
        ethers.concat([signature, signature]),
        ethers.hexlify(ethers.randomBytes(65)), // an ECDSA-shaped blob
      ];
      for (const blob of wrongLengths) expect(await signer.isValidSignature(hash, blob)).to.equal(INVALID);
      for (const [rr, ss] of [
        [0n, s],
        [r, 0n],
        [N, s],
        [r, N],
        [ethers.MaxUint256, s],
        [r, ethers.MaxUint256],
        [r, N - r],
      ]) {
        expect(await signer.isValidSignature(hash, encodeSignature({ r: rr, s: ss }))).to.equal(INVALID);
      }
    });

    it("costs at most 400,000 gas as a call (one two-block SM3 and one SM2 verification)", async function () {
      const { signer, key } = await loadFixture(deploySigner);
      const hash = ethers.hexlify(ethers.randomBytes(32));
      const gas = await signer.isValidSignature.estimateGas(hash, sm2SignHash(hash, key));
      expect(gas).to.be.lessThan(400_000n);
    });
  });

  describe("in use", function () {
    /** A 3-of-5 multisig whose fifth signer is an SM2Signer. */
    async function sm2Multisig(): Promise<MultisigFixture & { official: SM2Signer; key: Sm2Key }> {
      const named = await accounts();
      const { signer: official, key } = await deploySigner();
      const owners = [...named.signers.slice(0, 4).map((s) => s.address), await official.getAddress()];
      const multisig = await (
        await ethers.getContractFactory("ConsortiumMultisig")
      ).deploy(owners, THRESHOLD, 0, SENSITIVE_DELAY, named.guardian.address, []);
      const target = await (await ethers.getContractFactory("ReentrantTarget")).deploy();
      const { chainId } = await ethers.provider.getNetwork();
      return { ...named, multisig, address: await multisig.getAddress(), chainId, target, official, key };
    }

    it("an SM2-keyed official signs a multisig proposal offline (ERC-1271 entry); a wrong signature is refused", async function () {
      const f = await loadFixture(sm2Multisig);
      const { multisig, signers, official, key } = f;
      const p = await pokeDraft(f);
      const hash = await multisig.proposalHash(p);
      const entry = contractEntry(await official.getAddress(), sm2SignHash(hash, key));
      const two = await signAll(multisig, signers.slice(0, 2), p);
      // Signed over another proposal's hash: refused at the entry's offset.
      const other = contractEntry(await official.getAddress(), sm2SignHash(ethers.ZeroHash, key));
      await expect(multisig.execute(p, ethers.concat([two, other])))
        .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
        .withArgs(130);
      await expect(multisig.execute(p, ethers.concat([two, entry])))
        .to.emit(multisig, "Executed")
        .withArgs(hash, 0n, 0n);
    });

    it("an SM2-keyed inspector attests an escrow milestone beside an EOA attestor", async function () {
      const f = await loadFixture(deployAgreement);
      const { signer: inspector, key } = await deploySigner();
      const inspectorAddress = await inspector.getAddress();
      await f.registry.admitMember(inspectorAddress, Role.CORPORATE, lei("SM2INSPECTOR"), "SM2 inspector", 1n, 1n);
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        attestors: [inspectorAddress, f.attestors[0].address],
        milestones: [milestone(f.payees[1].address, 42n, f.t0 + DAY, [attested(Attest.Accepted, 0b11, 2)])],
      });
      const digest = await f.escrow.attestationDigest(id, 0, Attest.Accepted, EVIDENCE, SIG_DEADLINE);
      const eoa = await signAttestation(f, f.attestors[0], {
        agreement: id,
        milestone: 0,
        kind: Attest.Accepted,
        evidenceHash: EVIDENCE,
        deadline: SIG_DEADLINE,
      });
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(
            id,
            0,
            Attest.Accepted,
            EVIDENCE,
            sigEntries([inspectorAddress, f.attestors[0].address], [sm2SignHash(digest, key), eoa]),
          ),
      )
        .to.emit(f.escrow, "Attested")
        .withArgs(id, 0, inspectorAddress, Attest.Accepted, EVIDENCE);
      await expect(f.escrow.connect(f.keeper).release(id, 0)).to.changeTokenBalance(f.token, f.payees[1], 42n);
    });
  });
});
