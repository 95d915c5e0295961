/**
 * The banks' side of `clearhouse offline`: bulk claims of the payees' vouchers, settlement and
 * disputes of bulk batches, the guarantee fund, releasing what is left, and status.
 */
import type { Command } from "commander";
import { isHex, type Hex } from "viem";
import { renderTable, type Clearhouse } from "@clearhouse/sdk";
import { allowanceIdOf, offlineVault, planBulk, type AcceptedVoucher, type BulkClaim } from "@clearhouse/sdk/offline";
import { UsageError } from "./exit";
import { addressArg } from "./member";
import { amountOf, isoOf, money, readAllowanceFile, readExistingBook, shortHex } from "./offlineFiles";
import { outcomeTable, redeemAll } from "./offlinePayee";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

/** A bulk batch holds at most this many vouchers (the vault's limit). */
export const MAX_BULK_VOUCHERS = 2_048;
const ALLOWANCE_STATUS = ["none", "live", "unfunded", "released"] as const;
const BATCH_STATUS = ["none", "pending", "settled"] as const;

function batchArg(value: string): bigint {
  if (!/^\d{1,30}$/.test(value) || BigInt(value) < 1n)
    throw new UsageError(`--batch "${value}" is not a batch number (1, 2, …).`);
  return BigInt(value);
}

/** `--allowance`: an allowance id (0x + 64 hex) or a certificate file. */
function allowanceIdArg(value: string): Hex {
  if (isHex(value) && value.length === 66) return value;
  const a = readAllowanceFile(value);
  return allowanceIdOf(a, a.cert);
}

