/**
 * ConditionalEscrow: the guards every entry point shares, table-driven — membership of the caller,
 * unknown agreement, unknown milestone, agreement no longer active, milestone no longer pending.
 */
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  AS,
  Attest,
  attestBy,
  create,
  DAY,
  deployAgreement,
  EVIDENCE,
  milestone,
  MS,
  notBefore,
  standardTerms,
  type AgreementFixture,
  consentUntil,
  sigEntries,
} from "./helpers";

interface Entry {
  name: string;
  /** Takes a milestone index. */
  milestone: boolean;
  /** Needs the milestone pending (else: resolve, which needs it disputed). */
  pending: boolean;
  /** A view: no caller membership check. */
  view?: boolean;
  caller: (f: Fixture) => HardhatEthersSigner;
  call: (f: Fixture, who: HardhatEthersSigner, id: bigint, m: number) => Promise<unknown>;
}

const SIG = `0x${"11".repeat(65)}`;

const ENTRIES: Entry[] = [
  {
    name: "attest",
    milestone: true,
    pending: true,
    caller: (f) => f.attestors[0],
    call: (f, who, id, m) => f.escrow.connect(who).attest(id, m, Attest.Delivered, EVIDENCE),
  },
  {
    name: "submitAttestations",
    milestone: true,
    pending: true,
    caller: (f) => f.keeper,
    call: (f, who, id, m) =>
      f.escrow
        .connect(who)
        .submitAttestations(id, m, Attest.Delivered, EVIDENCE, sigEntries([f.attestors[0].address], [SIG])),
  },
  {
    name: "submitProof",
    milestone: true,
    pending: true,
    caller: (f) => f.keeper,
    call: (f, who, id, m) => f.escrow.connect(who).submitProof(id, m, 0, new Array(8).fill(0n), [1n, 2n, 3n, 4n]),
  },
  {
    name: "release",
    milestone: true,
    pending: true,
    caller: (f) => f.keeper,
    call: (f, who, id, m) => f.escrow.connect(who).release(id, m),
  },
  {
    name: "refund",
    milestone: true,
    pending: true,
    caller: (f) => f.keeper,
    call: (f, who, id, m) => f.escrow.connect(who).refund(id, m),
  },
  {
    name: "dispute",
    milestone: true,
    pending: true,
    caller: (f) => f.payer,
    call: (f, who, id, m) => f.escrow.connect(who).dispute(id, m, EVIDENCE),
  },
  {
    name: "resolve",
    milestone: true,
    pending: false,
    caller: (f) => f.arbiter,
    call: (f, who, id, m) => f.escrow.connect(who).resolve(id, m, 5_000),
  },
  {
    name: "cancel",
    milestone: false,
    pending: false,
    caller: (f) => f.payer,
    call: async (f, who, id) => f.escrow.connect(who).cancel(id, await consentUntil()),
  },
  {
    name: "conditionHolds",
    milestone: true,
    pending: false,
    view: true,
    caller: (f) => f.outsider,
    call: (f, who, id, m) => f.escrow.connect(who).conditionHolds(id, m),
  },
];

/** The standard agreement (1) with milestone 0 released, and a closed agreement (2). */
async function guardFixture() {
  const f = await deployAgreement();
  await attestBy(f, f.id, 0, Attest.Delivered, 2);
  await f.escrow.connect(f.keeper).release(f.id, 0);
  const closed = await create(f, {
    ...standardTerms(f, f.t0),
    milestones: [milestone(f.payees[0].address, 5n, f.t0 + DAY, [notBefore(0)])],
  });
  await f.escrow.connect(f.keeper).release(closed, 0);
  return { ...f, closed };
}
type Fixture = AgreementFixture & { closed: bigint };

describe("ConditionalEscrow — shared guards", function () {
  for (const e of ENTRIES) {
    describe(e.name, function () {
      it("EscrowUnknownAgreement for agreement 0 and one never created", async function () {
        const f = await loadFixture(guardFixture);
        for (const id of [0n, 3n]) {
          await expect(e.call(f, e.caller(f), id, 0))
            .to.be.revertedWithCustomError(f.escrow, "EscrowUnknownAgreement")
            .withArgs(id);
        }
      });

      it("EscrowAgreementNotActive for a closed agreement", async function () {
        const f = await loadFixture(guardFixture);
        await expect(e.call(f, e.caller(f), f.closed, 0))
          .to.be.revertedWithCustomError(f.escrow, "EscrowAgreementNotActive")
          .withArgs(f.closed, AS.Closed);
      });

      if (e.milestone) {
        it("EscrowUnknownMilestone past the last milestone", async function () {
          const f = await loadFixture(guardFixture);
          for (const m of [3, 31]) {
            await expect(e.call(f, e.caller(f), f.id, m))
              .to.be.revertedWithCustomError(f.escrow, "EscrowUnknownMilestone")
              .withArgs(f.id, m);
          }
        });
      }

      if (e.pending) {
        it("EscrowMilestoneNotPending for a released milestone", async function () {
          const f = await loadFixture(guardFixture);
          await expect(e.call(f, e.caller(f), f.id, 0))
            .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
            .withArgs(f.id, 0, MS.Released);
        });
      }

      if (!e.view) {
        it("RegistryNotMember for a caller outside the consortium, before anything else", async function () {
          const f = await loadFixture(guardFixture);
          for (const id of [f.id, 3n]) {
            await expect(e.call(f, f.outsider, id, 1))
              .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
              .withArgs(f.outsider.address);
          }
        });
      }
    });
  }

  it("resolve on a released milestone: EscrowNotDisputed(Released)", async function () {
    const f = await loadFixture(guardFixture);
    await expect(f.escrow.connect(f.arbiter).resolve(f.id, 0, 0))
      .to.be.revertedWithCustomError(f.escrow, "EscrowNotDisputed")
      .withArgs(f.id, 0, MS.Released);
  });

  it("agreementOf still reads a closed agreement; unknown ids revert", async function () {
    const f = await loadFixture(guardFixture);
    expect((await f.escrow.agreementOf(f.closed)).status).to.equal(AS.Closed);
    await expect(f.escrow.agreementOf(3n))
      .to.be.revertedWithCustomError(f.escrow, "EscrowUnknownAgreement")
      .withArgs(3n);
  });
});
