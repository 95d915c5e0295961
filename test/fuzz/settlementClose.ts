/**
 * Closes of the settlement fuzz campaign, in one transaction (closeCycleWith) or several
 * (beginClose / closeStep / finishClose, sometimes with a bank's capacity or standing changed
 * before the finish, which must then be refused and the close begun again), each compared with the
 * reference rule (closeByRule) and applied to the model: invariants 3 and 4.
 */
import type { ContractTransactionReceipt } from "ethers";
import type { Rng } from "./campaign";
import type { ModelClose } from "../contracts/settlement/netting-model";
import { Status } from "../contracts/settlement/helpers";
import { bit, type BatchState } from "./settlementModel";
import { Broken, capacities, declarationOf, send, type World } from "./settlementWorld";

type Args = Record<string, unknown> & unknown[];

function events(w: World, receipts: ReadonlyArray<ContractTransactionReceipt>, name: string): Args[] {
  const engine = w.f.engineAddress.toLowerCase();
  const out: Args[] = [];
  for (const r of receipts) {
    for (const log of r.logs) {
      if (log.address.toLowerCase() !== engine) continue;
      const parsed = w.f.engine.interface.parseLog(log);
      if (parsed?.name === name) out.push(parsed.args as unknown as Args);
    }
  }
  return out;
}

/** The result of a close: whether it was refused, and the accounts it must have paid or charged. */
export interface CloseOutcome {
  refused: boolean;
  receipts: ContractTransactionReceipt[];
  participants: string[];
}

async function capacityFns(w: World, indexes: number[]) {
  const caps = await capacities(w, indexes);
  return {
    capacity: (i: number) => (caps.get(i)!.inactive ? 0n : caps.get(i)!.funds + caps.get(i)!.credit),
    funds: (i: number) => caps.get(i)?.funds ?? 0n,
  };
}

/** Participants of `presented`: debtors and live creditors. */
function participantsOf(w: World, presented: readonly BatchState[]): number[] {
  return w.model.rule(presented, () => 0n).participants;
}

/**
 * Compare the events of a successful close with the rule's `close`, then apply it to the model.
 * `carriedFrom` are the receipts whose BatchCarried events belong to the close (the final session).
 */
