/**
 * SettlementToken with customer wallets, property-tested against a reference model (fast-check):
 * random transfers among banks and wallets, mixed with tier changes, a lowered or raised tier cap,
 * bank suspension, wallet closing and day changes. Every transfer's outcome (success, or the exact
 * custom error) and every balance must match the model; no successful transfer ever takes a wallet
 * above its cap.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import type { ConsortiumRegistry, SettlementToken } from "../../../typechain-types";
import { BANK_DAILY_LIMIT, BANK_SINGLE_LIMIT } from "../../helpers/fixtures";
import { DAY, fundedToken, startNextDay } from "./helpers";

const NUM_RUNS = 50;
const TIERS: Record<number, { single: bigint; daily: bigint; cap: bigint }> = {
  1: { single: 200_000n, daily: 500_000n, cap: 1_000_000n },
  2: { single: 5_000_000n, daily: 10_000_000n, cap: 50_000_000n },
};

/** Actors 0–1: banks; 2–4: wallets w1 (bank 0, tier 1), w2 (bank 0, tier 2), w3 (bank 1, tier 1). */
const WALLETS = [
  { actor: 2, bank: 0, tier: 1, funds: 500_000n },
  { actor: 3, bank: 0, tier: 2, funds: 2_000_000n },
  { actor: 4, bank: 1, tier: 1, funds: 0n },
];

type Op =
  | { kind: "transfer"; from: number; to: number; amount: bigint }
  | { kind: "retier"; wallet: number }
  | { kind: "tier1Cap"; cap: bigint }
  | { kind: "suspendToggle"; bank: number }
  | { kind: "close"; wallet: number }
  | { kind: "nextDay" };

const actor = fc.nat({ max: 4 });
const amount = fc.oneof(
  { arbitrary: fc.bigInt({ min: 0n, max: 1_200_000n }), weight: 3 },
  { arbitrary: fc.constantFrom(1n, 200_000n, 200_001n, 500_000n, 1_000_000n), weight: 2 },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("transfer" as const), from: actor, to: actor, amount }), weight: 8 },
  fc.record({ kind: fc.constant("retier" as const), wallet: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant("tier1Cap" as const), cap: fc.constantFrom(300_000n, 1_000_000n, 2_000_000n) }),
  fc.record({ kind: fc.constant("suspendToggle" as const), bank: fc.nat({ max: 1 }) }),
  fc.record({ kind: fc.constant("close" as const), wallet: fc.nat({ max: 2 }) }),
  fc.constant({ kind: "nextDay" as const }),
);

async function walletWorld() {
  const f = await fundedToken();
  const { registry, token, banks, others } = f;
  const wallets = others.slice(7, 10);
  for (const [tier, t] of Object.entries(TIERS)) await registry.setTier(Number(tier), t.single, t.daily, t.cap);
  for (const [i, w] of WALLETS.entries()) {
    await registry.connect(banks[w.bank]).openWallet(wallets[i].address, w.tier);
    // in payments within the bank's single-transfer limit
    for (let left = w.funds; left > 0n; left -= BANK_SINGLE_LIMIT) {
      const part = left < BANK_SINGLE_LIMIT ? left : BANK_SINGLE_LIMIT;
      await token.connect(banks[w.bank]).transfer(wallets[i].address, part);
    }
  }
  return { ...f, actors: [banks[0], banks[1], ...wallets] };
}

/** The custom error name a failed transaction reverted with, or "ok". */
async function outcomeOf(
  token: SettlementToken,
  registry: ConsortiumRegistry,
  send: () => Promise<ContractTransactionResponse>,
): Promise<string> {
  try {
    await (await send()).wait();
    return "ok";
  } catch (e) {
    const data = typeof e === "object" && e !== null && "data" in e ? (e as { data: unknown }).data : undefined;
    if (typeof data !== "string") throw e;
    const error = token.interface.parseError(data) ?? registry.interface.parseError(data);
    if (!error) throw new Error(`unexpected revert data ${data}`, { cause: e });
    return error.name;
  }
}

