/**
 * Stateful fuzz of a member account's keys against a model: random authorize / re-role / revoke
 * calls from random callers (keys of every role, strangers, governance). After every step the
 * account's key list, each key's roles and the registry's bindings match the model, the account
 * keeps an OPERATE key unless governance took the last one, and no key is bound to two accounts.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployToken } from "../../helpers/fixtures";
import { createAccount, deployAccountKit, KeyRole } from "./accounts";

const STEPS = 150;

/** A small deterministic generator (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function twoAccounts() {
  const f = await deployToken();
  const kit = await deployAccountKit(f.registry, f.owner);
  const pool = f.others.slice(8, 19); // 11 candidate keys
  const a = await createAccount(kit, pool[0]);
  const b = await createAccount(kit, pool[10]);
  return { ...f, a, b, pool };
}

describe("MemberAccount keys (stateful fuzz)", function () {
  it(`${STEPS} random key operations keep the account, the registry and the model equal`, async function () {
    const f = await loadFixture(twoAccounts);
    const seed = Number(process.env.FUZZ_SEED ?? 24);
    const next = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    const account = await f.a.getAddress();
    const other = await f.b.getAddress();
    const model = new Map<string, number>([[f.pool[0].address, KeyRole.ALL]]);
    const bound = new Map<string, string>([
      [f.pool[0].address, account],
      [f.pool[10].address, other],
    ]);
    let refused = 0;
    for (let step = 0; step < STEPS; step++) {
      const caller = next() < 0.15 ? f.owner : pick(f.pool);
      const key = pick(f.pool);
      const roles = 1 + Math.floor(next() * 7);
      const isGov = caller === f.owner;
      const callerRoles = model.get(caller.address) ?? 0;
      const operators = [...model.values()].filter((r) => r & KeyRole.OPERATE).length;
      const mayOperate = isGov || (callerRoles & KeyRole.OPERATE) !== 0;
      if (next() < 0.55) {
        const previous = model.get(key.address) ?? 0;
        const dropsLast = previous & KeyRole.OPERATE && !(roles & KeyRole.OPERATE) && operators === 1;
        const boundElsewhere = bound.has(key.address) && bound.get(key.address) !== account;
        const expectOk = mayOperate && !(dropsLast && !isGov) && !boundElsewhere;
        const tx = f.a.connect(caller).authorizeKey(key.address, roles);
        if (expectOk) {
          await (await tx).wait();
          model.set(key.address, roles);
          bound.set(key.address, account);
        } else {
          await expect(tx).to.be.reverted;
          refused++;
        }
      } else {
        const previous = model.get(key.address) ?? 0;
        const lastOperator = (previous & KeyRole.OPERATE) !== 0 && operators === 1;
        const expectOk = mayOperate && previous !== 0 && !(lastOperator && !isGov);
        const tx = f.a.connect(caller).revokeKey(key.address);
        if (expectOk) {
          await (await tx).wait();
          model.delete(key.address);
          bound.delete(key.address);
        } else {
          await expect(tx).to.be.reverted;
          refused++;
        }
      }
      // invariants
      const [keys, keyRoles] = await f.a.keys();
      const onChain = new Map(keys.map((k, i) => [k, Number(keyRoles[i])]));
      expect(onChain, `step ${step} (seed ${seed})`).to.deep.equal(model);
      for (const k of f.pool) {
        expect(await f.registry.accountOfKey(k.address), `binding of ${k.address} at step ${step}`).to.equal(
          bound.get(k.address) ?? ethers.ZeroAddress,
        );
      }
      if ([...model.values()].every((r) => !(r & KeyRole.OPERATE))) {
        // only governance can have taken the last operator; it can always add one back
        // (pool[1] is never bound to the other account: only pool[10] is)
        await (await f.a.connect(f.owner).authorizeKey(f.pool[1].address, KeyRole.OPERATE)).wait();
        model.set(f.pool[1].address, KeyRole.OPERATE);
        bound.set(f.pool[1].address, account);
      }
    }
    expect(refused).to.be.greaterThan(0);
    expect(refused).to.be.lessThan(STEPS);
  });
});
