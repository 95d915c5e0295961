/**
 * The indexer: turns the events the feed reads into the read models of the index. A batch is
 * built from its events (submitter, sequence, header, counterparties from the mask, who
 * acknowledged or disputed, the cycle that netted it) plus one read of its anchor (stored status
 * and acknowledgement mask) when an event touches it; a cycle, an agreement and the member list are
 * read once when one of their events arrives. So a request never asks the node per item: the cost
 * of a read is paid once per event, at index time.
 */
import type { Hex } from "viem";
import type { Clearhouse } from "@clearhouse/sdk";
import { orderKey } from "../store/sqlite";
import { plain, type PublicEvent } from "../publicEvent";
import type { IndexCommit, IndexItem, IndexStore, IndexedEvent } from "./types";

/** Reads side by side at index time (bounded, so a first index of a long chain does not flood the node). */
const READ_CONCURRENCY = 16;

/** A batch as the index keeps it (the API adds the effective status at request time). */
export interface IndexedBatch {
  batchId: string;
  submitter: string;
  sequence: string;
  digest: string;
  header: Record<string, string>;
  blockNumber: string;
  submittedAt: number;
  /** The ledger's stored status (before the clock and the acknowledgements make it Final). */
  storedStatus: string;
  counterpartyMask: string;
  ackMask: string;
  windowClosesAt: number;
  nettedIn?: string;
  /** Counterparties (from the mask) and who acknowledged or disputed, lowercase. */
  counterparties: string[];
}

/**
 * The batch's effective status, as the ledger's `statusOf` computes it: Submitted becomes Final
 * once every counterparty acknowledged or the window closed (by the last indexed block's time).
 */
export function effectiveStatus(b: IndexedBatch, headTime: number): string {
  if (b.storedStatus !== "Submitted") return b.storedStatus;
  if (headTime > b.windowClosesAt || BigInt(b.ackMask) === BigInt(b.counterpartyMask)) return "Final";
  return b.storedStatus;
}

const lower = (v: unknown) => String(v).toLowerCase();
const isAddress = (v: unknown): v is string => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);

/** Every address an event's arguments name (lowercase, once each). */
function accountsOf(args: unknown, out = new Set<string>()): Set<string> {
  if (isAddress(args)) out.add(args.toLowerCase());
  else if (Array.isArray(args)) for (const v of args) accountsOf(v, out);
  else if (args && typeof args === "object") for (const v of Object.values(args)) accountsOf(v, out);
  return out;
}

async function inChunks<T, R>(items: T[], fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += READ_CONCURRENCY)
    out.push(...(await Promise.all(items.slice(i, i + READ_CONCURRENCY).map(fn))));
  return out;
}

export class Indexer {
  constructor(
    private readonly ch: Clearhouse,
    readonly store: IndexStore,
  ) {}

