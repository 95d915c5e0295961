import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse, ErrorDescription } from "ethers";
import type { ConsortiumRegistry, SettlementToken } from "../../../typechain-types";
import { BANK_SINGLE_LIMIT, deployToken, type TokenFixture } from "../../helpers/fixtures";
import { DAY } from "./helpers";

const SANCTION_CODE = 9;
const NUM_RUNS = 100;

type Outcome = { ok: true; receipt: ContractTransactionReceipt } | { ok: false; error: ErrorDescription };

/** Send a transaction; a revert is an outcome, as long as it is one of the contracts' custom errors. */
async function attempt(
  token: SettlementToken,
  registry: ConsortiumRegistry,
  send: () => Promise<ContractTransactionResponse>,
): Promise<Outcome> {
  try {
    const receipt = await (await send()).wait();
    if (!receipt) throw new Error("transaction not mined");
    return { ok: true, receipt };
  } catch (e) {
    const data = typeof e === "object" && e !== null && "data" in e ? (e as { data: unknown }).data : undefined;
    if (typeof data !== "string") throw e;
    const error = token.interface.parseError(data) ?? registry.interface.parseError(data);
    if (!error) throw new Error(`unexpected revert data ${data}`, { cause: e });
    return { ok: false, error };
  }
}

async function balancesOf(token: SettlementToken, accounts: readonly HardhatEthersSigner[]): Promise<bigint[]> {
  return Promise.all(accounts.map((a) => token.balanceOf(a.address)));
}

// ---------------------------------------------------------------- (a) supply invariant

type StatusAction = "suspend" | "reinstate" | "remove" | "sanction" | "unsanction";

type Op =
  | { kind: "mint"; caller: number; to: number; amount: bigint }
  | { kind: "burn"; caller: number; from: number; amount: bigint }
  | { kind: "transfer"; from: number; to: number; amount: bigint }
  | { kind: "transferFrom"; spender: number; from: number; to: number; amount: bigint }
  | { kind: "approve"; owner: number; spender: number; amount: bigint }
  | { kind: "status"; who: number; action: StatusAction }
  | { kind: "nextDay" };

/** Actors 0..6: operator, four banks, corporate, outsider. */
const actor = fc.nat({ max: 6 });
const operatorMostly = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: actor, weight: 1 });
const bankMostly = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 3 }, { arbitrary: actor, weight: 1 });
const opAmount = fc.oneof(
  { arbitrary: fc.bigInt({ min: 0n, max: 1_200_000n }), weight: 4 },
  { arbitrary: fc.constantFrom(0n, 1n, BANK_SINGLE_LIMIT, BANK_SINGLE_LIMIT + 1n, 3_000_000n), weight: 1 },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("mint" as const), caller: operatorMostly, to: bankMostly, amount: opAmount }),
  fc.record({ kind: fc.constant("burn" as const), caller: operatorMostly, from: bankMostly, amount: opAmount }),
  {
    arbitrary: fc.record({ kind: fc.constant("transfer" as const), from: actor, to: actor, amount: opAmount }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("transferFrom" as const),
      spender: actor,
      from: actor,
      to: actor,
      amount: opAmount,
    }),
    weight: 2,
  },
  fc.record({ kind: fc.constant("approve" as const), owner: actor, spender: actor, amount: opAmount }),
  fc.record({
    kind: fc.constant("status" as const),
    who: actor,
    action: fc.constantFrom<StatusAction>("suspend", "reinstate", "remove", "sanction", "unsanction"),
  }),
  fc.constant({ kind: "nextDay" as const }),
);

interface SupplyFixture extends TokenFixture {
  actors: HardhatEthersSigner[];
}

/** Banks hold 2,000,000 each, the corporate 500,000; banks allowed the operator, members each other. */
async function supplyFixture(): Promise<SupplyFixture> {
  const f = await deployToken();
  const { token, operator, banks, corporate, outsider } = f;
  for (const bank of banks) {
    await token.connect(operator).mint(bank.address, 2_000_000n);
    await token.connect(bank).approve(operator.address, 1_500_000n);
  }
  await token.connect(banks[0]).transfer(corporate.address, 500_000n);
  const members = [...banks, corporate];
  for (const owner of members) {
    for (const spender of members) await token.connect(owner).approve(spender.address, 1_000_000n);
  }
  return { ...f, actors: [operator, ...banks, corporate, outsider] };
}

