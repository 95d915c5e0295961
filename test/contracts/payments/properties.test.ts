/**
 * ConditionalEscrow property tests (fast-check): random sequences of creations, attestations, time
 * travel, releases, refunds, disputes, splits and cancel consents, checked step by step against a
 * reference model (./model.ts, driven by ./sequence.ts) — exact errors, exact payouts, and the books:
 *  - after every step the escrow holds exactly Σ (total − released − refunded) over agreements;
 *  - tokens leave the escrow only to that agreement's payer or one of its payees;
 *  - every agreement can be driven to Closed or Cancelled, after which the escrow holds nothing.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  AS,
  ATTESTATION_TYPES,
  attestationDomain,
  attested,
  BPS,
  DAY,
  EVIDENCE,
  milestone,
  SIG_DEADLINE,
  sigEntries,
  standardTerms,
} from "./helpers";
import { lei, Role } from "../../helpers/fixtures";
import { actionArb, createArb, finishArb, propFixture, Run, send } from "./sequence";

const NUM_RUNS = 50;

describe("ConditionalEscrow — properties", function () {
  this.timeout(300_000);

  it("random sequences: exact errors and payouts, books balanced after every step, every agreement terminates", async function () {
    await fc.assert(
      fc.asyncProperty(
        createArb,
        fc.array(actionArb, { minLength: 4, maxLength: 24, size: "max" }),
        finishArb,
        fc.integer({ min: 0, max: 10_000 }),
        async (first, actions, finish, bps) => {
          const f = await loadFixture(propFixture);
          const pool = [f.payees[0], f.payees[1], f.keeper];
          const run = new Run(f, pool);
          const accounts = [f.payer, ...pool].map((s) => s.address);
          const start = await Promise.all(accounts.map((x) => f.token.balanceOf(x)));
          for (const x of [first, ...actions]) await run.act(x);
          for (const [k, ag] of run.agreements.entries()) await run.finish(ag, finish[k % finish.length], bps);
          for (const ag of run.agreements) expect([AS.Closed, AS.Cancelled]).to.include(ag.status);
          await run.checkBooks();
          expect(await f.token.balanceOf(f.escrowAddress)).to.equal(0n);
          const end = await Promise.all(accounts.map((x) => f.token.balanceOf(x)));
          expect(end.map((b, i) => b - start[i])).to.deep.equal(accounts.map((x) => run.delta.get(x) ?? 0n));
          expect(end.reduce((s, b) => s + b, 0n)).to.equal(start.reduce((s, b) => s + b, 0n));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("an arbiter split pays floor(amount·bps/10000) to the payee and the rest to the payer, leaving nothing", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: (1n << 96n) - 1n }),
        fc.integer({ min: 0, max: 10_000 }),
        async (amount, bps) => {
          const f = await loadFixture(propFixture);
          const now = await time.latest();
          const terms = {
            ...standardTerms(f, now),
            milestones: [milestone(f.payees[0].address, amount, now + DAY, [attested(0)])],
          };
          await f.escrow.connect(f.payer).createAgreement(terms);
          await f.escrow.connect(f.payees[0]).dispute(1n, 0, EVIDENCE);
          const before = await Promise.all([f.payer, f.payees[0]].map((s) => f.token.balanceOf(s.address)));
          await f.escrow.connect(f.arbiter).resolve(1n, 0, bps);
          const after = await Promise.all([f.payer, f.payees[0]].map((s) => f.token.balanceOf(s.address)));
          const toPayee = (amount * BigInt(bps)) / BPS;
          expect([after[0] - before[0], after[1] - before[1]]).to.deep.equal([amount - toPayee, toPayee]);
          expect(await f.token.balanceOf(f.escrowAddress)).to.equal(0n);
          const v = await f.escrow.agreementOf(1n);
          expect([v.status, v.released, v.refunded]).to.deep.equal([AS.Closed, toPayee, amount - toPayee]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("k of a condition's attestors (n ≤ 16, any kind): holds iff k of them signed; others are refused", async function () {
    const wallets = Array.from({ length: 16 }, (_, i) => new ethers.Wallet(ethers.id(`escrow-attestor-${i}`)));
    /** propFixture with the 16 wallets admitted: signers are screened like on-chain attestors. */
    async function walletsFixture() {
      const f = await propFixture();
      for (const [i, w] of wallets.entries()) {
        await f.registry.admitMember(w.address, Role.CORPORATE, lei(`WALLET${i}`), `Wallet ${i}`, 1n, 1n);
      }
      return f;
    }
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 16 }).chain((n) =>
          fc
            .record({
              n: fc.constant(n),
              mask: fc.integer({ min: 1, max: (1 << n) - 1 }),
              subset: fc.nat({ max: (1 << n) - 1 }),
              kind: fc.nat({ max: 2 }),
            })
            .chain((r) => fc.record({ r: fc.constant(r), k: fc.integer({ min: 1, max: popcount(r.mask) }) })),
        ),
        async ({ r: { n, mask, subset, kind }, k }) => {
          const f = await loadFixture(walletsFixture);
          const now = await time.latest();
          const attestors = wallets.slice(0, n);
          const terms = {
            ...standardTerms(f, now),
            attestors: attestors.map((w) => w.address),
            milestones: [milestone(f.payees[1].address, 10n, now + DAY, [attested(kind, mask, k)])],
          };
          await f.escrow.connect(f.payer).createAgreement(terms);
          const domain = await attestationDomain(f);
          const msg = { agreement: 1n, milestone: 0, kind, evidenceHash: EVIDENCE, deadline: SIG_DEADLINE };
          const bound = subset & mask;
          const signers = attestors.filter((_, i) => (bound >> i) & 1);
          if (signers.length) {
            const sigs = await Promise.all(signers.map((w) => w.signTypedData(domain, ATTESTATION_TYPES, msg)));
            await f.escrow.connect(f.keeper).submitAttestations(
              1n,
              0,
              kind,
              EVIDENCE,
              sigEntries(
                signers.map((w) => w.address),
                sigs,
              ),
            );
          }
          const outside = attestors.find((_, i) => ((subset & ~mask) >> i) & 1);
          if (outside) {
            const sig = await outside.signTypedData(domain, ATTESTATION_TYPES, msg);
            const out = await send(f, () =>
              f.escrow
                .connect(f.keeper)
                .submitAttestations(1n, 0, kind, EVIDENCE, sigEntries([outside.address], [sig])),
            );
            expect(out.ok ? "accepted" : out.error.name).to.equal("EscrowAttestorNotBound");
          }
          const want = [0n, 0n, 0n];
          want[kind] = BigInt(bound);
          const v = await f.escrow.agreementOf(1n);
          expect(v.milestones[0].attestedBy).to.deep.equal(want);
          const enough = signers.length >= k;
          expect(v.milestones[0].conditionHolds).to.equal(enough);
          const out = await send(f, () => f.escrow.connect(f.keeper).release(1n, 0));
          expect(out.ok).to.equal(enough);
        },
      ),
      { numRuns: 60 },
    );
  });
});

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}