  /**
   * Index `events` (in chain order) up to block `head`; events at or below the index cursor are
   * skipped (a restart re-reads blocks the delivery store had not committed). One transaction.
   */
  async apply(events: PublicEvent[], head: bigint): Promise<void> {
    const cursor = await this.store.cursor();
    if (cursor !== undefined && head <= cursor) return;
    const fresh = events.filter((e) => cursor === undefined || BigInt(e.blockNumber) > cursor);
    const ctx = this.ch.context;
    const contracts = ctx.deployment.contracts;
    const banks = await this.store.banks();
    const newBanks: [number, string][] = [];
    const batches = new Map<string, IndexedBatch & { ord: number }>();
    const touched = new Set<string>();
    const cycles = new Map<string, number>();
    const agreements = new Map<string, number>();
    let membersDirty = cursor === undefined;
    const indexed: IndexedEvent[] = [];
    const blockTimes = new Map<string, number>();

    const batchOf = async (id: string) => {
      let b = batches.get(id);
      if (!b) {
        const row = await this.store.get("batch", id);
        if (!row) return undefined;
        b = { ...(JSON.parse(row.body) as IndexedBatch), ord: row.ord };
        batches.set(id, b);
      }
      return b;
    };

    for (const e of fresh) {
      const ord = orderKey(BigInt(e.blockNumber), e.logIndex);
      const a = e.args;
      const subject = a.batchId ?? a.agreementId ?? a.cycleId;
      indexed.push({
        ord,
        id: e.id,
        blockNumber: BigInt(e.blockNumber),
        subject: subject === undefined ? undefined : lower(subject),
        body: JSON.stringify(e),
        parties: [...accountsOf(a)],
      });
      if (e.contract === "SettlementLedger") {
        if (e.event === "BankEnrolled" || e.event === "BankIndexReused") {
          banks.set(Number(a.index), lower(a.bank));
          newBanks.push([Number(a.index), lower(a.bank)]);
        } else if (e.event === "BatchSubmitted") {
          const header = a.header as Record<string, string>;
          const mask = BigInt(header.counterpartyMask);
          const counterparties = [...banks].filter(([i]) => (mask >> BigInt(i)) & 1n).map(([, bank]) => bank);
          const id = lower(a.batchId);
          batches.set(id, {
            ord,
            batchId: a.batchId as string,
            submitter: a.submitter as string,
            sequence: a.sequence as string,
            digest: a.digest as string,
            header,
            blockNumber: e.blockNumber,
            submittedAt: 0,
            storedStatus: "Submitted",
            counterpartyMask: header.counterpartyMask,
            ackMask: "0",
            windowClosesAt: Number(header.closesAt),
            counterparties,
          });
          blockTimes.set(e.blockNumber, 0);
          touched.add(id);
        } else if (a.batchId !== undefined) {
          const b = await batchOf(lower(a.batchId));
          if (b) {
            touched.add(lower(a.batchId));
            if (a.counterparty !== undefined && !b.counterparties.includes(lower(a.counterparty)))
              b.counterparties.push(lower(a.counterparty));
            if (e.event === "BatchNetted") b.nettedIn = a.cycleId as string;
          }
        }
      } else if (e.contract === "NettingEngine" && a.cycleId !== undefined) {
        if (!cycles.has(a.cycleId as string)) cycles.set(a.cycleId as string, ord);
      } else if (e.contract === "ConditionalEscrow" && a.agreementId !== undefined) {
        if (!agreements.has(a.agreementId as string)) agreements.set(a.agreementId as string, ord);
      } else if (e.contract === "ConsortiumRegistry" && e.event.startsWith("Member")) membersDirty = true;
    }

    // The reads events cannot replace, once per touched item, at the indexed head.
    await inChunks(contracts.SettlementLedger ? [...touched] : [], async (id) => {
      const b = batches.get(id)!;
      const anchor = await this.ch.settlement.getAnchor({ batchId: b.batchId as Hex });
      b.storedStatus = anchor.storedStatus;
      b.ackMask = anchor.ackMask.toString();
    });
    await inChunks([...blockTimes.keys()], async (n) => {
      blockTimes.set(n, Number((await ctx.publicClient.getBlock({ blockNumber: BigInt(n) })).timestamp));
    });
    const headTime = Number((await ctx.publicClient.getBlock({ blockNumber: head })).timestamp);

    const items: IndexItem[] = [];
    for (const id of touched) {
      const { ord, ...b } = batches.get(id)!;
      if (b.submittedAt === 0) b.submittedAt = blockTimes.get(b.blockNumber) ?? 0;
      const parties = [lower(b.submitter), ...b.counterparties];
      items.push({ kind: "batch", key: id, ord, body: JSON.stringify(b), parties: [...new Set(parties)] });
    }
    const known = async (kind: "cycle" | "agreement", key: string, ord: number) =>
      (await this.store.get(kind, key))?.ord ?? ord;
    for (const c of await inChunks([...cycles], async ([id, ord]) => ({
      id,
      ord: await known("cycle", id, ord),
      body: plain(await this.ch.settlement.getCycle({ cycleId: BigInt(id) })),
    })))
      items.push({ kind: "cycle", key: c.id, ord: c.ord, body: JSON.stringify(c.body), parties: [] });
    for (const g of await inChunks([...agreements], async ([id, ord]) => ({
      id,
      ord: await known("agreement", id, ord),
      a: await this.ch.payments.getAgreement({ agreementId: BigInt(id) }),
    }))) {
      const parties = [g.a.payer, g.a.arbiter, ...g.a.attestors, ...g.a.milestones.map((m) => m.payee)].map(lower);
      items.push({
        kind: "agreement",
        key: g.id,
        ord: g.ord,
        body: JSON.stringify(plain(g.a)),
        parties: [...new Set(parties)],
      });
    }
    const commit: IndexCommit = { items, events: indexed, banks: newBanks, cursor: head, headTime };
    if (membersDirty) {
      const members = await this.ch.registry.listMembers();
      members.forEach((m, i) =>
        items.push({ kind: "member", key: lower(m.account), ord: i, body: JSON.stringify(plain(m)), parties: [] }),
      );
      commit.replace = ["member"];
    }
    await this.store.commit(commit);
  }
}