/** Claims in chunks of at most MAX_BULK_VOUCHERS vouchers (a claim, ≤ 64 vouchers, is never split). */
export function chunkClaims(claims: readonly BulkClaim[]): BulkClaim[][] {
  const chunks: BulkClaim[][] = [];
  let current: BulkClaim[] = [];
  let size = 0;
  for (const c of claims) {
    if (size + c.vouchers.length > MAX_BULK_VOUCHERS) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(c);
    size += c.vouchers.length;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

const serialKey = (a: AcceptedVoucher) => `${a.allowanceId}:${a.voucher.voucher.serial}`;

/** Adds claim, settle, dispute, guarantee, release and status to `offline`. */
export function addBankCommands(offline: Command, io: CliIo, globals: () => GlobalOptions): void {
  offline
    .command("claim")
    .description("the payees' bank claims their vouchers in bulk; double spends are redeemed one by one")
    .requiredOption("--books <files>", "the payees' books, comma-separated")
    .addHelpText(
      "after",
      "\nOnly vouchers whose serial is still open are claimed (a retry skips what was claimed or paid).\n" +
        `Batches hold at most ${MAX_BULK_VOUCHERS.toLocaleString("en")} vouchers. A serial with two vouchers (a double spend) is left\n` +
        "out of the batch: both are redeemed one by one after it, the second from the issuing bank's guarantee.\n" +
        "\nExample:\n  clearhouse --key-file bank.key offline claim --books shop1.book.json,shop2.book.json",
    )
    .action(async (o: { books: string }) => {
      const g = globals();
      const files = o.books
        .split(",")
        .map((f) => f.trim())
        .filter(Boolean);
      if (!files.length) throw new UsageError("--books names no file.");
      const accepted = files.flatMap((f) => readExistingBook(f).accepted);
      const ch = connect(g, io, true);
      const token = ch.deployment.token;
      const domain = { chainId: ch.deployment.chainId, vault: offlineVault(ch.context).address };
      const open: AcceptedVoucher[] = [];
      for (const a of accepted)
        if ((await ch.offline.getVoucherStatus({ voucher: a.voucher })) === "open") open.push(a);
      const twice = new Set(
        planBulk(
          domain,
          open.map((a) => a.voucher),
        ).duplicates.map((d) => `${d.voucher.allowanceId}:${d.voucher.serial}`),
      );
      const bulk = open.filter((a) => !twice.has(serialKey(a)));
      const oneByOne = open.filter((a) => twice.has(serialKey(a)));
      const plan = planBulk(
        domain,
        bulk.map((a) => a.voucher),
      );
      const batches = [];
      for (const claims of chunkClaims(plan.claims)) {
        const r = await ch.offline.claimBulk({ plan: { claims } });
        batches.push({
          batchId: r.batchId,
          vouchers: claims.reduce((n, c) => n + c.vouchers.length, 0),
          total: r.total,
          disputeEnd: r.disputeEnd,
          tx: r.tx.hash,
        });
        if (!g.json)
          io.err(`batch ${r.batchId}: ${money(token, r.total)} claimed, disputable until ${isoOf(r.disputeEnd)}`);
      }
      const redeemed = await redeemAll(ch, io, g, oneByOne);
      const lines = [
        ...batches.map(
          (b) =>
            `Batch ${b.batchId}: ${b.vouchers} vouchers, ${money(token, b.total)}, settle after ${isoOf(b.disputeEnd)}`,
        ),
        `Claimed ${plan.vouchers} of ${accepted.length} vouchers in ${batches.length} batch${batches.length === 1 ? "" : "es"}, ${money(
          token,
          batches.reduce((s, b) => s + b.total, 0n),
        )}; ${accepted.length - open.length} already claimed or paid`,
      ];
      if (redeemed.length)
        lines.push(`Double spends, redeemed one by one (${redeemed.length}):`, outcomeTable(token, redeemed));
      print(io, g, lines.join("\n"), {
        batches,
        claimed: plan.vouchers,
        skipped: accepted.length - open.length,
        doubleSpends: redeemed,
      });
    });

  offline
    .command("settle")
    .description("pay a bulk batch to its bank once its dispute window is over (anyone)")
    .requiredOption("--batch <n>", "the batch number")
    .addHelpText("after", "\nExample:\n  clearhouse --key-file bank.key offline settle --batch 1")
    .action(async (o: { batch: string }) => {
      const g = globals();
      const batchId = batchArg(o.batch);
      const ch = connect(g, io, true);
      const tx = await ch.offline.settleBulk({ batchId });
      const b = await ch.offline.getBulkBatch({ batchId });
      print(
        io,
        g,
        `Settled batch ${batchId}: ${money(ch.deployment.token, b.total)} paid to ${b.bank} (tx ${tx.hash})`,
        { batchId, bank: b.bank, total: b.total, tx },
      );
    });

  offline
    .command("dispute")
    .description("refuse an allowance's claim in a pending bulk batch (its bank or wallet): back to one by one")
    .requiredOption("--batch <n>", "the batch number")
    .requiredOption("--allowance <id|file>", "the allowance id, or its certificate file")
    .addHelpText(
      "after",
      "\nThe evidence (the batch's claims) is rebuilt from the chain. The claim's vouchers must then be\n" +
        "redeemed one by one, their signatures checked.\n" +
        "\nExample:\n  clearhouse --key-file bank.key offline dispute --batch 1 --allowance allowance.json",
    )
    .action(async (o: { batch: string; allowance: string }) => {
      const g = globals();
      const batchId = batchArg(o.batch);
      const allowanceId = allowanceIdArg(o.allowance);
      const ch = connect(g, io, true);
      const a = await ch.offline.getAllowance({ allowanceId });
      let evidence;
      for (let serial = 1; serial <= a.count && !evidence; serial++) {
        if ((a.redeemed & (1n << BigInt(serial - 1))) === 0n) continue;
        const found = await ch.offline.findBulkEvidence({ allowanceId, serial });
        if (found?.batchId === batchId) evidence = found;
      }
      if (!evidence)
        throw new UsageError(
          `Batch ${batchId} holds no claim of allowance ${allowanceId}.`,
          "Check the batch with: clearhouse offline status --batch N",
        );
      const tx = await ch.offline.disputeClaim({ evidence });
      const amount = evidence.claim.vouchers.reduce((s, v) => s + v.amount, 0n);
      print(
        io,
        g,
        `Disputed the claim of ${shortHex(allowanceId)} in batch ${batchId}: ${evidence.claim.vouchers.length} vouchers, ${money(ch.deployment.token, amount)} back to one-by-one redemption (tx ${tx.hash})`,
        { batchId, allowanceId, vouchers: evidence.claim.vouchers.length, amount, tx },
      );
    });

  offline
    .command("guarantee")
    .description("a bank's guarantee fund: post to it or withdraw what its live allowances do not require")
    .argument("<action>", "post or withdraw")
    .requiredOption("--amount <amount>", "in currency units")
    .addHelpText(
      "after",
      "\nPosting approves the vault first when needed and credits queued compensations. Withdrawing is\n" +
        "refused while the bank owes compensations or below what its live allowances require.\n" +
        "\nExample:\n  clearhouse --key-file bank.key offline guarantee post --amount 10,000.00\n  clearhouse --key-file bank.key offline guarantee withdraw --amount 2,500.00",
    )
    .action(async (action: string, o: { amount: string }) => {
      if (action !== "post" && action !== "withdraw")
        throw new UsageError(`Unknown guarantee action "${action}" (post or withdraw).`);
      const g = globals();
      const ch = connect(g, io, true);
      const amount = amountOf(ch.deployment.token, o.amount);
      const tx =
        action === "post" ? await ch.offline.postGuarantee({ amount }) : await ch.offline.withdrawGuarantee({ amount });
      const bank = ch.context.walletClient!.account!.address;
      const book = await ch.offline.getBankBook({ bank });
      const token = ch.deployment.token;
      print(
        io,
        g,
        `${action === "post" ? "Posted" : "Withdrew"} ${money(token, amount)}; the guarantee of ${bank} is ${money(token, book.guarantee)} (tx ${tx.hash})`,
        { bank, amount, guarantee: book.guarantee, tx },
      );
    });

  offline
    .command("release")
    .description("return what is left of an allowance to its wallet after expiry + grace + dispute window (anyone)")
    .requiredOption("--allowance <id|file>", "the allowance id, or its certificate file")
    .addHelpText("after", "\nExample:\n  clearhouse --key-file wallet.key offline release --allowance allowance.json")
    .action(async (o: { allowance: string }) => {
      const g = globals();
      const allowanceId = allowanceIdArg(o.allowance);
      const ch = connect(g, io, true);
      const tx = await ch.offline.releaseAllowance({ allowanceId });
      const r = (await ch.offline.getReleaseOutcome({ hash: tx.hash }))!;
      print(
        io,
        g,
        `Released ${shortHex(allowanceId)}: ${money(ch.deployment.token, r.amount)} to ${r.recipient} (tx ${tx.hash})`,
        { allowanceId, ...r, tx },
      );
    });

  offline
    .command("status")
    .description("where things stand on chain: a book's vouchers, an allowance, a bank's fund, or a batch")
    .option("--book <file>", "each voucher of a payee's book")
    .option("--allowance <id|file>", "an allowance")
    .option("--bank <address>", "a bank's guarantee, locked funds and debt")
    .option("--batch <n>", "a bulk batch")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse offline status --book book.json\n  clearhouse offline status --bank 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    )
    .action(async (o: { book?: string; allowance?: string; bank?: string; batch?: string }) => {
      const g = globals();
      const given = [o.book, o.allowance, o.bank, o.batch].filter((x) => x !== undefined).length;
      if (given !== 1) throw new UsageError("Give exactly one of --book, --allowance, --bank and --batch.");
      const book = o.book ? readExistingBook(o.book) : undefined;
      const allowanceId = o.allowance ? allowanceIdArg(o.allowance) : undefined;
      const bank = o.bank ? addressArg("--bank", o.bank, io) : undefined;
      const batchId = o.batch ? batchArg(o.batch) : undefined;
      const ch = connect(g, io, false);
      const m = (v: bigint) => money(ch.deployment.token, v);
      if (book) return statusOfBook(ch, io, g, book.accepted, m);
      if (allowanceId) {
        const a = await ch.offline.getAllowance({ allowanceId });
        const serials = Array.from({ length: a.count }, (_, i) => i + 1).filter(
          (s) => (a.redeemed & (1n << BigInt(s - 1))) !== 0n,
        );
        const frozen = a.status !== 0 && (await ch.offline.isDeviceFrozen({ device: a.device }));
        const human =
          a.status === 0
            ? `allowance ${allowanceId} was never anchored`
            : [
                `allowance ${allowanceId}`,
                `  status     ${ALLOWANCE_STATUS[a.status]}`,
                `  wallet     ${a.wallet}`,
                `  bank       ${a.bank}`,
                `  device     ${a.device}${frozen ? " (frozen)" : ""}`,
                `  vouchers   ${a.count} of at most ${m(a.cap)}; serials taken: ${serials.join(", ") || "none"}`,
                `  remaining  ${m(a.remaining)}`,
                `  expires    ${isoOf(a.expiry)}`,
              ].join("\n");
        return print(io, g, human, {
          allowanceId,
          ...a,
          status: ALLOWANCE_STATUS[a.status],
          serialsTaken: serials,
          frozen,
        });
      }
      if (bank) {
        const b = await ch.offline.getBankBook({ bank });
        const required = await ch.offline.getRequiredGuarantee({ bank });
        const human = [
          `bank ${bank}`,
          `  guarantee  ${m(b.guarantee)} (required ${m(required)})`,
          `  locked     ${m(b.locked)}`,
          `  debt       ${m(b.debt)}`,
        ].join("\n");
        return print(io, g, human, { bank, ...b, required });
      }
      const b = await ch.offline.getBulkBatch({ batchId: batchId! });
      if (b.status === 0) throw new UsageError(`There is no batch ${batchId}.`);
      const human = [
        `batch ${batchId}`,
        `  status       ${BATCH_STATUS[b.status]}`,
        `  bank         ${b.bank}`,
        `  total        ${m(b.total)}`,
        `  dispute end  ${isoOf(b.disputeEnd)}`,
      ].join("\n");
      print(io, g, human, { batchId, ...b, status: BATCH_STATUS[b.status] });
    });
}

async function statusOfBook(
  ch: Clearhouse,
  io: CliIo,
  g: GlobalOptions,
  accepted: readonly AcceptedVoucher[],
  m: (v: bigint) => string,
) {
  const rows = [];
  for (const a of accepted) {
    const v = a.voucher.voucher;
    rows.push({
      allowanceId: a.allowanceId,
      serial: v.serial,
      amount: v.amount,
      status: await ch.offline.getVoucherStatus({ voucher: a.voucher }),
    });
  }
  const table = renderTable(rows, [
    { header: "allowance", value: (r) => shortHex(r.allowanceId) },
    { header: "serial", value: (r) => String(r.serial), align: "right" },
    { header: "amount", value: (r) => m(r.amount), align: "right" },
    { header: "status", value: (r) => r.status },
  ]);
  const total = rows.reduce((s, r) => s + r.amount, 0n);
  print(io, g, `${rows.length ? table + "\n" : ""}${rows.length} vouchers, ${m(total)}`, { vouchers: rows, total });
}
