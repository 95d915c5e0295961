/**
 * Random action sequences against ConditionalEscrow for the property tests: the fast-check
 * arbitraries of ./actions.ts; `Run` (./run.ts) sends them and checks each against the model.
 */
import fc from "fast-check";
import { Role } from "../../helpers/fixtures";
import type { Action, CondSpec, MsSpec } from "./actions";
import { popcount } from "./actions";
import { DAY, deployEscrow, type EscrowFixture } from "./helpers";

export { Run, send } from "./run";

const BIG = 1n << 100n;

/** deployEscrow, the payer holding 2^100 more. */
export async function propFixture(): Promise<EscrowFixture> {
  const f = await deployEscrow();
  await f.registry.setRoles(f.payer.address, Role.CORPORATE | Role.MEMBER_BANK);
  await f.token.connect(f.operator).mint(f.payer.address, BIG);
  await f.registry.setRoles(f.payer.address, Role.CORPORATE);
  return f;
}

// ---------------------------------------------------------------- actions

const condArb: fc.Arbitrary<CondSpec> = fc
  .record({
    kind: fc.constantFrom("attestation" as const, "time" as const),
    attestation: fc.nat({ max: 2 }),
    mask: fc.integer({ min: 1, max: 7 }),
    k: fc.integer({ min: 1, max: 3 }),
    at: fc.integer({ min: -1, max: 100 }), // percent of the milestone's life; -1: notBefore 0
  })
  .map(({ k, ...c }) =>
    c.kind === "time" ? { ...c, mask: 0, threshold: 0 } : { ...c, threshold: Math.min(k, popcount(c.mask)) },
  );
const msArb: fc.Arbitrary<MsSpec> = fc.record({
  payee: fc.nat({ max: 2 }),
  amount: fc.oneof(fc.bigInt({ min: 1n, max: 100_000n }), fc.constantFrom(1n, 2n, 9_999n)),
  life: fc.integer({ min: 1, max: 20 * DAY }),
  combine: fc.nat({ max: 1 }),
  conds: fc.array(condArb, { minLength: 1, maxLength: 3 }),
});
export const createArb = fc.record({
  t: fc.constant("create" as const),
  milestones: fc.array(msArb, { minLength: 1, maxLength: 4 }),
});
const a = fc.nat({ max: 7 });
/** A milestone: taken modulo the agreement's milestone count, except 32 (always unknown). */
const m = fc.oneof({ arbitrary: fc.nat({ max: 3 }), weight: 12 }, { arbitrary: fc.constant(32), weight: 1 });
export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: createArb, weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant("attest" as const),
      a,
      m,
      who: fc.nat({ max: 3 }),
      kind: fc.nat({ max: 2 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ t: fc.constant("warp" as const), seconds: fc.integer({ min: 1, max: 12 * DAY }) }),
    weight: 2,
  },
  {
    // Release or refund a milestone just before, on or just after its deadline or date.
    arbitrary: fc.record({
      t: fc.constant("warpTo" as const),
      a,
      m,
      deadline: fc.boolean(),
      offset: fc.integer({ min: -1, max: 1 }),
      then: fc.constantFrom("release" as const, "refund" as const),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant("release" as const), a, m }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant("refund" as const), a, m }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant("dispute" as const), a, m, who: fc.nat({ max: 2 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("resolve" as const),
      a,
      m,
      bps: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 1, 3_333, 9_999, 10_000, 10_001)),
      byArbiter: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      t: fc.constant("submit" as const),
      a,
      m,
      kind: fc.nat({ max: 2 }),
      signers: fc.integer({ min: 0, max: 15 }),
      deadline: fc.integer({ min: -2, max: 3 * DAY }),
      forge: fc.integer({ min: -1, max: 3 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      t: fc.constant("cancel" as const),
      a,
      who: fc.nat({ max: 4 }),
      expiresIn: fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 30 * DAY }), weight: 6 },
        { arbitrary: fc.constantFrom(0, -1, 30 * DAY + 1), weight: 1 },
      ),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant("revoke" as const), a, who: fc.nat({ max: 4 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("standing" as const),
      who: fc.nat({ max: 2 }),
      how: fc.constantFrom("suspend" as const, "sanction" as const, "restore" as const),
    }),
    weight: 1,
  },
);
/** How each agreement is finished at the end: release everything, refund everything, or cancel. */
export const finishArb = fc.array(fc.constantFrom("release" as const, "refund" as const, "cancel" as const), {
  minLength: 8,
  maxLength: 8,
});
