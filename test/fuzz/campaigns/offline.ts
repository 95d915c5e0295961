/**
 * Stateful fuzz campaign of the OfflineVault: random offline episodes — allowances anchored for
 * fresh devices, honest payments, double spends (a tampered device re-signing a used serial to
 * another payee), replays and forgeries, one-by-one and bulk redemption in any reconnect order,
 * disputes, settlements, guarantee withdrawals that leave compensations queued, time warps,
 * releases. Every voucher a payee holds passed the offline checks a wallet makes (a forged one is
 * refused on chain and never enters a payee's inbox). After every step:
 *  - conservation: the vault's token balance = Σ allowances' remaining + Σ guarantees + Σ pending
 *    bulk totals + Σ credited compensations;
 *  - every allowance's remaining = what it locked − what it paid (model);
 *  - no voucher is paid (or owed) twice;
 * and at the end, with every window passed, every batch settled and the bank's debts funded: each
 * payee (with its bank's bulk receipts) holds exactly what the vouchers it accepted carry — no
 * honest payee loses. Warps never jump past a deadline a payee still has vouchers for: an honest
 * payee reconnects within the grace period (docs/offline.md, risk model).
 * The chain is snapshotted first and restored at the end.
 */
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseWallet, ContractTransactionResponse } from "ethers";
import {
  certFor,
  certId,
  claimOf,
  consent,
  GRACE,
  leafOf,
  newDevice,
  signCert,
  vaultFixture,
  voucher,
  WINDOW,
  type Cert,
  type Claim,
  type VaultFixture,
} from "../../contracts/offline/helpers";
import { InvariantViolation, Rng, Tally, type Campaign, type CampaignOptions, type CampaignResult } from "../campaign";

const NAME = "offline";
const DAY = 86_400;
const HOUR = 3_600;

interface Allow {
  id: string;
  cert: Cert;
  device: BaseWallet;
  nextSerial: number;
  lock: bigint;
  spent: bigint;
  deadline: bigint;
  released: boolean;
}

interface Held {
  allow: Allow;
  v: Awaited<ReturnType<typeof voucher>>;
  payee: string;
  state: "new" | "paid" | "owed" | "bulk";
}

interface Pending {
  id: bigint;
  claims: Claim[];
  devices: string[];
  held: Held[][];
  disputed: Set<number>;
  end: bigint;
  settled: boolean;
}

