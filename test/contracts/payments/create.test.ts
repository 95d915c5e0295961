/** ConditionalEscrow: creating and funding agreements (terms checks, membership, allowance, permit). */
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { signPermit } from "../token/helpers";
import {
  AMOUNT_CIRCUIT,
  AS,
  Attest,
  attested,
  Combine,
  create,
  DAY,
  deployAgreement,
  deployEscrow,
  FUNDS,
  impair,
  Kind,
  KYC_CIRCUIT,
  KYC_TIER_CIRCUIT,
  M0,
  M1,
  M2,
  milestone,
  MS,
  notBefore,
  proven,
  REF,
  standardTerms,
  TOTAL,
  type AgreementTerms,
  type EscrowFixture,
} from "./helpers";

const addr = (i: number): string => ethers.getAddress(`0x${(0x1000 + i).toString(16).padStart(40, "0")}`);

/** One invalid-terms case: a name, the field the error names, and how to break the standard terms. */
interface BadTerms {
  name: string;
  field: string;
  mutate: (t: AgreementTerms, f: EscrowFixture, now: number) => void;
}

const ms = (t: AgreementTerms) => t.milestones[0];

const BAD_TERMS: BadTerms[] = [
  { name: "token not a contract", field: "token", mutate: (t, f) => (t.token = f.stranger.address) },
  { name: "zero arbiter", field: "arbiter", mutate: (t) => (t.arbiter = ethers.ZeroAddress) },
  {
    name: "17 attestors",
    field: "attestors",
    mutate: (t) => (t.attestors = Array.from({ length: 17 }, (_, i) => addr(i))),
  },
  {
    name: "a duplicate attestor",
    field: "attestors",
    mutate: (t, f) => (t.attestors = [...t.attestors, f.attestors[1].address]),
  },
  { name: "a zero attestor", field: "attestors", mutate: (t) => (t.attestors = [...t.attestors, ethers.ZeroAddress]) },
  {
    name: "an attestation condition's threshold above its attestors",
    field: "threshold",
    mutate: (t) => (t.milestones[0].conditions = [attested(Attest.Delivered, 0b011, 3)]),
  },
  {
    name: "an attestation condition with threshold 0",
    field: "threshold",
    mutate: (t) => (t.milestones[0].conditions = [attested(Attest.Delivered, 0b011, 0)]),
  },
  {
    name: "an attestation condition naming no attestor",
    field: "attestorMask",
    mutate: (t) => (t.milestones[0].conditions = [attested(Attest.Delivered, 0, 1)]),
  },
  {
    name: "an attestation condition naming attestor 3 of 3 (past the list)",
    field: "attestorMask",
    mutate: (t) => (t.milestones[0].conditions = [attested(Attest.Delivered, 0b1001, 1)]),
  },
  {
    name: "an attestation condition and no attestors",
    field: "attestorMask",
    mutate: (t) => (t.attestors = []),
  },
  {
    name: "a time condition with attestors",
    field: "attestorMask",
    mutate: (t, _f, now) => (t.milestones[0].conditions = [{ ...notBefore(now), attestorMask: 1 }]),
  },
  {
    name: "a proof condition with a threshold",
    field: "threshold",
    mutate: (t) => (t.milestones[0].conditions = [{ ...proven(KYC_CIRCUIT, 5n), threshold: 1 }]),
  },
  { name: "no milestone", field: "milestones", mutate: (t) => (t.milestones = []) },
  {
    name: "33 milestones",
    field: "milestones",
    mutate: (t) => (t.milestones = Array.from({ length: 33 }, () => ({ ...ms(t), amount: 1n }))),
  },
  { name: "a zero payee", field: "payee", mutate: (t) => (t.milestones[1].payee = ethers.ZeroAddress) },
  { name: "the escrow as payee", field: "payee", mutate: (t, f) => (t.milestones[2].payee = f.escrowAddress) },
  { name: "a zero amount", field: "amount", mutate: (t) => (t.milestones[1].amount = 0n) },
  { name: "a deadline in the past", field: "deadline", mutate: (t, _f, now) => (t.milestones[0].deadline = now - 1) },
  { name: "a deadline now", field: "deadline", mutate: (t, _f, now) => (t.milestones[0].deadline = now) },
  { name: "no condition", field: "conditions", mutate: (t) => (t.milestones[0].conditions = []) },
  {
    name: "5 conditions",
    field: "conditions",
    mutate: (t) => (t.milestones[0].conditions = Array.from({ length: 5 }, () => attested(Attest.Delivered))),
  },
  {
    name: "notBefore after the deadline",
    field: "notBefore",
    mutate: (t, _f, now) => (t.milestones[1].conditions[1] = notBefore(now + 60 * DAY + 1)),
  },
  {
    name: "an unknown circuitId (batch_netting_16 is not a condition)",
    field: "circuitId",
    mutate: (t) => (t.milestones[0].conditions = [proven(ethers.encodeBytes32String("batch_netting_16"), 1n)]),
  },
  {
    name: "a kyc condition without root",
    field: "kyc root",
    mutate: (t) => (t.milestones[0].conditions = [proven(KYC_CIRCUIT, 0n)]),
  },
  {
    name: "a kyc condition with a limit",
    field: "kyc root",
    mutate: (t) => (t.milestones[0].conditions = [proven(KYC_CIRCUIT, 5n, 1n)]),
  },
  {
    name: "a kyc_tier condition without root",
    field: "kyc root",
    mutate: (t) => (t.milestones[0].conditions = [proven(KYC_TIER_CIRCUIT, 0n, 2n)]),
  },
  {
    name: "a kyc_tier condition with minimum tier 0",
    field: "kyc minimum tier",
    mutate: (t) => (t.milestones[0].conditions = [proven(KYC_TIER_CIRCUIT, 5n, 0n)]),
  },
  {
    name: "a kyc_tier condition with minimum tier 256 (tiers are 8 bits)",
    field: "kyc minimum tier",
    mutate: (t) => (t.milestones[0].conditions = [proven(KYC_TIER_CIRCUIT, 5n, 256n)]),
  },
  {
    name: "an amount_limit condition without limit",
    field: "amount commitment or limit",
    mutate: (t) => (t.milestones[0].conditions = [proven(AMOUNT_CIRCUIT, 5n, 0n)]),
  },
  {
    name: "an amount_limit condition without commitment",
    field: "amount commitment or limit",
    mutate: (t) => (t.milestones[0].conditions = [proven(AMOUNT_CIRCUIT, 0n, 10n)]),
  },
];

