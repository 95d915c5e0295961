/**
 * ConditionalEscrow against a malicious token (contracts/test/EscrowReentrantToken.sol) whose
 * transfers call back into the escrow: every entry point that moves tokens is guarded, and state is
 * written before the transfer (checks-effects-interactions).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { EscrowReentrantToken } from "../../../typechain-types";
import {
  AS,
  Attest,
  attested,
  create,
  DAY,
  deployEscrow,
  EVIDENCE,
  milestone,
  MS,
  notBefore,
  standardTerms,
  type AgreementTerms,
  type EscrowFixture,
  consentUntil,
} from "./helpers";

/** Milestones 0 and 1 releasable at once, 2 needs Delivered; all due in a day. Total 600. */
function reentrantTerms(f: EscrowFixture, token: string, now: number): AgreementTerms {
  return {
    ...standardTerms(f, now),
    token,
    milestones: [
      milestone(f.payees[0].address, 100n, now + DAY, [notBefore(0)]),
      milestone(f.payees[1].address, 200n, now + DAY, [notBefore(0)]),
      milestone(f.payees[0].address, 300n, now + DAY, [attested(Attest.Delivered)]),
    ],
  };
}

async function reentrantFixture() {
  const f = await deployEscrow();
  const evil = (await (
    await ethers.getContractFactory("EscrowReentrantToken")
  ).deploy()) as unknown as EscrowReentrantToken;
  const evilAddress = await evil.getAddress();
  await evil.mint(f.payer.address, 1_000_000n);
  await evil.connect(f.payer).approve(f.escrowAddress, ethers.MaxUint256);
  const now = await time.latest();
  const terms = reentrantTerms(f, evilAddress, now);
  const id = await create(f, terms);
  return { ...f, evil, evilAddress, id, now, terms };
}

type Fixture = Awaited<ReturnType<typeof reentrantFixture>>;

/** Arm the token to make the call `data` to the escrow from inside every transfer. */
async function arm(f: Fixture, data: string): Promise<void> {
  await f.evil.arm(f.escrowAddress, data);
}

/** The guarded call reverts with ReentrancyGuardReentrantCall and nothing moved or changed. */
async function expectGuarded(f: Fixture, call: () => Promise<unknown>): Promise<void> {
  const before = await f.escrow.agreementOf(f.id);
  const held = await f.evil.balanceOf(f.escrowAddress);
  await expect(call()).to.be.revertedWithCustomError(f.escrow, "ReentrancyGuardReentrantCall");
  const after = await f.escrow.agreementOf(f.id);
  expect(after.milestones.map((m) => m.status)).to.deep.equal(before.milestones.map((m) => m.status));
  expect([after.status, after.released, after.refunded]).to.deep.equal([
    before.status,
    before.released,
    before.refunded,
  ]);
  expect(await f.evil.balanceOf(f.escrowAddress)).to.equal(held);
}

describe("ConditionalEscrow — reentrancy through a malicious token", function () {
  it("release → release of another milestone: ReentrancyGuardReentrantCall", async function () {
    const f = await loadFixture(reentrantFixture);
    await arm(f, f.escrow.interface.encodeFunctionData("release", [f.id, 1]));
    await expectGuarded(f, () => f.escrow.connect(f.keeper).release(f.id, 0));
  });

  it("release → refund: ReentrancyGuardReentrantCall", async function () {
    const f = await loadFixture(reentrantFixture);
    await time.increaseTo(f.now + DAY + 1);
    await arm(f, f.escrow.interface.encodeFunctionData("refund", [f.id, 1]));
    await expectGuarded(f, () => f.escrow.connect(f.keeper).release(f.id, 0));
  });

  it("refund → refund of another milestone: ReentrancyGuardReentrantCall", async function () {
    const f = await loadFixture(reentrantFixture);
    await time.increaseTo(f.now + DAY + 1);
    await arm(f, f.escrow.interface.encodeFunctionData("refund", [f.id, 2]));
    await expectGuarded(f, () => f.escrow.connect(f.keeper).refund(f.id, 0));
  });

  it("resolve → release: ReentrancyGuardReentrantCall", async function () {
    const f = await loadFixture(reentrantFixture);
    await f.escrow.connect(f.payer).dispute(f.id, 2, EVIDENCE);
    await arm(f, f.escrow.interface.encodeFunctionData("release", [f.id, 0]));
    await expectGuarded(f, () => f.escrow.connect(f.arbiter).resolve(f.id, 2, 5_000));
  });

  it("cancel → cancel: ReentrancyGuardReentrantCall", async function () {
    const f = await loadFixture(reentrantFixture);
    await f.escrow.connect(f.payees[0]).cancel(f.id, await consentUntil());
    await f.escrow.connect(f.payees[1]).cancel(f.id, await consentUntil());
    await arm(f, f.escrow.interface.encodeFunctionData("cancel", [f.id, await consentUntil()]));
    await expectGuarded(f, async () => f.escrow.connect(f.payer).cancel(f.id, await consentUntil()));
  });

  it("createAgreement → createAgreement (from the funding transferFrom): ReentrancyGuardReentrantCall", async function () {
    const f = await loadFixture(reentrantFixture);
    await arm(f, f.escrow.interface.encodeFunctionData("createAgreement", [f.terms]));
    await expect(f.escrow.connect(f.payer).createAgreement(f.terms)).to.be.revertedWithCustomError(
      f.escrow,
      "ReentrancyGuardReentrantCall",
    );
    expect(await f.escrow.agreementCount()).to.equal(1n);
  });

  it("control: a view called back from inside release sees the milestone already released (effects first)", async function () {
    const f = await loadFixture(reentrantFixture);
    await arm(f, f.escrow.interface.encodeFunctionData("agreementOf", [f.id]));
    const receipt = await (await f.escrow.connect(f.keeper).release(f.id, 0)).wait();
    const events = receipt?.logs
      .map((log) => (log.address === f.evilAddress ? f.evil.interface.parseLog(log) : null))
      .filter((e) => e?.name === "Reentered");
    expect(events).to.have.length(1);
    const [seen] = f.escrow.interface.decodeFunctionResult("agreementOf", events?.[0]?.args.result as string);
    expect(seen.milestones[0].status).to.equal(MS.Released);
    expect(seen.released).to.equal(100n);
    expect(seen.status).to.equal(AS.Active);
    expect(await f.evil.balanceOf(f.payees[0].address)).to.equal(100n);
  });

  it("a malicious token's agreement cannot touch another agreement's funds", async function () {
    const f = await loadFixture(reentrantFixture);
    const honest = await create(f, standardTerms(f, await time.latest()));
    const held = await f.token.balanceOf(f.escrowAddress);
    // The evil token re-enters with a release of the honest agreement: refused by the guard.
    await arm(f, f.escrow.interface.encodeFunctionData("release", [honest, 0]));
    await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.be.revertedWithCustomError(
      f.escrow,
      "ReentrancyGuardReentrantCall",
    );
    expect(await f.token.balanceOf(f.escrowAddress)).to.equal(held);
    expect((await f.escrow.agreementOf(honest)).released).to.equal(0n);
  });
});
