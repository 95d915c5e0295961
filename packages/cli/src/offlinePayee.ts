/**
 * The payee's side of `clearhouse offline`: a snapshot of the consortium taken online, vouchers
 * accepted with no network against it, and their redemption on reconnect (idempotent: each
 * voucher's status on chain is read first, so a retry after a crash skips what was paid).
 */
import type { Command } from "commander";
import { renderTable, type Clearhouse, type WriteResult } from "@clearhouse/sdk";
import { ContractRevertError } from "@clearhouse/sdk/errors";
import { acceptVoucher, offlineVault, type AcceptedVoucher } from "@clearhouse/sdk/offline";
import { ExitCode, UsageError } from "./exit";
import { addressArg } from "./member";
import {
  isoOf,
  money,
  nowSeconds,
  readAllowanceFile,
  readBookFile,
  readConsortiumFile,
  readExistingBook,
  readVoucherFile,
  shortHex,
  writeBookFile,
  writeConsortiumFile,
  type TokenInfo,
} from "./offlineFiles";
import { connect, hasKey, loadKey, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

/** What became of one voucher on reconnect. */
export interface RedeemOutcome {
  allowanceId: string;
  serial: number;
  amount: bigint;
  /** Paid to the payee by this run. */
  paid: boolean;
  outcome: string;
  tx?: string;
}

/** How a redemption paid: from the allowance, from the bank's guarantee, or queued as the bank's debt. */
async function paidHow(ch: Clearhouse, tx: WriteResult): Promise<string> {
  const how = await ch.offline.getRedemptionOutcome({ hash: tx.hash });
  if (how === "queued") return "double spend: owed by the bank (its guarantee is short); claimable when it pays";
  if (how === "double-spend") return "double spend: paid from the bank's guarantee, device frozen";
  if (how === "guarantee") return "redeemed (unfunded certificate: paid from the bank's guarantee)";
  return "redeemed";
}

/** Redeem one accepted voucher as its status on chain calls for. */
async function redeemOne(
  ch: Clearhouse,
  a: AcceptedVoucher,
  allowanceOnly: boolean,
): Promise<Omit<RedeemOutcome, "allowanceId" | "serial" | "amount">> {
  const voucher = a.voucher;
  const status = await ch.offline.getVoucherStatus({ voucher });
  if (status === "redeemed") return { paid: false, outcome: "redeemed before" };
  if (status === "compensated") return { paid: false, outcome: "compensated before" };
  if (status === "claimed-in-bulk") {
    const v = voucher.voucher;
    const evidence = await ch.offline.findBulkEvidence({ allowanceId: v.allowanceId, serial: v.serial });
    if (!evidence) return { paid: false, outcome: "claimed in bulk (no claim found on chain): retry later" };
    const mask = evidence.claim.serials & ((1n << BigInt(v.serial - 1)) - 1n);
    let at = 0;
    for (let m = mask; m !== 0n; m &= m - 1n) at++;
    const claimed = evidence.claim.vouchers[at];
    if (
      claimed &&
      claimed.payee.toLowerCase() === v.payee.toLowerCase() &&
      claimed.amount === v.amount &&
      claimed.expiry === v.expiry
    )
      return { paid: false, outcome: `claimed in bulk by the bank (batch ${evidence.batchId})` };
    if (allowanceOnly) return { paid: false, outcome: "skipped: a double spend (paid from the guarantee)" };
    const batch = await ch.offline.getBulkBatch({ batchId: evidence.batchId });
    // Provable once the window is over, settled or not (a claiming bank that cannot receive must
    // not hold the proof up).
    const now = (await ch.context.publicClient.getBlock()).timestamp;
    if (now <= batch.disputeEnd)
      return {
        paid: false,
        outcome: `double spend against batch ${evidence.batchId}, in its dispute window: retry after ${isoOf(batch.disputeEnd)}`,
      };
    const tx = await ch.offline.redeemDoubleSpent({ voucher, evidence });
    return { paid: true, outcome: await paidHow(ch, tx), tx: tx.hash };
  }
  if (status === "taken-by-another" && allowanceOnly)
    return { paid: false, outcome: "skipped: a double spend (paid from the guarantee)" };
  const stored = await ch.offline.getAllowance({ allowanceId: a.allowanceId });
  if (stored.status === 0) {
    if (allowanceOnly) return { paid: false, outcome: "skipped: certificate never anchored (the guarantee pays)" };
    const tx = await ch.offline.redeemUnfunded({ allowance: a.allowance, voucher });
    return { paid: true, outcome: await paidHow(ch, tx), tx: tx.hash };
  }
  const tx = await ch.offline.redeemVoucher({ voucher });
  return { paid: true, outcome: await paidHow(ch, tx), tx: tx.hash };
}

/** The table `redeem` and `claim` print. */
export function outcomeTable(token: TokenInfo, rows: readonly RedeemOutcome[]): string {
  return renderTable(rows, [
    { header: "allowance", value: (r) => shortHex(r.allowanceId as `0x${string}`) },
    { header: "serial", value: (r) => String(r.serial), align: "right" },
    { header: "amount", value: (r) => money(token, r.amount), align: "right" },
    { header: "outcome", value: (r) => r.outcome },
  ]);
}

/** Redeem accepted vouchers one by one, printing a progress line each; refusals are outcomes, not aborts. */
export async function redeemAll(
  ch: Clearhouse,
  io: CliIo,
  g: GlobalOptions,
  accepted: readonly AcceptedVoucher[],
  allowanceOnly = false,
): Promise<RedeemOutcome[]> {
  const rows: RedeemOutcome[] = [];
  for (const [i, a] of accepted.entries()) {
    const v = a.voucher.voucher;
    let r: Omit<RedeemOutcome, "allowanceId" | "serial" | "amount">;
    try {
      r = await redeemOne(ch, a, allowanceOnly);
    } catch (e) {
      if (!(e instanceof ContractRevertError)) throw e;
      r = { paid: false, outcome: `refused: ${e.shortMessage}` };
    }
    rows.push({ allowanceId: a.allowanceId, serial: v.serial, amount: v.amount, ...r });
    if (!g.json) io.err(`[${i + 1}/${accepted.length}] serial ${v.serial} of ${shortHex(a.allowanceId)}: ${r.outcome}`);
  }
  return rows;
}

/** Adds sync, accept and redeem to `offline`. */
export function addPayeeCommands(offline: Command, io: CliIo, globals: () => GlobalOptions): void {
  offline
    .command("sync")
    .description("online: snapshot what a payee checks offline (chain, vault, member banks, frozen devices)")
    .requiredOption("--out <file>", "the consortium snapshot to write")
    .addHelpText("after", "\nExample:\n  clearhouse offline sync --out consortium.json")
    .action(async (o: { out: string }) => {
      const g = globals();
      const ch = connect(g, io, false);
      const vault = offlineVault(ch.context).address;
      const block = await ch.context.publicClient.getBlock();
      const members = await ch.registry.listMembers();
      const banks = members
        .filter((m) => m.status === "Active" && m.roleNames.includes("MEMBER_BANK"))
        .map((m) => m.account);
      const frozenDevices = await ch.offline.getFrozenDevices({ toBlock: block.number });
      const { symbol, decimals } = ch.deployment.token;
      writeConsortiumFile(o.out, {
        chainId: ch.deployment.chainId,
        vault,
        token: { symbol, decimals },
        banks,
        frozenDevices,
        block: block.number,
        syncedAt: block.timestamp,
      });
      print(
        io,
        g,
        `Wrote ${o.out}: ${banks.length} member banks, ${frozenDevices.length} frozen devices, as of block ${block.number}`,
        { file: o.out, banks, frozenDevices, block: block.number },
      );
    });

  offline
    .command("accept")
    .description("offline: check a voucher against its certificate and the snapshot, and keep it in the book")
    .requiredOption("--voucher <file>", "the voucher received")
    .requiredOption("--allowance <file>", "the payer's certificate")
    .requiredOption("--book <file>", "the payee's book (created if missing)")
    .requiredOption("--consortium <file>", "the snapshot from `offline sync`")
    .option("--payee <address>", "who must be paid (default: the book's payee, else the --key-file account)")
    .addHelpText(
      "after",
      "\nNo node is asked. A refusal prints its reason code (serial-seen, bad-amount, …) and exits 2:\n" +
        "do not hand over the goods.\n" +
        "\nExample:\n  clearhouse --key-file shop.key offline accept --voucher voucher.json --allowance allowance.json \\\n" +
        "    --book book.json --consortium consortium.json",
    )
    .action(async (o: { voucher: string; allowance: string; book: string; consortium: string; payee?: string }) => {
      const g = globals();
      const voucher = readVoucherFile(o.voucher);
      const allowance = readAllowanceFile(o.allowance);
      const snapshot = readConsortiumFile(o.consortium);
      const existing = readBookFile(o.book);
      const payee = o.payee
        ? addressArg("--payee", o.payee, io)
        : (existing?.payee ??
          (hasKey(g, io)
            ? loadKey(g, io).address
            : (() => {
                throw new UsageError("Whom does the voucher pay?", "Pass --payee <address> or --key-file <payee key>.");
              })()));
      const { book, accepted } = await acceptVoucher(existing ?? { payee, accepted: [] }, allowance, voucher, {
        chainId: snapshot.chainId,
        vault: snapshot.vault,
        payee,
        banks: snapshot.banks,
        frozenDevices: snapshot.frozenDevices,
        now: nowSeconds(),
      });
      writeBookFile(o.book, book);
      const total = book.accepted.reduce((s, a) => s + a.voucher.voucher.amount, 0n);
      const v = accepted.voucher.voucher;
      print(
        io,
        g,
        `Accepted ${money(snapshot.token, v.amount)} (serial ${v.serial} of allowance ${shortHex(accepted.allowanceId)}); ${o.book} holds ${book.accepted.length} vouchers, ${money(snapshot.token, total)}`,
        {
          file: o.book,
          allowanceId: accepted.allowanceId,
          serial: v.serial,
          amount: v.amount,
          digest: accepted.digest,
          vouchers: book.accepted.length,
          total,
        },
      );
    });

  offline
    .command("redeem")
    .description("reconnected: redeem the book's vouchers one by one (a retry skips what is paid)")
    .requiredOption("--book <file>", "the payee's book")
    .option("--allowance-only", "redeem only what allowances pay; skip double spends and unanchored certificates")
    .addHelpText(
      "after",
      "\nEach voucher's status is read first: redeemed or compensated ones are skipped; a serial another\n" +
        "voucher took is redeemed anyway (a double spend: the bank's guarantee pays, the device is frozen);\n" +
        "a serial claimed in bulk is proved a double spend once the batch's dispute window is over.\n" +
        "\nExample:\n  clearhouse --key-file shop.key offline redeem --book book.json",
    )
    .action(async (o: { book: string; allowanceOnly?: boolean }) => {
      const g = globals();
      const book = readExistingBook(o.book);
      const ch = connect(g, io, true);
      const rows = await redeemAll(ch, io, g, book.accepted, o.allowanceOnly === true);
      const total = rows.filter((r) => r.paid).reduce((s, r) => s + r.amount, 0n);
      const token = ch.deployment.token;
      const paid = rows.filter((r) => r.paid).length;
      print(
        io,
        g,
        `${rows.length ? outcomeTable(token, rows) + "\n" : ""}Redeemed ${paid} of ${rows.length} vouchers: ${money(token, total)} paid to ${book.payee}`,
        { payee: book.payee, vouchers: rows, redeemed: paid, total },
      );
      if (rows.some((r) => r.outcome.startsWith("refused")))
        throw new UsageError("Some vouchers were refused (see the table).", "", true, ExitCode.refusedByChain);
    });

  offline
    .command("credit")
    .description("take the double-spend compensations credited to you (queued while the payer's bank was short)")
    .addHelpText(
      "after",
      "\nA compensation the bank's guarantee could not cover waits in its queue; once the bank posts to its\n" +
        "guarantee (or anyone runs payDebts) it is credited to the payee, who takes it here.\n" +
        "\nExample:\n  clearhouse --key-file shop.key offline credit",
    )
    .action(async () => {
      const g = globals();
      const ch = connect(g, io, true);
      const payee = ch.context.walletClient!.account.address;
      const credit = await ch.offline.getCredit({ payee });
      if (credit === 0n)
        throw new UsageError(
          `Nothing is credited to ${payee}.`,
          "Queued compensations are credited when the payer's bank posts to its guarantee (`offline status --bank`).",
          false,
          ExitCode.refusedByChain,
        );
      const tx = await ch.offline.claimCredit();
      print(io, g, `Took ${money(ch.deployment.token, credit)} of compensations (tx ${tx.hash})`, {
        payee,
        amount: credit,
        tx,
      });
    });
}
