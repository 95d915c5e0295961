/** `clearhouse cycle …`: settlement cycles — open, allow the engine, declare, close, status. */
import { Command } from "commander";
import { fromMinorUnits, toMinorUnits } from "@clearhouse/sdk";
import { readBatchFile, readBatchFileHead } from "@clearhouse/sdk/node";
import { ownBatch } from "./batchGuards";
import { contractOf, type Clearhouse } from "@clearhouse/sdk";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";
import { proposable, runAdmin, type ProposeFlags } from "./propose";
import { parseDuration } from "./options";
import { setAckWindowCall, setMaxConsecutiveDeferralsCall, writeOffCall } from "@clearhouse/sdk/settlement";
import { fileCrypto } from "./encryption";

/** Minor units as a person reads them: "+1,234.56 tEUR" (signed when asked). */
function unitsOf(token: { decimals: number; symbol: string }) {
  return (v: bigint, signed = false): string =>
    `${signed && v > 0n ? "+" : ""}${fromMinorUnits(v, token.decimals)} ${token.symbol}`;
}

export function cycleCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const cycle = new Command("cycle").description("Settlement cycles: open, declare batches, close with netting");
  cycle
    .command("open")
    .description("Open the next cycle (operator)")
    .addHelpText("after", "\nExample:\n  clearhouse cycle open --key-file operator.key")
    .action(async () => {
      const g = globals();
      const r = await connect(g, io, true).settlement.openCycle();
      print(io, g, `Opened cycle ${r.cycleId} (tx ${r.tx.hash})`, r);
    });
  cycle
    .command("allow")
    .description("Let the netting engine pull your net debit at a cycle's close (token allowance)")
    .requiredOption("--amount <amount|max>", "the most it may pull, in currency units, or max")
    .addHelpText("after", "\nExample:\n  clearhouse cycle allow --amount 5,000,000.00 --key-file alpine.key")
    .action(async (o: Record<string, string>) => {
      const g = globals();
      const ch = connect(g, io, true);
      const { decimals, symbol } = ch.deployment.token;
      const amount = o.amount === "max" ? 2n ** 256n - 1n : toMinorUnits("--amount", o.amount, decimals);
      const spender = contractOf(ch.context, "NettingEngine").address;
      const tx = await ch.token.approve({ spender, amount });
      const shown = o.amount === "max" ? "any amount" : `${fromMinorUnits(amount, decimals)} ${symbol}`;
      print(io, g, `The netting engine may pull up to ${shown} (tx ${tx.hash})`, { ...tx, amount });
    });
  cycle
    .command("declare <batchFile>")
    .description("Declare your final batch's obligations into the open cycle")
    .option("--verify", "recompute the whole batch even when the file's seal shows it unchanged since `batch build`")
    .addHelpText("after", "\nExample:\n  clearhouse cycle declare batch.json --key-file alpine.key")
    .action(async (path: string, o: { verify?: boolean }) => {
      const g = globals();
      const { file, ch } = await ownBatch(path, g, io, { verify: o.verify === true });
      const tx = await ch.settlement.declareBatch({ key: file.key, header: file.header });
      print(io, g, `Declared ${file.batchId} (tx ${tx.hash})`, tx);
    });
  cycle
    .command("close [batchFiles...]")
    .description(
      "Net, resolve gridlock and settle the open cycle (operator): every batch pending in it (declared on chain or carried in) and the batch files given",
    )
    .option("--open-next", "open the next cycle in the same transaction")
    .option("--gas-budget <gas>", "most gas one transaction of the close may use (default 15000000)")
    .addHelpText(
      "after",
      "\nThe engine checks each presented batch as `cycle declare` would (anchored, final, netted once, totals\n" +
        "matching the header). Only each file's header, key and submitter are used: a bank may hand the operator\n" +
        "the file `batch share` writes (its header line, no payments). Batches declared on chain or carried in from the previous\n" +
        "close are found on chain and presented too. A close too big for one transaction within the gas budget\n" +
        "runs in several (begin, steps, finish), with progress shown.\n\nExamples:\n" +
        "  clearhouse cycle close --key-file operator.key\n" +
        "  clearhouse cycle close alpine.json baltic.json --open-next --key-file operator.key",
    )
    .action(async (paths: string[], o: { openNext?: boolean; gasBudget?: string }) => {
      const g = globals();
      if (o.gasBudget !== undefined && !/^[1-9]\d{5,9}$/.test(o.gasBudget))
        throw new UsageError(`--gas-budget ${o.gasBudget} is not a gas amount (100000 to 9999999999).`);
      const batches = paths.map((path) => {
        // Only the header line is used (of a shared or a full file); a clearhouse.batch/1 file is read whole.
        const head = readBatchFileHead(path, fileCrypto(g, io));
        if (head && !head.seal.ok) {
          throw new UsageError(
            `${path} changed since it was written: its header or body no longer matches its seal.`,
            "Ask the bank for its file again (`batch share`), or check it with `batch verify`.",
          );
        }
        const file = head ?? readBatchFile(path, fileCrypto(g, io));
        return { bank: file.submitter, key: file.key, header: file.header };
      });
      const ch = connect(g, io, true);
      const closing = (await ch.settlement.getCycle()).cycleId;
      const tx = await ch.settlement.closeCycle({
        cycleId: closing,
        batches,
        openNext: o.openNext === true,
        gasBudget: o.gasBudget === undefined ? undefined : BigInt(o.gasBudget),
        onProgress: (p) => {
          if (!g.json) io.err(`  close ${p.phase}: ${p.presented}/${p.total} batches presented`);
        },
      });
      const info = await ch.settlement.getCycle({ cycleId: closing });
      const steps = tx.transactions.length > 1 ? ` in ${tx.transactions.length} transactions` : "";
      const units = unitsOf(ch.deployment.token);
      const lines = [`Closed cycle ${info.cycleId}${steps} (tx ${tx.hash}, gas ${tx.gasUsed})`];
      if (batches.length > 0) lines.push(`  ${batches.length} batch file(s) presented`);
      for (const p of info.positions)
        lines.push(
          `  ${p.bank}  ${p.held ? "held (its obligations wait in the next cycle)" : `net ${units(p.net, true)}`}`,
        );
      if (o.openNext) lines.push(`Opened cycle ${info.cycleId + 1n}`);
      print(io, g, lines.join("\n"), { tx, cycle: info });
    });
  cycle
    .command("status")
    .description("Show a cycle's participants, obligations and net positions")
    .addHelpText("after", "\nExample:\n  clearhouse cycle status --cycle 3")
    .option("--cycle <n>", "cycle id (default: the current one)")
    .action(async (o: Record<string, string>) => {
      const g = globals();
      if (o.cycle !== undefined && !/^\d+$/.test(o.cycle))
        throw new UsageError(`--cycle ${o.cycle} is not a cycle number.`);
      const ch = connect(g, io, false);
      const info = await ch.settlement.getCycle({ cycleId: o.cycle ? BigInt(o.cycle) : undefined });
      const units = unitsOf(ch.deployment.token);
      if (info.status === "None") {
        const current = await ch.settlement.getCycle({});
        throw new UsageError(
          `Cycle ${info.cycleId} does not exist.`,
          `The current cycle is ${current.cycleId} (${current.status}); omit --cycle to see it.`,
        );
      }
      const pending = info.pending > 0 ? `, ${info.pending} pending` : "";
      const lines = [`Cycle ${info.cycleId}: ${info.status}, ${info.batchCount} batches${pending}`];
      for (const p of info.positions)
        lines.push(
          `  ${p.bank}  ${p.held ? "held" : `net ${units(p.net, true)}`}` +
            (Object.keys(p.owes).length
              ? `  owes ${Object.entries(p.owes)
                  .map(([to, v]) => `${to} ${units(v)}`)
                  .join(", ")}`
              : ""),
        );
      print(io, g, lines.join("\n"), info);
    });
  proposable(
    cycle
      .command("write-off")
      .description(
        "drop a batch pending in the current cycle that will never be presented (engine owner; anyone else: --propose)",
      )
      .requiredOption("--batch <id>", "the batch id (0x + 64 hex digits)"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse cycle write-off --batch 0x5f…e1 --propose --out write-off.json   # then gov sign/queue/execute",
    )
    .action(async (o: { batch: string } & ProposeFlags) => {
      const g = globals();
      if (!/^0x[0-9a-fA-F]{64}$/.test(o.batch))
        throw new UsageError(`--batch ${o.batch} is not a batch id (0x + 64 hex digits).`);
      const batchId = o.batch as `0x${string}`;
      const current = async (ch: Clearhouse) => (await ch.settlement.getCycle()).cycleId;
      await runAdmin(io, g, o, {
        summary: `Write off batch ${batchId}`,
        call: async (ch) => writeOffCall(ch.context, { cycleId: await current(ch), batchId }),
        send: async (ch) => {
          const cycleId = await current(ch);
          const tx = await ch.settlement.writeOff({ cycleId, batchId });
          print(io, g, `Wrote off ${batchId} in cycle ${cycleId} (tx ${tx.hash})`, { cycleId, batchId, tx });
        },
      });
    });

  proposable(
    cycle
      .command("ack-window <duration>")
      .description(
        "how long counterparties have to acknowledge batches submitted from now on (ledger owner; anyone else: --propose)",
      ),
  )
    .addHelpText("after", "\nExample:\n  clearhouse cycle ack-window 2h --propose --out ack-window.json")
    .action(async (duration: string, o: ProposeFlags) => {
      const g = globals();
      const seconds = Number(parseDuration("<duration>", duration));
      await runAdmin(io, g, o, {
        summary: `Set the acknowledgement window to ${duration} (${seconds} s)`,
        call: (ch) => setAckWindowCall(ch.context, { seconds }),
        send: async (ch) => {
          const tx = await ch.settlement.setAckWindow({ seconds });
          print(io, g, `The acknowledgement window is now ${seconds} s (tx ${tx.hash})`, { seconds, tx });
        },
      });
    });

  proposable(
    cycle
      .command("max-deferrals <n>")
      .description(
        "how many cycles in a row a bank short of funds may be deferred (engine owner; anyone else: --propose)",
      ),
  )
    .addHelpText("after", "\nExample:\n  clearhouse cycle max-deferrals 3 --propose --out deferrals.json")
    .action(async (n: string, o: ProposeFlags) => {
      const g = globals();
      if (!/^\d{1,3}$/.test(n) || Number(n) < 1 || Number(n) > 255)
        throw new UsageError(`<n> ${n} is not a number of cycles from 1 to 255.`);
      const maxConsecutive = Number(n);
      await runAdmin(io, g, o, {
        summary: `Allow at most ${maxConsecutive} consecutive deferrals`,
        call: (ch) => setMaxConsecutiveDeferralsCall(ch.context, { maxConsecutive }),
        send: async (ch) => {
          const tx = await ch.settlement.setMaxConsecutiveDeferrals({ maxConsecutive });
          print(io, g, `A bank may now be deferred ${maxConsecutive} cycles in a row (tx ${tx.hash})`, {
            maxConsecutive,
            tx,
          });
        },
      });
    });

  return cycle;
}