// ---------------------------------------------------------------- (b) impaired parties

type Impairment = "suspended" | "removed" | "sanctioned";
type Position = "sender" | "recipient" | "spender";

const IMPAIRED_ERRORS: Record<Impairment, string> = {
  suspended: "RegistryMemberSuspended",
  removed: "RegistryMemberRemoved",
  sanctioned: "RegistryAccountSanctioned",
};

interface ScreeningFixture extends TokenFixture {
  members: HardhatEthersSigner[];
}

/** Members: four banks (≥ 1,000,000 each) and the corporate (1,000,000); all allow all, themselves included. */
async function screeningFixture(): Promise<ScreeningFixture> {
  const f = await deployToken();
  const { token, operator, banks, corporate } = f;
  for (const bank of banks) await token.connect(operator).mint(bank.address, 2_000_000n);
  await token.connect(banks[0]).transfer(corporate.address, 1_000_000n);
  const members = [...banks, corporate];
  for (const owner of members) {
    for (const spender of members) await token.connect(owner).approve(spender.address, ethers.MaxUint256);
  }
  return { ...f, members };
}

// ---------------------------------------------------------------- (c) daily outflow

type AmountSpec = bigint | "single" | "overSingle" | "remaining" | "overRemaining";

interface Split {
  to: number;
  spender: number | null;
  amount: AmountSpec;
  gap: number;
}

interface OutflowFixture extends TokenFixture {
  sender: HardhatEthersSigner;
  recipients: HardhatEthersSigner[];
  spenders: HardhatEthersSigner[];
}

/** The sender (bank 0) holds 50,000,000 and allowed banks 1–2 and the corporate without limit. */
async function outflowFixture(): Promise<OutflowFixture> {
  const f = await deployToken();
  const { token, operator, banks, corporate } = f;
  const sender = banks[0];
  await token.connect(operator).mint(sender.address, 50_000_000n);
  const spenders = [banks[1], banks[2], corporate];
  for (const spender of spenders) await token.connect(sender).approve(spender.address, ethers.MaxUint256);
  return { ...f, sender, recipients: [sender, banks[1], banks[2], banks[3], corporate], spenders };
}