/** What the token should do, given the model's state. */
class Model {
  balances: bigint[];
  tiers = [0, 0, ...WALLETS.map((w) => w.tier)];
  closed = [false, false, false, false, false];
  suspended = [false, false];
  spent = [0n, 0n, 0n, 0n, 0n];
  tier1Cap = TIERS[1].cap;
  constructor(balances: bigint[]) {
    this.balances = balances;
  }
  isWallet = (a: number) => a >= 2;
  bankOf = (a: number) => (this.isWallet(a) ? WALLETS[a - 2].bank : a);
  limits(a: number): { single: bigint; daily: bigint; cap: bigint | null } {
    if (!this.isWallet(a)) return { single: BANK_SINGLE_LIMIT, daily: BANK_DAILY_LIMIT, cap: null };
    const t = TIERS[this.tiers[a]];
    return { single: t.single, daily: t.daily, cap: this.tiers[a] === 1 ? this.tier1Cap : t.cap };
  }
  holderError(a: number): string | null {
    if (this.closed[a]) return "RegistryWalletClosed";
    if (this.suspended[this.bankOf(a)]) return "RegistryMemberSuspended";
    return null;
  }
  transfer(from: number, to: number, amount: bigint): string {
    const refusal = this.holderError(from) ?? this.holderError(to);
    if (refusal) return refusal;
    const s = this.limits(from);
    if (amount > s.single) return "TokenSingleTransferLimitExceeded";
    if (this.spent[from] + amount > s.daily) return "TokenDailyOutflowLimitExceeded";
    const cap = this.limits(to).cap;
    if (cap !== null && from !== to && this.balances[to] + amount > cap) return "TokenBalanceCapExceeded";
    if (amount > this.balances[from]) return "ERC20InsufficientBalance";
    this.spent[from] += amount;
    this.balances[from] -= amount;
    this.balances[to] += amount;
    return "ok";
  }
}

async function balancesOf(token: SettlementToken, actors: readonly HardhatEthersSigner[]): Promise<bigint[]> {
  return Promise.all(actors.map((a) => token.balanceOf(a.address)));
}

describe("SettlementToken wallet properties", function () {
  it("transfers among banks and wallets match the reference model; no inflow breaks a cap", async function () {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { token, registry, owner, banks, actors } = await loadFixture(walletWorld);
        await startNextDay();
        await mine(1);
        const model = new Model(await balancesOf(token, actors));
        for (const op of ops) {
          switch (op.kind) {
            case "transfer": {
              const capBefore = model.limits(op.to).cap;
              const before = model.balances[op.to];
              const expected = model.transfer(op.from, op.to, op.amount);
              const actual = await outcomeOf(token, registry, () =>
                token.connect(actors[op.from]).transfer(actors[op.to].address, op.amount),
              );
              expect(
                actual,
                JSON.stringify(op, (_, v: unknown) => (typeof v === "bigint" ? `${v}` : v)),
              ).to.equal(expected);
              seen.set(actual, (seen.get(actual) ?? 0) + 1);
              const after = await token.balanceOf(actors[op.to].address);
              if (actual === "ok" && capBefore !== null && op.amount > 0n && op.from !== op.to)
                expect(after <= capBefore || after <= before, "an inflow took a wallet above its cap").to.equal(true);
              break;
            }
            case "retier": {
              const a = op.wallet + 2;
              if (model.closed[a] || model.suspended[model.bankOf(a)]) break;
              const next = model.tiers[a] === 1 ? 2 : 1;
              await registry.connect(banks[model.bankOf(a)]).setWalletTier(actors[a].address, next);
              model.tiers[a] = next;
              break;
            }
            case "tier1Cap":
              await registry.connect(owner).setTier(1, TIERS[1].single, TIERS[1].daily, op.cap);
              model.tier1Cap = op.cap;
              break;
            case "suspendToggle": {
              const bank = banks[op.bank].address;
              await (model.suspended[op.bank] ? registry.reinstateMember(bank) : registry.suspendMember(bank));
              model.suspended[op.bank] = !model.suspended[op.bank];
              break;
            }
            case "close": {
              const a = op.wallet + 2;
              if (model.closed[a]) break;
              await registry.closeWallet(actors[a].address);
              model.closed[a] = true;
              break;
            }
            case "nextDay":
              await time.increase(DAY);
              model.spent = model.spent.map(() => 0n);
              break;
          }
        }
        expect(await balancesOf(token, actors)).to.deep.equal(model.balances);
      }),
      { numRuns: NUM_RUNS },
    );
    // The generator must reach success and every refusal, or the property proves little.
    for (const name of [
      "ok",
      "TokenBalanceCapExceeded",
      "TokenSingleTransferLimitExceeded",
      "RegistryMemberSuspended",
      "RegistryWalletClosed",
    ])
      expect(seen.get(name) ?? 0, name).to.be.greaterThan(0);
  });
});
