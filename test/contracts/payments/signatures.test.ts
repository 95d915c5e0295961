/**
 * ConditionalEscrow: attestations signed offline (EIP-712, with a deadline), ERC-1271 attestors,
 * replay protection, and the screening of every signer (membership, binding to the kind, expiry).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { MockERC1271Signer } from "../../../typechain-types";
import { lei, Role } from "../../helpers/fixtures";
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
  SIG_DEADLINE,
  sigEntries,
  signAttestation,
  standardTerms,
  type AgreementFixture,
  type AttestationMessage,
} from "./helpers";

const msg = (
  agreement: bigint,
  milestone = 0,
  kind: number = Attest.Delivered,
  evidenceHash = EVIDENCE,
  deadline: bigint | number = SIG_DEADLINE,
) => ({ agreement, milestone, kind, evidenceHash, deadline }) satisfies AttestationMessage;

/** Signatures of the first `k` attestors for `m`. */
async function signed(f: AgreementFixture, m: AttestationMessage, k = 2): Promise<[string[], string[]]> {
  const signers = f.attestors.slice(0, k);
  return [signers.map((s) => s.address), await Promise.all(signers.map((s) => signAttestation(f, s, m)))];
}

describe("ConditionalEscrow — signed attestations", function () {
  it("attestationDigest is the EIP-712 hash of Attestation(agreement, milestone, kind, evidenceHash, deadline)", async function () {
    const f = await loadFixture(deployAgreement);
    const m = msg(f.id, 1, Attest.InvoiceApproved);
    const expected = ethers.TypedDataEncoder.hash(await attestationDomain(f), ATTESTATION_TYPES, m);
    expect(await f.escrow.attestationDigest(f.id, 1, Attest.InvoiceApproved, EVIDENCE, SIG_DEADLINE)).to.equal(
      expected,
    );
    expect(ethers.TypedDataEncoder.from(ATTESTATION_TYPES).encodeType("Attestation")).to.equal(
      "Attestation(uint256 agreement,uint256 milestone,uint8 kind,bytes32 evidenceHash,uint64 deadline)",
    );
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
      sigEntries(
        signers.map((s) => s.address),
        sigs,
      ),
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
    await f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries(signers, sigs));
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
      f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries(signers, sigs)),
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
        sigEntries([f.attestors[1].address, f.attestors[1].address], [s1, s1]),
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
        f.escrow
          .connect(f.keeper)
          .submitAttestations(id, index, kind, evidence, sigEntries([f.attestors[0].address], [sig])),
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
        .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries([f.attestors[0].address], [sig]));
    });

    it("a signature for milestone 0 is refused for milestone 1", async function () {
      const f = await loadFixture(deployAgreement);
      const sig = await signAttestation(f, f.attestors[0], msg(f.id, 0, Attest.Accepted));
      await refused(f, f.id, 1, Attest.Accepted, sig);
    });

    it("a signature of one kind is refused as another kind, and for other evidence", async function () {
      const f = await loadFixture(deployAgreement);
      const kinds = [Attest.Delivered, Attest.Accepted, Attest.InvoiceApproved];
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [
          milestone(
            f.payees[0].address,
            5n,
            f.t0 + DAY,
            kinds.map((k) => attested(k, 0b001, 1)),
          ),
        ],
      });
      const sig = await signAttestation(f, f.attestors[0], msg(id, 0, Attest.Accepted));
      await refused(f, id, 0, Attest.InvoiceApproved, sig);
      await refused(f, id, 0, Attest.Delivered, sig);
      await refused(f, id, 0, Attest.Accepted, sig, ethers.id("another invoice"));
    });

    it("a signature over another chain's domain (chainId 1) or another escrow's does not verify", async function () {
      const f = await loadFixture(deployAgreement);
      const m = msg(f.id);
      const otherChain = await signAttestation(f, f.attestors[0], m, { chainId: 1n });
      const otherEscrow = await signAttestation(f, f.attestors[0], m, { verifyingContract: f.tokenAddress });
      const digest = await f.escrow.attestationDigest(f.id, 0, Attest.Delivered, EVIDENCE, SIG_DEADLINE);
      const foreign = ethers.TypedDataEncoder.hash(await attestationDomain(f, { chainId: 1n }), ATTESTATION_TYPES, m);
      expect(foreign).to.not.equal(digest);
      await refused(f, f.id, 0, Attest.Delivered, otherChain);
      await refused(f, f.id, 0, Attest.Delivered, otherEscrow);
    });

    it("a signature submitted with another deadline than the one signed does not verify", async function () {
      const f = await loadFixture(deployAgreement);
      const deadline = BigInt(await time.latest()) + BigInt(DAY);
      const sig = await signAttestation(f, f.attestors[0], msg(f.id, 0, Attest.Delivered, EVIDENCE, deadline));
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, [
            { signer: f.attestors[0].address, deadline: deadline + 30n * BigInt(DAY), signature: sig },
          ]),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
        .withArgs(f.id, f.attestors[0].address);
    });
  });

  describe("deadline", function () {
    it("is accepted up to and including its second, refused one second later (EscrowAttestationExpired)", async function () {
      const f = await loadFixture(deployAgreement);
      const deadline = (await time.latest()) + DAY;
      const [a0, a1] = f.attestors;
      const s0 = await signAttestation(f, a0, msg(f.id, 0, Attest.Delivered, EVIDENCE, deadline));
      const s1 = await signAttestation(f, a1, msg(f.id, 0, Attest.Delivered, EVIDENCE, deadline));
      await time.setNextBlockTimestamp(deadline);
      await f.escrow
        .connect(f.keeper)
        .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries([a0.address], [s0], deadline));
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries([a1.address], [s1], deadline)),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowAttestationExpired")
        .withArgs(f.id, a1.address, deadline);
      expect((await f.escrow.agreementOf(f.id)).milestones[0].attestedBy[0]).to.equal(0b1n);
    });
  });

  describe("screening of signers", function () {
    it("a signer reinstated after a suspension counts again (its old signature, still before its deadline)", async function () {
      const f = await loadFixture(deployAgreement);
      const [signers, sigs] = await signed(f, msg(f.id), 2);
      await f.registry.suspendMember(signers[1]);
      await expect(
        f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries(signers, sigs)),
      ).to.be.revertedWithCustomError(f.registry, "RegistryMemberSuspended");
      await f.registry.reinstateMember(signers[1]);
      await f.escrow
        .connect(f.keeper)
        .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries(signers, sigs));
      expect(await f.escrow.conditionHolds(f.id, 0)).to.equal(true);
    });

    it("an attestor that was never admitted is refused (RegistryNotMember), exactly as attest refuses it", async function () {
      const f = await loadFixture(deployAgreement);
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        attestors: [f.outsider.address, f.attestors[0].address],
        milestones: [milestone(f.payees[0].address, 5n, f.t0 + DAY, [attested(Attest.Delivered, 0b11, 1)])],
      });
      const sig = await signAttestation(f, f.outsider, msg(id));
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(id, 0, Attest.Delivered, EVIDENCE, sigEntries([f.outsider.address], [sig])),
      )
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
        .withArgs(f.outsider.address);
      await expect(f.escrow.connect(f.outsider).attest(id, 0, Attest.Delivered, EVIDENCE))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
        .withArgs(f.outsider.address);
    });

    it("a signer not bound to the kind in this milestone is refused (EscrowAttestorNotBound)", async function () {
      const f = await loadFixture(deployAgreement);
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [milestone(f.payees[0].address, 5n, f.t0 + DAY, [attested(Attest.Delivered, 0b001, 1)])],
      });
      const sig = await signAttestation(f, f.attestors[1], msg(id));
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(id, 0, Attest.Delivered, EVIDENCE, sigEntries([f.attestors[1].address], [sig])),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowAttestorNotBound")
        .withArgs(id, 0, Attest.Delivered, f.attestors[1].address);
    });
  });

  describe("refusals", function () {
    it("a non-attestor's signature is refused with EscrowNotAttestor, even though it is valid", async function () {
      const f = await loadFixture(deployAgreement);
      const sig = await signAttestation(f, f.stranger, msg(f.id));
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries([f.stranger.address], [sig])),
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
            .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries([f.attestors[1].address], [sig])),
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
            sigEntries([f.attestors[0].address, f.attestors[1].address], [good, bad]),
          ),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
        .withArgs(f.id, f.attestors[1].address);
      expect((await f.escrow.agreementOf(f.id)).milestones[0].attestedBy[0]).to.equal(0n);
    });

    it('an empty list of signatures is refused (EscrowInvalidTerms("signatures"))', async function () {
      const f = await loadFixture(deployAgreement);
      await expect(f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, []))
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidTerms")
        .withArgs("signatures");
    });

    it("the submitter must be a member (RegistryNotMember), valid signatures or not", async function () {
      const f = await loadFixture(deployAgreement);
      const [signers, sigs] = await signed(f, msg(f.id), 2);
      await expect(
        f.escrow.connect(f.outsider).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, sigEntries(signers, sigs)),
      )
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
      // Screened like any attestor: the wallet is a member.
      await f.registry.admitMember(walletAddress, Role.CORPORATE, lei("WALLET"), "Inspection wallet", 1n, 1n);
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        attestors: [walletAddress, f.attestors[0].address],
        milestones: [milestone(f.payees[1].address, 42n, f.t0 + DAY, [attested(Attest.Accepted, 0b11, 2)])],
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
          .submitAttestations(
            f.id,
            0,
            Attest.Accepted,
            EVIDENCE,
            sigEntries([f.walletAddress, f.attestors[0].address], f.sigs),
          ),
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
          .submitAttestations(f.id, 0, Attest.Accepted, EVIDENCE, sigEntries([f.walletAddress], [f.sigs[0]])),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
        .withArgs(f.id, f.walletAddress);
    });

    it("a signature for another milestone of the same wallet is refused", async function () {
      const f = await loadFixture(walletFixture);
      const other = await signAttestation(f, f.stranger, msg(f.id, 0, Attest.Delivered));
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(f.id, 0, Attest.Accepted, EVIDENCE, sigEntries([f.walletAddress], [other])),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSignature")
        .withArgs(f.id, f.walletAddress);
    });
  });
});
