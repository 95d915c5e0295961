/** ConditionalEscrow: attestations signed offline (EIP-712), ERC-1271 attestors, and replay protection. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { MockERC1271Signer } from "../../../typechain-types";
import {
  Attest,
  ATTESTATION_TYPES,
  attestationDomain,
  attested,
  create,
  DAY,
  deployAgreement,
  EVIDENCE,
  M0,
  milestone,
  signAttestation,
  standardTerms,
  type AgreementFixture,
  type AttestationMessage,
} from "./helpers";

const msg = (agreement: bigint, milestone = 0, kind: number = Attest.Delivered, evidenceHash = EVIDENCE) =>
  ({ agreement, milestone, kind, evidenceHash }) satisfies AttestationMessage;

/** Signatures of the first `k` attestors for `m`. */
async function signed(f: AgreementFixture, m: AttestationMessage, k = 2): Promise<[string[], string[]]> {
  const signers = f.attestors.slice(0, k);
  return [signers.map((s) => s.address), await Promise.all(signers.map((s) => signAttestation(f, s, m)))];
}

describe("ConditionalEscrow — signed attestations", function () {
  it("attestationDigest is the EIP-712 hash of Attestation(agreement, milestone, kind, evidenceHash)", async function () {
    const f = await loadFixture(deployAgreement);
    const m = msg(f.id, 1, Attest.InvoiceApproved);
    const expected = ethers.TypedDataEncoder.hash(await attestationDomain(f), ATTESTATION_TYPES, m);
    expect(await f.escrow.attestationDigest(f.id, 1, Attest.InvoiceApproved, EVIDENCE)).to.equal(expected);
    const [, [sig]] = await signed(f, m, 1);
    expect(ethers.recoverAddress(expected, sig)).to.equal(f.attestors[0].address);
  });

  it("anyone (a member) submits k of n signatures: Attested per signer, then the milestone releases", async function () {
    const f = await loadFixture(deployAgreement);
    const m = msg(f.id);
    const signers = [f.attestors[2], f.attestors[0]];
    const sigs = await Promise.all(signers.map((s) => signAttestation(f, s, m)));
    const tx = f.escrow.connect(f.keeper).submitAttestations(
      f.id,
      0,
      Attest.Delivered,
      EVIDENCE,
      signers.map((s) => s.address),
      sigs,
    );
    for (const s of signers) {
      await expect(tx).to.emit(f.escrow, "Attested").withArgs(f.id, 0, s.address, Attest.Delivered, EVIDENCE);
    }
    expect((await f.escrow.agreementOf(f.id)).milestones[0].attestedBy).to.deep.equal([0b101n, 0n, 0n]);
    await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], M0);
  });

  it("one signature below the threshold is recorded but does not release", async function () {
    const f = await loadFixture(deployAgreement);
    const [signers, sigs] = await signed(f, msg(f.id), 1);
    await f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, signers, sigs);
    expect(await f.escrow.conditionHolds(f.id, 0)).to.equal(false);
    await expect(f.escrow.connect(f.keeper).release(f.id, 0))
      .to.be.revertedWithCustomError(f.escrow, "EscrowConditionNotMet")
      .withArgs(f.id, 0);
  });

  it("mixes with on-chain attestations, each attestor counted once (resubmitting emits nothing)", async function () {
    const f = await loadFixture(deployAgreement);
    await f.escrow.connect(f.attestors[0]).attest(f.id, 0, Attest.Delivered, EVIDENCE);
    const [signers, sigs] = await signed(f, msg(f.id), 1);
    await expect(
      f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, signers, sigs),
    ).not.to.emit(f.escrow, "Attested");
    expect(await f.escrow.conditionHolds(f.id, 0)).to.equal(false);
    const s1 = await signAttestation(f, f.attestors[1], msg(f.id));
    await f.escrow
      .connect(f.keeper)
      .submitAttestations(
        f.id,
        0,
        Attest.Delivered,
        EVIDENCE,
        [f.attestors[1].address, f.attestors[1].address],
        [s1, s1],
      );
    expect(await f.escrow.conditionHolds(f.id, 0)).to.equal(true);
  });

  describe("replay", function () {
    async function refused(
      f: AgreementFixture,
      id: bigint,
      index: number,
      kind: number,
      sig: string,
      evidence = EVIDENCE,
    ) {
      await expect(
        f.escrow.connect(f.keeper).submitAttestations(id, index, kind, evidence, [f.attestors[0].address], [sig]),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
        .withArgs(id, f.attestors[0].address);
    }

    it("a signature for agreement 1 is refused for agreement 2 (same attestors, same milestone)", async function () {
      const f = await loadFixture(deployAgreement);
      const id2 = await create(f, standardTerms(f, await time.latest()));
      const sig = await signAttestation(f, f.attestors[0], msg(f.id));
      await refused(f, id2, 0, Attest.Delivered, sig);
      // …and it still works where it belongs.
      await f.escrow
        .connect(f.keeper)
        .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, [f.attestors[0].address], [sig]);
    });

    it("a signature for milestone 0 is refused for milestone 1", async function () {
      const f = await loadFixture(deployAgreement);
      const sig = await signAttestation(f, f.attestors[0], msg(f.id, 0, Attest.Accepted));
      await refused(f, f.id, 1, Attest.Accepted, sig);
    });

    it("a signature of one kind is refused as another kind, and for other evidence", async function () {
      const f = await loadFixture(deployAgreement);
      const sig = await signAttestation(f, f.attestors[0], msg(f.id, 2, Attest.Accepted));
      await refused(f, f.id, 2, Attest.InvoiceApproved, sig);
      await refused(f, f.id, 2, Attest.Delivered, sig);
      await refused(f, f.id, 2, Attest.Accepted, sig, ethers.id("another invoice"));
    });

    it("a signature over another chain's domain (chainId 1) or another escrow's does not verify", async function () {
      const f = await loadFixture(deployAgreement);
      const m = msg(f.id);
      const otherChain = await signAttestation(f, f.attestors[0], m, { chainId: 1n });
      const otherEscrow = await signAttestation(f, f.attestors[0], m, { verifyingContract: f.tokenAddress });
      const digest = await f.escrow.attestationDigest(f.id, 0, Attest.Delivered, EVIDENCE);
      const foreign = ethers.TypedDataEncoder.hash(await attestationDomain(f, { chainId: 1n }), ATTESTATION_TYPES, m);
      expect(foreign).to.not.equal(digest);
      await refused(f, f.id, 0, Attest.Delivered, otherChain);
      await refused(f, f.id, 0, Attest.Delivered, otherEscrow);
    });
  });

  describe("refusals", function () {
    it("a non-attestor's signature is refused with EscrowNotAttestor, even though it is valid", async function () {
      const f = await loadFixture(deployAgreement);
      const sig = await signAttestation(f, f.stranger, msg(f.id));
      await expect(
        f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, [f.stranger.address], [sig]),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowNotAttestor")
        .withArgs(f.id, f.stranger.address);
    });

    it("a signature by someone else in an attestor's name, or garbage, is refused (EscrowInvalidSignature)", async function () {
      const f = await loadFixture(deployAgreement);
      const forged = await signAttestation(f, f.stranger, msg(f.id));
      for (const sig of [forged, "0x", "0x1234", ethers.hexlify(new Uint8Array(65))]) {
        await expect(
          f.escrow
            .connect(f.keeper)
            .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, [f.attestors[1].address], [sig]),
        )
          .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
          .withArgs(f.id, f.attestors[1].address);
      }
    });

    it("one bad signature refuses the whole batch: the good one is not recorded", async function () {
      const f = await loadFixture(deployAgreement);
      const good = await signAttestation(f, f.attestors[0], msg(f.id));
      const bad = await signAttestation(f, f.attestors[1], msg(f.id, 1));
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(
            f.id,
            0,
            Attest.Delivered,
            EVIDENCE,
            [f.attestors[0].address, f.attestors[1].address],
            [good, bad],
          ),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
        .withArgs(f.id, f.attestors[1].address);
      expect((await f.escrow.agreementOf(f.id)).milestones[0].attestedBy[0]).to.equal(0n);
    });

    it('signers and signatures must pair up and not be empty (EscrowInvalidTerms("signatures"))', async function () {
      const f = await loadFixture(deployAgreement);
      const [signers, sigs] = await signed(f, msg(f.id), 2);
      for (const [a, s] of [
        [signers, sigs.slice(1)],
        [signers.slice(1), sigs],
        [[], []],
      ]) {
        await expect(f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, a, s))
          .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidTerms")
          .withArgs("signatures");
      }
    });

    it("the submitter must be a member (RegistryNotMember), valid signatures or not", async function () {
      const f = await loadFixture(deployAgreement);
      const [signers, sigs] = await signed(f, msg(f.id), 2);
      await expect(f.escrow.connect(f.outsider).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, signers, sigs))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
        .withArgs(f.outsider.address);
    });
  });

  describe("ERC-1271 attestor", function () {
    async function walletFixture() {
      const f = await deployAgreement();
      // A one-key contract wallet whose key is the stranger (signer 11).
      const wallet = (await (
        await ethers.getContractFactory("MockERC1271Signer")
      ).deploy(f.stranger.address)) as unknown as MockERC1271Signer;
      const walletAddress = await wallet.getAddress();
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        attestors: [walletAddress, f.attestors[0].address],
        threshold: 2,
        milestones: [milestone(f.payees[1].address, 42n, f.t0 + DAY, [attested(Attest.Accepted)])],
      });
      const sigs = [
        await signAttestation(f, f.stranger, msg(id, 0, Attest.Accepted)),
        await signAttestation(f, f.attestors[0], msg(id, 0, Attest.Accepted)),
      ];
      return { ...f, wallet, walletAddress, id, sigs };
    }

    it("accepts a contract wallet's signature (isValidSignature) alongside an EOA's", async function () {
      const f = await loadFixture(walletFixture);
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(f.id, 0, Attest.Accepted, EVIDENCE, [f.walletAddress, f.attestors[0].address], f.sigs),
      )
        .to.emit(f.escrow, "Attested")
        .withArgs(f.id, 0, f.walletAddress, Attest.Accepted, EVIDENCE);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[1], 42n);
    });

    it("refuses the wallet's signature when the wallet says no (EscrowInvalidSignature)", async function () {
      const f = await loadFixture(walletFixture);
      await f.wallet.connect(f.stranger).setAccepting(false);
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(f.id, 0, Attest.Accepted, EVIDENCE, [f.walletAddress], [f.sigs[0]]),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
        .withArgs(f.id, f.walletAddress);
    });

    it("a signature for another milestone of the same wallet is refused", async function () {
      const f = await loadFixture(walletFixture);
      const other = await signAttestation(f, f.stranger, msg(f.id, 0, Attest.Delivered));
      await expect(
        f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Accepted, EVIDENCE, [f.walletAddress], [other]),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
        .withArgs(f.id, f.walletAddress);
    });
  });
});