async function verifyClose(
  w: World,
  presented: readonly BatchState[],
  close: ModelClose,
  caps: { capacity: (i: number) => bigint; funds: (i: number) => bigint },
  last: ContractTransactionReceipt,
  carriedFrom: ContractTransactionReceipt[],
): Promise<void> {
  const { model } = w;
  const cycle = model.cycle.id;
  const index = new Map(w.signers.map((s, i) => [s.address.toLowerCase(), i]));
  const before = new Map(model.banks.map((b) => [b.index, b.deferrals]));
  const wasBarred = new Map(model.banks.map((b) => [b.index, b.barred]));
  const applied = model.applyClose(presented, close, caps.funds, w.f.engineAddress);
  // Invariant 4: held set, capacities and consecutive counts.
  const held = events(w, [last], "BankHeld");
  const heldGot = held.map((e) => index.get((e[1] as string).toLowerCase())!).sort((a, b) => a - b);
  const heldWant = [...close.held].sort((a, b) => a - b);
  if (heldGot.join() !== heldWant.join()) {
    throw new Broken("close = rule", `cycle ${cycle}: BankHeld [${heldGot}], the rule holds [${heldWant}]`);
  }
  for (const e of held) {
    const i = index.get((e[1] as string).toLowerCase())!;
    const inactive = close.inactive.has(i);
    const want = inactive ? [true, 0n, 0n] : [false, caps.capacity(i), BigInt(model.banks[i]!.deferrals)];
    const got = [e[2], e[3], e[4]];
    if (String(got) !== String(want)) {
      throw new Broken("close = rule", `cycle ${cycle}: BankHeld(${i}) = ${String(got)}, model ${String(want)}`);
    }
  }
  const heldMask = heldWant.reduce((m, i) => m | bit(i), 0n);
  if ((await w.f.engine.heldIn(cycle)) !== heldMask)
    throw new Broken("close = rule", `heldIn(${cycle}) != ${heldMask}`);
  // Net positions and where the money came from.
  const nets = events(w, [last], "NetPosition");
  const seen = new Set<number>();
  for (const e of nets) {
    const i = index.get((e[1] as string).toLowerCase())!;
    if (seen.has(i)) throw new Broken("close = rule", `cycle ${cycle}: two NetPosition events for bank ${i}`);
    seen.add(i);
    const want = [close.net.get(i), applied.fromBalance.get(i) ?? 0n, applied.fromCredit.get(i) ?? 0n];
    if (String([e[2], e[3], e[4]]) !== String(want)) {
      throw new Broken(
        "close = rule",
        `cycle ${cycle}: NetPosition(${i}) = ${String([e[2], e[3], e[4]])}, rule ${String(want)}`,
      );
    }
  }
  if (seen.size !== close.net.size) {
    throw new Broken(
      "close = rule",
      `cycle ${cycle}: ${seen.size} NetPosition events, the rule nets ${close.net.size} banks`,
    );
  }
  // Escalation: the banks barred by this close are those whose count reached the limit.
  const limit = events(w, [last], "DeferralLimitReached").map((e) => index.get((e[1] as string).toLowerCase())!);
  const limitWant = model.banks.filter((b) => b.barred && !wasBarred.get(b.index)).map((b) => b.index);
  const cleared = events(w, [last], "DeferralsCleared").map((e) => index.get((e[1] as string).toLowerCase())!);
  const clearedWant = model.banks.filter((b) => before.get(b.index)! > 0 && b.deferrals === 0).map((b) => b.index);
  if (
    limit.sort((a, b) => a - b).join() !== limitWant.join() ||
    cleared.sort((a, b) => a - b).join() !== clearedWant.join()
  ) {
    throw new Broken(
      "close = rule",
      `cycle ${cycle}: barred [${limit}] cleared [${cleared}], model [${limitWant}] [${clearedWant}]`,
    );
  }
  // Invariant 3: every batch carried exactly once with exactly its held entries; the gross settled.
  for (const i of close.held) w.stats.add(close.inactive.has(i) ? "held inactive" : "held short");
  for (let k = 0; k < limit.length; k++) w.stats.add("barred");
  for (let k = 0; k < cleared.length; k++) w.stats.add("deferrals cleared");
  const carried = new Map<string, bigint>();
  for (const e of events(w, carriedFrom, "BatchCarried")) {
    const id = e[1] as string;
    if (carried.has(id)) throw new Broken("obligations conserved", `cycle ${cycle}: ${id} carried twice`);
    carried.set(id, e[2] as bigint);
  }
  const carriedWant = new Map(close.carried);
  for (const [id, mask] of carriedWant) {
    if (carried.get(id) !== mask) {
      throw new Broken("obligations conserved", `cycle ${cycle}: ${id} carried ${carried.get(id)}, rule ${mask}`);
    }
  }
  for (let k = 0; k < carried.size; k++) w.stats.add("batches carried");
  if (carried.size !== carriedWant.size) {
    throw new Broken(
      "obligations conserved",
      `cycle ${cycle}: ${carried.size} batches carried, rule ${carriedWant.size}`,
    );
  }
  const [closed] = events(w, [last], "CycleClosed");
  const want = [applied.settledGross, close.netSettled, BigInt(close.held.size)];
  if (!closed || String([closed[1], closed[2], closed[3]]) !== String(want) || applied.settledGross !== close.gross) {
    throw new Broken(
      "obligations conserved",
      `CycleClosed(${cycle}) = ${String(closed?.slice(1))}, model ${String(want)}`,
    );
  }
}

/** After a successful close: the next cycle (open or not), the model's view of it. */
function advance(w: World, openNext: boolean): void {
  w.model.cycle = { id: w.model.cycle.id + 1n, open: openNext };
}

/** closeCycleWith every pending batch + some fresh final ones (now and then a wrong set, refused). */
export async function closeInOne(w: World, rng: Rng): Promise<CloseOutcome> {
  const { model } = w;
  let presented = [...model.pending(), ...model.fresh().filter(() => rng.chance(0.7))];
  if (presented.length > 0 && rng.chance(0.04)) presented = presented.slice(1);
  if (rng.chance(0.04)) {
    const wrong = model.batches.filter((x) => x.stored !== Status.Netted && model.effective(x) !== Status.Final);
    if (wrong.length) presented.push(rng.pick(wrong));
  }
  const openNext = rng.chance(0.85);
  const expected = model.expectClose(presented);
  const indexes = participantsOf(w, presented);
  const caps = await capacityFns(w, indexes);
  const close = model.rule(presented, caps.capacity);
  const cycle = model.cycle.id;
  const operator = w.f.engine.connect(w.f.operator);
  const declarations = presented.map((x) => declarationOf(w, x));
  const r = await send(w, "closeCycleWith", () => operator.closeCycleWith(cycle, declarations, openNext), expected);
  if (!r) return { refused: true, receipts: [], participants: [] };
  await verifyClose(w, presented, close, caps, r, [r]);
  advance(w, openNext);
  return { refused: false, receipts: [r], participants: indexes.map((i) => w.signers[i]!.address) };
}