async function run(options: CampaignOptions): Promise<CampaignResult> {
  const rng = new Rng(options.seed);
  const actions = new Tally();
  const refused = new Tally();
  const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
  let step = 0;
  let checks = 0;
  const fail = (invariant: string, detail: string): never => {
    throw new InvariantViolation(NAME, options.seed, step, invariant, detail);
  };
  try {
    const f: VaultFixture = await vaultFixture();
    const payees = [f.shop1.address, f.shop2.address];
    const allows: Allow[] = [];
    const held: Held[] = [];
    const batches: Pending[] = [];
    const paidOnce = new Set<string>();
    let bulkReceipts = 0n;
    const pay = (h: Held, state: "paid" | "owed" | "bulk") => {
      if (paidOnce.has(h.v.digest)) fail("paid once", `voucher ${h.v.digest} paid twice`);
      paidOnce.add(h.v.digest);
      h.state = state;
    };
    const send = async (tx: Promise<ContractTransactionResponse>) => (await (await tx).wait())!;
    const now = async () => BigInt(await time.latest());
    const open = () => held.filter((h) => h.state === "new");

    const anchor = async () => {
      const payer = rng.pick([f.payer1, f.payer2]);
      const device = newDevice();
      const count = 1 + rng.int(10);
      const cap = 1n + rng.big(50_000n);
      const cert = await certFor(f, payer, device, { cap, count }, 2 + rng.int(10));
      const lock = cap * BigInt(count);
      const book = await f.vault.bankBookOf(f.bankA.address);
      const sig = await signCert(f, f.bankA, cert);
      const funds = await f.token.balanceOf(payer.address);
      const approved = await f.token.allowance(payer.address, f.vaultAddress);
      if (book.debt > 0n || book.guarantee < book.locked + lock || funds < lock || approved < lock) {
        await f.vault
          .connect(f.bankA)
          .anchorAllowance(cert, sig, await consent(f, cert))
          .then(
            () => fail("anchor refused", "an uncovered allowance was anchored"),
            () => refused.add("anchor"),
          );
        return;
      }
      await send(f.vault.connect(f.bankA).anchorAllowance(cert, sig, await consent(f, cert)));
      const id = certId(f, cert);
      allows.push({
        id,
        cert,
        device,
        nextSerial: 1,
        lock,
        spent: 0n,
        deadline: BigInt(cert.expiry) + BigInt(GRACE),
        released: false,
      });
    };

    /** A payment offline: honest (next serial) or a double spend (a used serial, to a payee who has not seen it). */
    const payOffline = async (double: boolean) => {
      const t = await now();
      const live = allows.filter((a) => !a.released && BigInt(a.cert.expiry) > t + 60n);
      if (live.length === 0) return;
      const a = rng.pick(live);
      let serial: number;
      let payee: string;
      if (double) {
        if (a.nextSerial === 1) return;
        serial = 1 + rng.int(a.nextSerial - 1);
        const seen = held.filter((h) => h.allow === a && Number(h.v.v.serial) === serial).map((h) => h.payee);
        const fresh = payees.filter((p) => !seen.includes(p));
        if (fresh.length === 0) return;
        payee = rng.pick(fresh);
      } else {
        if (a.nextSerial > Number(a.cert.count)) return;
        serial = a.nextSerial++;
        payee = rng.pick(payees);
      }
      const amount = 1n + rng.big(BigInt(a.cert.cap));
      held.push({ allow: a, v: await voucher(f, a.device, a.id, a.cert, payee, amount, serial), payee, state: "new" });
    };

    const forged = async () => {
      const h = open()[0] ?? held[0];
      if (!h) return;
      const fake = { ...h.v.v, amount: BigInt(h.v.v.amount) + 1n };
      await f.vault.redeem(fake, h.v.sig).then(
        () => fail("forgery refused", "an altered voucher was redeemed"),
        () => refused.add("forged"),
      );
    };

    const redeemOne = async (chosen?: Held) => {
      const candidates = open();
      if (candidates.length === 0) return;
      const h = chosen ?? rng.pick(candidates);
      const a = await f.vault.allowanceOf(h.allow.id);
      const bit = 1n << BigInt(Number(h.v.v.serial) - 1);
      const [by] = await f.vault.redemptionOf(h.allow.id, h.v.v.serial);
      if ((a.redeemed & bit) !== 0n && by === ethers.ZeroAddress) {
        // Claimed in bulk: provable once the batch is settled.
        const p = batches.find((b) =>
          !b.settled
            ? false
            : b.claims.some(
                (c, i) => !b.disputed.has(i) && c.allowanceId === h.allow.id && (BigInt(c.serials) & bit) !== 0n,
              ),
        );
        if (!p) return;
        const i = p.claims.findIndex(
          (c, k) => !p.disputed.has(k) && c.allowanceId === h.allow.id && (BigInt(c.serials) & bit) !== 0n,
        );
        const leaves = p.claims.map((c, k) => leafOf(f, c, p.devices[k]));
        const r = await send(
          f.vault
            .connect(f.stranger)
            .redeemDoubleSpent(h.v.v, h.v.sig, { batchId: p.id, leaves, claimIndex: i, claim: p.claims[i] }),
        );
        pay(h, r.logs.some((l) => f.vault.interface.parseLog(l)?.name === "CompensationQueued") ? "owed" : "paid");
        actions.add("redeemDoubleSpent");
        return;
      }
      const r = await send(f.vault.connect(f.stranger).redeem(h.v.v, h.v.sig));
      const names = r.logs.map((l) => f.vault.interface.parseLog(l)?.name);
      if ((a.redeemed & bit) === 0n) h.allow.spent += BigInt(h.v.v.amount);
      pay(h, names.includes("CompensationQueued") ? "owed" : "paid");
    };

    const bulk = async () => {
      const byAllowance = new Map<string, Held[]>();
      for (const h of open()) {
        const a = await f.vault.allowanceOf(h.allow.id);
        if ((a.redeemed & (1n << BigInt(Number(h.v.v.serial) - 1))) !== 0n || h.allow.released) continue;
        if (!rng.chance(0.7)) continue;
        const list = byAllowance.get(h.allow.id) ?? [];
        if (list.some((o) => o.v.v.serial === h.v.v.serial)) continue; // a duplicate: one by one later
        list.push(h);
        byAllowance.set(h.allow.id, list);
      }
      if (byAllowance.size === 0) return;
      const groups = [...byAllowance.values()].map((hs) =>
        hs.sort((x, y) => Number(x.v.v.serial) - Number(y.v.v.serial)),
      );
      const claims = groups.map((hs) =>
        claimOf(
          hs[0].allow.id,
          hs.map((h) => h.v),
        ),
      );
      const r = await send(f.vault.connect(f.bankB).claimBulk(claims));
      const id = await f.vault.batchCount();
      for (const hs of groups)
        for (const h of hs) {
          pay(h, "bulk");
          h.allow.spent += BigInt(h.v.v.amount);
        }
      const end = (await f.vault.batchOf(id)).disputeEnd;
      batches.push({
        id,
        claims,
        devices: groups.map((hs) => hs[0].allow.device.address),
        held: groups,
        disputed: new Set(),
        end,
        settled: false,
      });
      void r;
    };

    const dispute = async () => {
      const t = await now();
      const open_ = batches.filter((b) => !b.settled && b.end > t + 1n);
      if (open_.length === 0) return;
      const b = rng.pick(open_);
      const free = b.claims.map((_, i) => i).filter((i) => !b.disputed.has(i));
      if (free.length === 0) return;
      const i = rng.pick(free);
      const leaves = b.claims.map((c, k) => leafOf(f, c, b.devices[k]));
      await send(f.vault.connect(f.bankA).disputeClaim({ batchId: b.id, leaves, claimIndex: i, claim: b.claims[i] }));
      b.disputed.add(i);
      // The dispute gives the freed vouchers' payees a fresh grace period (redeemUntil only rises).
      const freed = allows.find((a) => a.id === b.claims[i].allowanceId)!;
      const until = (await f.vault.allowanceOf(freed.id)).redeemUntil;
      if (until > freed.deadline) freed.deadline = until;
      for (const h of b.held[i]) {
        paidOnce.delete(h.v.digest);
        h.state = "new";
        h.allow.spent -= BigInt(h.v.v.amount);
      }
    };

    const settle = async () => {
      const t = await now();
      for (const b of batches.filter((x) => !x.settled && x.end < t)) {
        const total = (await f.vault.batchOf(b.id)).total;
        await send(f.vault.settleBulk(b.id));
        b.settled = true;
        bulkReceipts += total;
      }
    };

    /** The last moment `h`'s payee can still be paid: only a serial claimed in bulk is proved later
     * (redeemDoubleSpent, until closedAt + grace); any other voucher is redeemed before redeemUntil. */
    const lastChance = async (h: Held) => {
      const taken = (await f.vault.allowanceOf(h.allow.id)).redeemed & (1n << BigInt(Number(h.v.v.serial) - 1));
      const [by] = taken ? await f.vault.redemptionOf(h.allow.id, h.v.v.serial) : [ethers.ZeroAddress];
      return taken && by === ethers.ZeroAddress ? h.allow.deadline + BigInt(GRACE) : h.allow.deadline;
    };

    /** Advance time, never closer than an hour to a deadline an unredeemed voucher still needs. */
    const warp = async (max: bigint) => {
      const t = await now();
      let limit = t + max;
      for (const h of open()) {
        const d = (await lastChance(h)) - BigInt(HOUR);
        if (d < limit) limit = d;
      }
      if (limit > t + 1n) await time.increaseTo(limit);
    };

    const release = async () => {
      const t = await now();
      for (const a of allows.filter((x) => !x.released)) {
        const s = await f.vault.allowanceOf(a.id);
        // A dispute on a bulk claim extends redeemUntil past the model's deadline (seed 1296503108).
        const until = s.redeemUntil > a.deadline ? s.redeemUntil : a.deadline;
        const at = s.claimsOpenUntil > until ? s.claimsOpenUntil : until;
        if (t > at && !open().some((h) => h.allow === a)) {
          await send(f.vault.release(a.id));
          a.released = true;
        }
      }
    };

    const guarantee = async () => {
      const book = await f.vault.bankBookOf(f.bankA.address);
      if (rng.chance(0.5)) {
        const required = await f.vault.requiredGuarantee(f.bankA.address);
        if (book.debt === 0n && book.guarantee > required)
          await send(f.vault.connect(f.bankA).withdrawGuarantee(book.guarantee - required));
        else refused.add("withdraw");
      } else {
        await send(f.vault.connect(f.bankA).postGuarantee(1n + rng.big(200_000n), 1 + rng.int(4)));
      }
    };

    const check = async () => {
      let expected = 0n;
      for (const a of allows) {
        const s = await f.vault.allowanceOf(a.id);
        const want = a.released ? 0n : a.lock - a.spent;
        if (s.remaining !== want) fail("allowance remaining", `${a.id}: chain ${s.remaining}, model ${want}`);
        expected += s.remaining;
      }
      for (const b of [f.bankA, f.bankB]) expected += (await f.vault.bankBookOf(b.address)).guarantee;
      for (const b of batches) if (!b.settled) expected += (await f.vault.batchOf(b.id)).total;
      for (const p of payees) expected += await f.vault.creditOf(p);
      const balance = await f.token.balanceOf(f.vaultAddress);
      if (balance !== expected) fail("conservation", `vault holds ${balance}, owes ${expected}`);
      checks += 2;
    };

    for (step = 0; step < options.steps; step++) {
      const r = rng.int(20);
      const kind =
        r < 3
          ? "anchor"
          : r < 8
            ? "pay"
            : r < 10
              ? "double"
              : r < 11
                ? "forged"
                : r < 14
                  ? "redeem"
                  : r < 15
                    ? "bulk"
                    : r < 16
                      ? "dispute"
                      : r < 18
                        ? "warp"
                        : r < 19
                          ? "guarantee"
                          : "release";
      actions.add(kind);
      // An honest payee reconnects in time: a voucher within an hour of its last chance is redeemed now.
      for (const h of open())
        if ((await lastChance(h)) - (await now()) < BigInt(HOUR)) {
          await settle();
          await redeemOne(h);
        }
      if (kind === "anchor") await anchor();
      else if (kind === "pay") await payOffline(false);
      else if (kind === "double") await payOffline(true);
      else if (kind === "forged") await forged();
      else if (kind === "redeem") await redeemOne();
      else if (kind === "bulk") await bulk();
      else if (kind === "dispute") await dispute();
      else if (kind === "warp") {
        await warp(BigInt(rng.int(3 * DAY)));
        await settle();
      } else if (kind === "guarantee") await guarantee();
      else await release();
      await check();
      options.onProgress?.(step + 1);
    }

    // Everyone reconnects: settle what can be, redeem everything left, fund the debts, claim credits.
    for (let round = 0; round < 4 && (open().length > 0 || batches.some((b) => !b.settled)); round++) {
      while (open().length > 0) {
        const before = open().length;
        await redeemOne();
        if (open().length === before) break; // waiting on a bulk batch's window
      }
      await warp(BigInt(WINDOW) + 2n);
      await settle();
    }
    await f.token.connect(f.operator).mint(f.bankA.address, 10n ** 9n);
    await send(f.vault.connect(f.bankA).postGuarantee(10n ** 9n, 1_000));
    for (const p of [f.shop1, f.shop2])
      if ((await f.vault.creditOf(p.address)) > 0n) await send(f.vault.connect(p).claimCredit());
    await check();
    if ((await f.vault.bankBookOf(f.bankA.address)).debt !== 0n) fail("debts paid", "queued compensations remain");
    const unpaid = held.filter((h) => h.state === "new");
    if (unpaid.length > 0) fail("honest payees whole", `${unpaid.length} accepted vouchers were never paid`);
    let owed = 0n;
    for (const h of held) owed += BigInt(h.v.v.amount);
    let got = bulkReceipts;
    for (const p of payees) got += await f.token.balanceOf(p);
    if (got !== owed) fail("honest payees whole", `payees and their bank received ${got}, the vouchers carry ${owed}`);
    checks += 2;
    return {
      campaign: NAME,
      seed: options.seed,
      steps: options.steps,
      checks,
      actions: actions.counts,
      refused: refused.counts,
    };
  } finally {
    await hre.network.provider.send("evm_revert", [snapshot]);
  }
}

export const campaign: Campaign = {
  name: NAME,
  description:
    "OfflineVault: anchoring, honest and double-spent vouchers, forgeries, one-by-one and bulk redemption in any order, disputes, guarantee shortfalls, warps, releases; conservation, paid once, honest payees whole",
  run,
};