describe("SettlementToken properties", function () {
  it("(a) total supply equals the sum of all balances after any sequence of operations", async function () {
    let changed = 0;
    let reverted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), async (ops) => {
        const { token, registry, owner, actors } = await loadFixture(supplyFixture);
        const holders = [owner, ...actors];
        const model = new Map<string, bigint>();
        for (const [i, balance] of (await balancesOf(token, holders)).entries()) model.set(holders[i].address, balance);
        let supply = await token.totalSupply();
        const move = (from: string | null, to: string | null, amount: bigint): void => {
          if (from) model.set(from, (model.get(from) ?? 0n) - amount);
          if (to) model.set(to, (model.get(to) ?? 0n) + amount);
          if (!from) supply += amount;
          if (!to) supply -= amount;
        };

        for (const op of ops) {
          let outcome: Outcome | null = null;
          switch (op.kind) {
            case "mint": {
              const to = actors[op.to].address;
              outcome = await attempt(token, registry, () => token.connect(actors[op.caller]).mint(to, op.amount));
              if (outcome.ok) move(null, to, op.amount);
              break;
            }
            case "burn": {
              const from = actors[op.from].address;
              outcome = await attempt(token, registry, () => token.connect(actors[op.caller]).burn(from, op.amount));
              if (outcome.ok) move(from, null, op.amount);
              break;
            }
            case "transfer": {
              const [from, to] = [actors[op.from], actors[op.to].address];
              outcome = await attempt(token, registry, () => token.connect(from).transfer(to, op.amount));
              if (outcome.ok) move(from.address, to, op.amount);
              break;
            }
            case "transferFrom": {
              const [from, to] = [actors[op.from].address, actors[op.to].address];
              outcome = await attempt(token, registry, () =>
                token.connect(actors[op.spender]).transferFrom(from, to, op.amount),
              );
              if (outcome.ok) move(from, to, op.amount);
              break;
            }
            case "approve": {
              const spender = actors[op.spender].address;
              await attempt(token, registry, () => token.connect(actors[op.owner]).approve(spender, op.amount));
              break;
            }
            case "status": {
              const who = actors[op.who].address;
              await attempt(token, registry, () => {
                switch (op.action) {
                  case "suspend":
                    return registry.suspendMember(who);
                  case "reinstate":
                    return registry.reinstateMember(who);
                  case "remove":
                    return registry.removeMember(who);
                  case "sanction":
                    return registry.addSanction(who, SANCTION_CODE);
                  case "unsanction":
                    return registry.removeSanction(who, SANCTION_CODE);
                }
              });
              break;
            }
            case "nextDay":
              await time.increase(DAY);
              break;
          }
          if (outcome?.ok) changed++;
          else if (outcome) reverted++;

          const balances = await balancesOf(token, holders);
          const total = await token.totalSupply();
          expect(balances.reduce((a, b) => a + b, 0n)).to.equal(total, `sum of balances after ${op.kind}`);
          expect(total).to.equal(supply, `total supply after ${op.kind}`);
          for (const [i, balance] of balances.entries()) {
            expect(balance).to.equal(model.get(holders[i].address), `balance of actor ${i - 1} after ${op.kind}`);
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
    // The sequences exercised both sides: balance changes and reverts.
    expect(changed).to.be.greaterThan(NUM_RUNS / 2);
    expect(reverted).to.be.greaterThan(NUM_RUNS / 2);
  });

  it("(b) a transfer involving a suspended, removed or sanctioned member never succeeds nor moves tokens", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          how: fc.constantFrom<Impairment>("suspended", "removed", "sanctioned"),
          position: fc.constantFrom<Position>("sender", "recipient", "spender"),
          bad: fc.nat({ max: 4 }),
          a: fc.nat({ max: 4 }),
          b: fc.nat({ max: 4 }),
          viaTransferFrom: fc.boolean(),
          amount: fc.bigInt({ min: 0n, max: BANK_SINGLE_LIMIT }),
        }),
        async ({ how, position, bad, a, b, viaTransferFrom, amount }) => {
          const { token, registry, operator, owner, outsider, members } = await loadFixture(screeningFixture);
          const badMember = members[bad];
          let from: HardhatEthersSigner;
          let to: HardhatEthersSigner;
          let spender: HardhatEthersSigner | null;
          if (position === "sender") [from, to, spender] = [badMember, members[a], viaTransferFrom ? members[b] : null];
          else if (position === "recipient")
            [from, to, spender] = [members[a], badMember, viaTransferFrom ? members[b] : null];
          else [from, to, spender] = [members[a], members[b], badMember];
          const send = (): Promise<ContractTransactionResponse> =>
            spender
              ? token.connect(spender).transferFrom(from.address, to.address, amount)
              : token.connect(from).transfer(to.address, amount);

          const record = await registry.memberOf(badMember.address);
          if (how === "suspended") await registry.suspendMember(badMember.address);
          else if (how === "removed") await registry.removeMember(badMember.address);
          else await registry.addSanction(badMember.address, SANCTION_CODE);

          const holders = [owner, operator, ...members, outsider];
          const outflows = async (): Promise<bigint[]> =>
            Promise.all(members.map(async (m) => (await token.outflowToday(m.address)).spent));
          const balancesBefore = await balancesOf(token, holders);
          const supplyBefore = await token.totalSupply();
          const outflowsBefore = await outflows();
          const allowanceBefore = spender ? await token.allowance(from.address, spender.address) : 0n;

          const outcome = await attempt(token, registry, send);
          expect(outcome.ok).to.equal(false, "a transfer involving an impaired member succeeded");
          if (outcome.ok) return;
          expect(outcome.error.name).to.equal(IMPAIRED_ERRORS[how]);
          expect(outcome.error.args[0]).to.equal(badMember.address);
          expect(await balancesOf(token, holders)).to.deep.equal(balancesBefore);
          expect(await token.totalSupply()).to.equal(supplyBefore);
          expect(await outflows()).to.deep.equal(outflowsBefore);
          if (spender) expect(await token.allowance(from.address, spender.address)).to.equal(allowanceBefore);

          // Control: the impairment was the only obstacle — lifted, the same transfer goes through.
          if (how === "suspended") await registry.reinstateMember(badMember.address);
          else if (how === "removed")
            await registry.admitMember(
              badMember.address,
              record.roles,
              record.leiHash,
              record.name,
              record.maxSingleTransfer,
              record.maxDailyOutflow,
            );
          else await registry.removeSanction(badMember.address, SANCTION_CODE);
          const retried = await attempt(token, registry, send);
          expect(retried.ok).to.equal(true, "the control transfer failed");
          const expected = [...balancesBefore];
          expected[holders.indexOf(from)] -= amount;
          expected[holders.indexOf(to)] += amount;
          expect(await balancesOf(token, holders)).to.deep.equal(expected);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("(c) splitting transfers never takes a day's outflow above maxDailyOutflow", async function () {
    const amountSpec: fc.Arbitrary<AmountSpec> = fc.oneof(
      { arbitrary: fc.bigInt({ min: 0n, max: 2_500_000n }), weight: 3 },
      { arbitrary: fc.constantFrom<AmountSpec>("single", "overSingle", "remaining", "overRemaining"), weight: 1 },
    );
    const splitArb: fc.Arbitrary<Split> = fc.record({
      to: fc.nat({ max: 4 }),
      spender: fc.option(fc.nat({ max: 2 }), { nil: null }),
      amount: amountSpec,
      gap: fc.oneof(fc.constant(0), fc.nat({ max: 3_000 })),
    });
    let limited = 0;
    let succeeded = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: 2_000_000n }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 999 }),
        fc.array(splitArb, { minLength: 1, maxLength: 10 }),
        async (single, multiple, permille, splits) => {
          const { token, registry, sender, recipients, spenders } = await loadFixture(outflowFixture);
          const daily = single * BigInt(multiple) + (single * BigInt(permille)) / 1_000n;
          const day = BigInt(Math.floor((await time.latest()) / DAY) + 1);
          await time.setNextBlockTimestamp(Number(day) * DAY + 1);
          await registry.setLimits(sender.address, single, daily);
          const balanceBefore = await token.balanceOf(sender.address);

          let spent = 0n;
          let sentAway = 0n;
          for (const split of splits) {
            if (split.gap > 0) await time.increase(split.gap);
            const amount =
              split.amount === "single"
                ? single
                : split.amount === "overSingle"
                  ? single + 1n
                  : split.amount === "remaining"
                    ? daily - spent
                    : split.amount === "overRemaining"
                      ? daily - spent + 1n
                      : split.amount;
            const to = recipients[split.to];
            const outcome = await attempt(token, registry, () =>
              split.spender === null
                ? token.connect(sender).transfer(to.address, amount)
                : token.connect(spenders[split.spender]).transferFrom(sender.address, to.address, amount),
            );
            const allowed = amount <= single && spent + amount <= daily;
            if (outcome.ok) {
              expect(allowed).to.equal(true, `transfer of ${amount} after ${spent} succeeded`);
              const outflow = outcome.receipt.logs
                .map((log) => token.interface.parseLog(log))
                .find((parsed) => parsed?.name === "Outflow");
              expect(outflow?.args.toArray()).to.deep.equal([sender.address, day, amount, spent + amount]);
              spent += amount;
              succeeded++;
              if (to.address !== sender.address) sentAway += amount;
            } else {
              expect(allowed).to.equal(false, `transfer of ${amount} after ${spent} failed: ${outcome.error.name}`);
              limited++;
              if (amount > single) {
                expect(outcome.error.name).to.equal("TokenSingleTransferLimitExceeded");
                expect(outcome.error.args.toArray()).to.deep.equal([sender.address, amount, single]);
              } else {
                expect(outcome.error.name).to.equal("TokenDailyOutflowLimitExceeded");
                expect(outcome.error.args.toArray()).to.deep.equal([sender.address, day, spent, amount, daily]);
              }
            }
            expect(spent).to.be.lte(daily);
          }
          expect(await token.outflowToday(sender.address)).to.deep.equal([day, spent]);
          expect(await token.balanceOf(sender.address)).to.equal(balanceBefore - sentAway);
          expect(BigInt(Math.floor((await time.latest()) / DAY))).to.equal(day, "the run left its UTC day");
        },
      ),
      { numRuns: NUM_RUNS },
    );
    // Both outcomes were exercised.
    expect(succeeded).to.be.greaterThan(NUM_RUNS);
    expect(limited).to.be.greaterThan(NUM_RUNS / 2);
  });
});