/** Present `presented` in 1–3 closeStep transactions; fresh ones become pending in the cycle. */
async function steps(w: World, rng: Rng, presented: readonly BatchState[]): Promise<ContractTransactionReceipt[]> {
  const operator = w.f.engine.connect(w.f.operator);
  const chunks = Math.min(presented.length, 1 + rng.int(3));
  const out: ContractTransactionReceipt[] = [];
  const cycle = w.model.cycle.id;
  for (let c = 0; c < Math.max(chunks, 1); c++) {
    const part = presented.filter((_, k) => k % Math.max(chunks, 1) === c);
    const r = await send(
      w,
      "closeStep",
      () =>
        operator.closeStep(
          cycle,
          part.map((x) => declarationOf(w, x)),
        ),
      null,
    );
    for (const x of part) if (x.live === 0n) w.model.enter(x);
    out.push(r!);
  }
  return out;
}

/**
 * The close in several transactions, with the held set the rule computes. With some probability a
 * bank's allowance is revoked or a bank suspended between the steps and the finish: the model
 * predicts NettingNotCovered / NettingMustHold (or success), and a refused finish is followed by a
 * new session under the rule's new held set.
 */
export async function closeInSteps(w: World, rng: Rng): Promise<CloseOutcome & { restarted: boolean }> {
  const { model, f } = w;
  const cycle = model.cycle.id;
  const operator = f.engine.connect(f.operator);
  if (!model.cycle.open) {
    await send(w, "beginClose", () => operator.beginClose(cycle, 0n), { name: "NettingNoOpenCycle", args: [cycle] });
    return { refused: true, receipts: [], participants: [], restarted: false };
  }
  const presented = [...model.pending(), ...model.fresh().filter(() => rng.chance(0.7))];
  const indexes = participantsOf(w, presented);
  let caps = await capacityFns(w, indexes);
  let close = model.rule(presented, caps.capacity);
  const maskOf = (c: ModelClose) => [...c.held].reduce((m, i) => m | bit(i), 0n);
  await send(w, "beginClose", () => operator.beginClose(cycle, maskOf(close)), null);
  let stepReceipts = await steps(w, rng, presented);
  const receipts = [...stepReceipts];
  const settling = indexes.filter((i) => !close.held.has(i));
  let restarted = false;
  if (settling.length && rng.chance(0.35)) {
    const i = rng.pick(settling);
    const b = model.banks[i]!;
    if (rng.chance(0.7) && !b.revoked) {
      await send(w, "approve 0", () => f.token.connect(w.signers[i]!).approve(f.engineAddress, 0n), null);
      b.revoked = true;
    } else if (b.suspendedSince === null && !b.sanctioned) {
      const r = await send(w, "suspend", () => f.registry.connect(f.owner).suspendMember(b.address), null);
      b.suspendedSince = r!.blockNumber;
    }
    caps = await capacityFns(w, indexes);
    const refusal = model.expectFinish(close, close.held, caps.capacity);
    const openNext = rng.chance(0.85);
    const r = await send(w, "finishClose", () => operator.finishClose(cycle, openNext), refusal);
    if (refusal) w.stats.add(`finish refused ${refusal.name}`);
    if (r) {
      await verifyClose(w, presented, close, caps, r, stepReceipts);
      advance(w, openNext);
      return { refused: false, receipts: [...receipts, r], participants: indexes.map(addrOf(w)), restarted };
    }
    restarted = true;
    close = model.rule(presented, caps.capacity);
    await send(w, "beginClose again", () => operator.beginClose(cycle, maskOf(close)), null);
    stepReceipts = await steps(w, rng, presented);
    receipts.push(...stepReceipts);
  }
  caps = await capacityFns(w, indexes);
  const openNext = rng.chance(0.85);
  const r = await send(
    w,
    "finishClose",
    () => operator.finishClose(cycle, openNext),
    model.expectFinish(close, close.held, caps.capacity),
  );
  await verifyClose(w, presented, close, caps, r!, stepReceipts);
  advance(w, openNext);
  return { refused: false, receipts: [...receipts, r!], participants: indexes.map(addrOf(w)), restarted };
}

const addrOf = (w: World) => (i: number) => w.signers[i]!.address;