describe("ConditionalEscrow — creating agreements", function () {
  it("locks the total from the payer: AgreementCreated, one MilestoneDefined per milestone, Transfer", async function () {
    const f = await loadFixture(deployEscrow);
    const now = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(now);
    const t = standardTerms(f, now);
    const tx = f.escrow.connect(f.payer).createAgreement(t);
    await expect(tx)
      .to.emit(f.escrow, "AgreementCreated")
      .withArgs(1n, f.payer.address, f.tokenAddress, TOTAL, 3n, REF)
      .and.to.emit(f.token, "Transfer")
      .withArgs(f.payer.address, f.escrowAddress, TOTAL);
    for (const [i, m] of t.milestones.entries()) {
      await expect(tx).to.emit(f.escrow, "MilestoneDefined").withArgs(1n, i, m.payee, m.amount, m.deadline);
    }
    await expect(tx).to.changeTokenBalances(f.token, [f.payer, f.escrow], [-TOTAL, TOTAL]);
    expect(await f.escrow.agreementCount()).to.equal(1n);
  });

  it("agreementOf returns the full state of a new agreement", async function () {
    const f = await loadFixture(deployAgreement);
    const v = await f.escrow.agreementOf(f.id);
    expect(v.payer).to.equal(f.payer.address);
    expect(v.token).to.equal(f.tokenAddress);
    expect(v.arbiter).to.equal(f.arbiter.address);
    expect(v.status).to.equal(AS.Active);
    expect(v.createdAt).to.equal(BigInt(f.t0));
    expect(v.ref).to.equal(REF);
    expect([v.total, v.released, v.refunded]).to.deep.equal([TOTAL, 0n, 0n]);
    expect(v.attestors).to.deep.equal(f.attestors.map((a) => a.address));
    expect(v.milestones).to.have.length(3);
    const want = [
      { amount: M0, days: 30, combine: Combine.All, conds: [[Kind.Attestation, Attest.Delivered, 0]] },
      {
        amount: M1,
        days: 60,
        combine: Combine.All,
        conds: [
          [Kind.Attestation, Attest.Accepted, 0],
          [Kind.Time, Attest.Delivered, f.t0 + 10 * DAY],
        ],
      },
      {
        amount: M2,
        days: 90,
        combine: Combine.Any,
        conds: [
          [Kind.Attestation, Attest.InvoiceApproved, 0],
          [Kind.Time, Attest.Delivered, f.t0 + 80 * DAY],
        ],
      },
    ];
    for (const [i, m] of v.milestones.entries()) {
      expect(m.payee).to.equal(f.payees[i === 1 ? 1 : 0].address);
      expect(m.amount).to.equal(want[i].amount);
      expect(m.deadline).to.equal(BigInt(f.t0 + want[i].days * DAY));
      expect(m.status).to.equal(MS.Pending);
      expect(m.combine).to.equal(BigInt(want[i].combine));
      expect(m.conditions.map((c) => [Number(c.kind), Number(c.attestation), Number(c.notBefore)])).to.deep.equal(
        want[i].conds,
      );
      // Each attestation condition carries its own attestors (2 of the 3); the others none.
      expect(m.conditions.map((c) => [Number(c.attestorMask), Number(c.threshold)])).to.deep.equal(
        want[i].conds.map(([kind]) => (kind === Kind.Attestation ? [0b111, 2] : [0, 0])),
      );
      for (const c of m.conditions) expect([c.circuitId, c.expected, c.limit]).to.deep.equal([ethers.ZeroHash, 0n, 0n]);
      expect(m.attestedBy).to.deep.equal([0n, 0n, 0n]);
      expect(m.provenMask).to.equal(0n);
      expect(m.conditionHolds).to.equal(false);
    }
  });

  it("numbers agreements from 1 and keeps their funds apart", async function () {
    const f = await loadFixture(deployAgreement);
    const id2 = await create(f, standardTerms(f, await time.latest()));
    expect([f.id, id2]).to.deep.equal([1n, 2n]);
    expect(await f.escrow.agreementCount()).to.equal(2n);
    expect(await f.token.balanceOf(f.escrowAddress)).to.equal(2n * TOTAL);
    expect((await f.escrow.agreementOf(2n)).total).to.equal(TOTAL);
  });

  it("accepts the maximum terms: 16 attestors, threshold 16, 32 milestones of 4 conditions", async function () {
    const f = await loadFixture(deployEscrow);
    const now = await time.latest();
    const conds = [
      attested(Attest.Delivered, 0xffff, 16),
      attested(Attest.Accepted, 0x8001, 1),
      notBefore(now),
      proven(KYC_CIRCUIT, 7n),
    ];
    const terms: AgreementTerms = {
      ...standardTerms(f, now),
      attestors: Array.from({ length: 16 }, (_, i) => addr(i)),
      milestones: Array.from({ length: 32 }, (_, i) =>
        milestone(f.payees[i % 2].address, BigInt(i + 1), now + DAY + i, conds, i % 2),
      ),
    };
    const id = await create(f, terms);
    const v = await f.escrow.agreementOf(id);
    expect(v.total).to.equal(528n); // 1 + 2 + … + 32
    expect(v.milestones).to.have.length(32);
    expect(v.milestones[31].conditions[3].circuitId).to.equal(KYC_CIRCUIT);
    expect(v.milestones[31].conditions[3].expected).to.equal(7n);
    expect(v.milestones[31].combine).to.equal(1n);
  });

  it("accepts no attestors when no milestone needs an attestation; notBefore = deadline", async function () {
    const f = await loadFixture(deployEscrow);
    const now = await time.latest();
    const terms: AgreementTerms = {
      ...standardTerms(f, now),
      attestors: [],
      milestones: [milestone(f.payees[0].address, 5n, now + DAY, [notBefore(now + DAY)])],
    };
    const id = await create(f, terms);
    expect((await f.escrow.agreementOf(id)).attestors).to.deep.equal([]);
  });

  describe("refuses invalid terms with EscrowInvalidTerms(field), locking nothing", function () {
    for (const c of BAD_TERMS) {
      it(`${c.name} → "${c.field}"`, async function () {
        const f = await loadFixture(deployEscrow);
        const now = (await time.latest()) + 1;
        const t = standardTerms(f, now);
        c.mutate(t, f, now);
        await time.setNextBlockTimestamp(now);
        await expect(f.escrow.connect(f.payer).createAgreement(t))
          .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidTerms")
          .withArgs(c.field);
        expect(await f.escrow.agreementCount()).to.equal(0n);
        expect(await f.token.balanceOf(f.payer.address)).to.equal(FUNDS);
      });
    }
  });

  it("refuses a payer that is not a member with the registry's RegistryNotMember", async function () {
    const f = await loadFixture(deployEscrow);
    const t = standardTerms(f, await time.latest());
    await expect(f.escrow.connect(f.outsider).createAgreement(t))
      .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
      .withArgs(f.outsider.address);
  });

  for (const how of ["suspended", "sanctioned"] as const) {
    it(`refuses a ${how} payer and a ${how} payee with the registry's error`, async function () {
      const f = await loadFixture(deployEscrow);
      const t = standardTerms(f, (await time.latest()) + 10);
      const payeeErr = await impair(f, f.payees[1].address, how);
      await expect(f.escrow.connect(f.payer).createAgreement(t))
        .to.be.revertedWithCustomError(f.registry, payeeErr.name)
        .withArgs(...payeeErr.args);
      const payerErr = await impair(f, f.payer.address, how);
      await expect(f.escrow.connect(f.payer).createAgreement(t))
        .to.be.revertedWithCustomError(f.registry, payerErr.name)
        .withArgs(...payerErr.args);
    });
  }

  it("refuses a payee that is not a member with RegistryNotMember", async function () {
    const f = await loadFixture(deployEscrow);
    const t = standardTerms(f, await time.latest());
    t.milestones[2].payee = f.outsider.address;
    await expect(f.escrow.connect(f.payer).createAgreement(t))
      .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
      .withArgs(f.outsider.address);
  });

  it("pulls the total by allowance: without one the token refuses (ERC20InsufficientAllowance)", async function () {
    const f = await loadFixture(deployEscrow);
    await f.token.connect(f.payer).approve(f.escrowAddress, TOTAL - 1n);
    await expect(f.escrow.connect(f.payer).createAgreement(standardTerms(f, await time.latest())))
      .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
      .withArgs(f.escrowAddress, TOTAL - 1n, TOTAL);
    expect(await f.escrow.agreementCount()).to.equal(0n);
  });

  it("the token applies the payer's registry limits to the funding transfer", async function () {
    const f = await loadFixture(deployEscrow);
    await f.registry.setLimits(f.payer.address, TOTAL - 1n, TOTAL - 1n);
    await expect(f.escrow.connect(f.payer).createAgreement(standardTerms(f, await time.latest())))
      .to.be.revertedWithCustomError(f.token, "TokenSingleTransferLimitExceeded")
      .withArgs(f.payer.address, TOTAL, TOTAL - 1n);
  });

  describe("createAgreementWithPermit", function () {
    async function permitFixture() {
      const f = await deployEscrow();
      await f.token.connect(f.payer).approve(f.escrowAddress, 0n);
      const now = await time.latest();
      const deadline = BigInt(now + DAY);
      return { ...f, terms: standardTerms(f, now), deadline };
    }

    it("funds the agreement with a permit the payer signed (no prior approval)", async function () {
      const f = await loadFixture(permitFixture);
      const sig = await signPermit(f.token, f.payer, f.escrowAddress, TOTAL, f.deadline);
      await expect(f.escrow.connect(f.payer).createAgreementWithPermit(f.terms, f.deadline, sig.v, sig.r, sig.s))
        .to.emit(f.escrow, "AgreementCreated")
        .withArgs(1n, f.payer.address, f.tokenAddress, TOTAL, 3n, REF)
        .and.to.emit(f.token, "Approval")
        .withArgs(f.payer.address, f.escrowAddress, TOTAL);
      expect(await f.token.balanceOf(f.escrowAddress)).to.equal(TOTAL);
      expect(await f.token.allowance(f.payer.address, f.escrowAddress)).to.equal(0n);
      expect(await f.token.nonces(f.payer.address)).to.equal(1n);
    });

    it("still works when someone front-ran the permit (the allowance is there)", async function () {
      const f = await loadFixture(permitFixture);
      const sig = await signPermit(f.token, f.payer, f.escrowAddress, TOTAL, f.deadline);
      await f.token.connect(f.keeper).permit(f.payer.address, f.escrowAddress, TOTAL, f.deadline, sig.v, sig.r, sig.s);
      await expect(
        f.escrow.connect(f.payer).createAgreementWithPermit(f.terms, f.deadline, sig.v, sig.r, sig.s),
      ).to.changeTokenBalances(f.token, [f.payer, f.escrow], [-TOTAL, TOTAL]);
      expect(await f.escrow.agreementCount()).to.equal(1n);
    });

    it("fails without allowance when the permit is not the payer's (ERC20InsufficientAllowance)", async function () {
      const f = await loadFixture(permitFixture);
      const forged = await signPermit(f.token, f.payer, f.escrowAddress, TOTAL, f.deadline, f.keeper);
      await expect(
        f.escrow.connect(f.payer).createAgreementWithPermit(f.terms, f.deadline, forged.v, forged.r, forged.s),
      )
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(f.escrowAddress, 0n, TOTAL);
      expect(await f.escrow.agreementCount()).to.equal(0n);
    });

    it('refuses a token that is not a contract with EscrowInvalidTerms("token") (no permit is tried)', async function () {
      const f = await loadFixture(permitFixture);
      const sig = await signPermit(f.token, f.payer, f.escrowAddress, TOTAL, f.deadline);
      const t = { ...f.terms, token: f.stranger.address };
      await expect(f.escrow.connect(f.payer).createAgreementWithPermit(t, f.deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidTerms")
        .withArgs("token");
    });

    it("fails without allowance when the permit expired", async function () {
      const f = await loadFixture(permitFixture);
      const sig = await signPermit(f.token, f.payer, f.escrowAddress, TOTAL, f.deadline);
      await time.increaseTo(f.deadline + 1n);
      await expect(
        f.escrow.connect(f.payer).createAgreementWithPermit(f.terms, f.deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance");
    });
  });

  describe("initialize", function () {
    it("refuses a registry that is not a contract (EscrowInvalidAddress)", async function () {
      const f = await loadFixture(deployEscrow);
      const factory = await ethers.getContractFactory("ConditionalEscrow");
      await expect(upgrades.deployProxy(factory, [f.owner.address, f.stranger.address], { kind: "uups" }))
        .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidAddress")
        .withArgs(f.stranger.address);
    });

    it("runs once, and never on the implementation (InvalidInitialization)", async function () {
      const f = await loadFixture(deployEscrow);
      const registry = await f.registry.getAddress();
      await expect(f.escrow.initialize(f.owner.address, registry)).to.be.revertedWithCustomError(
        f.escrow,
        "InvalidInitialization",
      );
      const impl = await ethers.getContractAt(
        "ConditionalEscrow",
        await upgrades.erc1967.getImplementationAddress(f.escrowAddress),
      );
      await expect(impl.initialize(f.owner.address, registry)).to.be.revertedWithCustomError(
        impl,
        "InvalidInitialization",
      );
    });

    it("starts empty: owner, no verifier registry, no agreement; unknown ids revert", async function () {
      const f = await loadFixture(deployEscrow);
      expect(await f.escrow.owner()).to.equal(f.owner.address);
      expect(await f.escrow.verifierRegistry()).to.equal(ethers.ZeroAddress);
      expect(await f.escrow.agreementCount()).to.equal(0n);
      await expect(f.escrow.agreementOf(1n))
        .to.be.revertedWithCustomError(f.escrow, "EscrowUnknownAgreement")
        .withArgs(1n);
      await expect(f.escrow.conditionHolds(0n, 0n))
        .to.be.revertedWithCustomError(f.escrow, "EscrowUnknownAgreement")
        .withArgs(0n);
    });
  });
});
