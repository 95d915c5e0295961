import { Command } from "commander";
import type { Clearhouse } from "@clearhouse/sdk";
import { UINT256_MAX, fromMinorUnits, toMinorUnits } from "@clearhouse/sdk";
import { mintBeyondCeilingCall, setIssuanceCeilingCall, unpauseCall } from "@clearhouse/sdk/token";
import { UsageError } from "./exit";
import { addressArg } from "./member";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";
import { proposable, runAdmin, type ProposeFlags } from "./propose";

const EXAMPLE_BANK = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

/** An amount in currency units ("1,250.00") → minor units with the token's decimals. */
function amountArg(ch: Clearhouse, value: string, options: { allowMax?: boolean; allowZero?: boolean } = {}): bigint {
  if (options.allowMax && value.trim().toLowerCase() === "max") return UINT256_MAX;
  const amount = toMinorUnits("--amount", value, ch.deployment.token.decimals);
  if (amount === 0n && !options.allowZero) throw new UsageError(`--amount ${value} must be more than zero.`);
  return amount;
}

/** `clearhouse token …`: the settlement token's supply, balances, transfers, issuance and redemption. */
export function tokenCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const token = new Command("token").description(
    "settlement token: info, balances, transfers, issuance (mint) and redemption (burn)",
  );
  /** Minor units as currency units with the token's symbol, e.g. "1,250.00 chEUR". */
  const money = (ch: Clearhouse, v: bigint) =>
    v === UINT256_MAX
      ? `unlimited ${ch.deployment.token.symbol}`
      : `${fromMinorUnits(v, ch.deployment.token.decimals)} ${ch.deployment.token.symbol}`;

  token
    .command("info")
    .description("name, symbol, currency, decimals, total supply, pause state and guardian")
    .addHelpText("after", "\nExample:\n  clearhouse token info")
    .action(async () => {
      const g = globals();
      const ch = connect(g, io, false);
      const info = await ch.token.getTokenInfo();
      const currency = ch.deployment.token.currency ?? "EUR";
      const human = [
        `${info.name} (${info.symbol}) at ${info.address}`,
        `  currency      ${currency}, ${info.decimals} decimals`,
        `  total supply  ${money(ch, info.totalSupply)}`,
        `  paused        ${info.paused ? "YES" : "no"}`,
        `  guardian      ${info.guardian}`,
      ].join("\n");
      print(io, g, human, { ...info, currency });
    });

  token
    .command("issuance")
    .description("what was issued today (UTC) against the operators' daily issuance ceiling")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse token issuance\n\n" +
        "Beyond the ceiling only governance issues (a proposal calling mintBeyondCeiling); governance sets\n" +
        "the ceiling with a proposal calling setIssuanceCeiling, e.g.\n" +
        "  clearhouse gov propose --target token --call setIssuanceCeiling --args '[\"500000000000\"]' --out ceiling.json",
    )
    .action(async () => {
      const g = globals();
      const ch = connect(g, io, false);
      const i = await ch.token.getIssuance();
      const human = [
        `UTC day ${i.day} (${new Date(Number(i.day) * 86_400_000).toISOString().slice(0, 10)})`,
        `  issued today   ${money(ch, i.issued)}`,
        `  daily ceiling  ${i.ceiling === 0n ? "none set: operators cannot mint" : money(ch, i.ceiling)}`,
        `  remaining      ${money(ch, i.remaining)}`,
      ].join("\n");
      print(io, g, human, i);
    });

  token
    .command("balance <address>")
    .description("an account's balance and what it has sent today (against its daily limit)")
    .addHelpText("after", `\nExample:\n  clearhouse token balance ${EXAMPLE_BANK}`)
    .action(async (address: string) => {
      const g = globals();
      const account = addressArg("<address>", address, io);
      const ch = connect(g, io, false);
      const [balance, today] = await Promise.all([
        ch.token.getBalance({ account }),
        ch.token.getOutflowToday({ account }),
      ]);
      print(io, g, `${account} holds ${money(ch, balance)} (sent today ${money(ch, today.spent)})`, {
        account,
        balance,
        sentToday: today.spent,
        decimals: ch.deployment.token.decimals,
      });
    });

  token
    .command("transfer")
    .description("send tokens to another active member (within your single and daily limits)")
    .requiredOption("--to <address>", "the recipient")
    .requiredOption("--amount <units>", "amount in currency units, e.g. 1,250.00")
    .addHelpText(
      "after",
      `\nExample:\n  clearhouse token transfer --to ${EXAMPLE_BANK} --amount 1,250.00 --key-file alpine.key`,
    )
    .action(async (o: { to: string; amount: string }) => {
      const g = globals();
      const to = addressArg("--to", o.to, io);
      const ch = connect(g, io, true);
      const amount = amountArg(ch, o.amount);
      const tx = await ch.token.transfer({ to, amount });
      print(io, g, `Sent ${money(ch, amount)} to ${to} (tx ${tx.hash})`, { to, amount, tx });
    });

  token
    .command("mint")
    .description("issue tokens to an active member bank (an active OPERATOR)")
    .requiredOption("--bank <address>", "the bank credited")
    .requiredOption("--amount <units>", "amount in currency units")
    .addHelpText(
      "after",
      `\nExample:\n  clearhouse token mint --bank ${EXAMPLE_BANK} --amount 10,000,000.00 --key-file operator.key`,
    )
    .action(async (o: { bank: string; amount: string }) => {
      const g = globals();
      const bank = addressArg("--bank", o.bank, io);
      const ch = connect(g, io, true);
      const amount = amountArg(ch, o.amount);
      const tx = await ch.token.mint({ bank, amount });
      print(io, g, `Issued ${money(ch, amount)} to ${bank} (tx ${tx.hash})`, { bank, amount, tx });
    });

  token
    .command("burn")
    .description(
      "redeem tokens from a bank (an active OPERATOR; the bank first approves the operator with `token approve`)",
    )
    .requiredOption("--bank <address>", "the bank redeemed from")
    .requiredOption("--amount <units>", "amount in currency units")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse token approve --spender <operator> --amount 5,000.00 --key-file baltic.key   # the bank\n" +
        `  clearhouse token burn --bank ${EXAMPLE_BANK} --amount 5,000.00 --key-file operator.key`,
    )
    .action(async (o: { bank: string; amount: string }) => {
      const g = globals();
      const bank = addressArg("--bank", o.bank, io);
      const ch = connect(g, io, true);
      const amount = amountArg(ch, o.amount);
      const tx = await ch.token.burn({ bank, amount });
      print(io, g, `Redeemed ${money(ch, amount)} from ${bank} (tx ${tx.hash})`, { bank, amount, tx });
    });

  token
    .command("approve")
    .description("let a spender (an operator redeeming, the escrow, the netting engine) move up to an amount")
    .requiredOption("--spender <address>", "who may move your tokens")
    .requiredOption("--amount <units|max>", "the most it may move, in currency units, or max (0 revokes)")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse token approve --spender 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --amount 5,000.00 --key-file baltic.key",
    )
    .action(async (o: { spender: string; amount: string }) => {
      const g = globals();
      const spender = addressArg("--spender", o.spender, io);
      const ch = connect(g, io, true);
      const amount = amountArg(ch, o.amount, { allowMax: true, allowZero: true });
      const tx = await ch.token.approve({ spender, amount });
      print(io, g, `${spender} may now move up to ${money(ch, amount)} of yours (tx ${tx.hash})`, {
        spender,
        amount,
        tx,
      });
    });

  proposable(
    token
      .command("ceiling")
      .description("set the operators' issuance ceiling per UTC day (token owner; anyone else: --propose)")
      .requiredOption("--amount <units>", "the ceiling in currency units; 0 stops operators from minting"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse token ceiling --amount 5,000,000,000.00 --propose --out ceiling.json",
    )
    .action(async (o: { amount: string } & ProposeFlags) => {
      const g = globals();
      await runAdmin(io, g, o, {
        summary: `Set the daily issuance ceiling to ${o.amount}`,
        call: (ch) => setIssuanceCeilingCall(ch.context, { ceiling: amountArg(ch, o.amount, { allowZero: true }) }),
        send: async (ch) => {
          const ceiling = amountArg(ch, o.amount, { allowZero: true });
          const tx = await ch.token.setIssuanceCeiling({ ceiling });
          print(io, g, `The daily issuance ceiling is now ${money(ch, ceiling)} (tx ${tx.hash})`, { ceiling, tx });
        },
      });
    });

  proposable(
    token
      .command("mint-beyond-ceiling")
      .description("issue to a member bank beyond the daily ceiling (token owner; anyone else: --propose)")
      .requiredOption("--bank <address>", "the bank credited")
      .requiredOption("--amount <units>", "amount in currency units"),
  )
    .addHelpText(
      "after",
      `\nExample:\n  clearhouse token mint-beyond-ceiling --bank ${EXAMPLE_BANK} --amount 250,000,000.00 --propose --out issue.json`,
    )
    .action(async (o: { bank: string; amount: string } & ProposeFlags) => {
      const g = globals();
      const bank = addressArg("--bank", o.bank, io);
      await runAdmin(io, g, o, {
        summary: `Issue ${o.amount} to ${bank} beyond the daily ceiling`,
        call: (ch) => mintBeyondCeilingCall(ch.context, { bank, amount: amountArg(ch, o.amount) }),
        send: async (ch) => {
          const amount = amountArg(ch, o.amount);
          const tx = await ch.token.mintBeyondCeiling({ bank, amount });
          print(io, g, `Issued ${money(ch, amount)} to ${bank} beyond the ceiling (tx ${tx.hash})`, {
            bank,
            amount,
            tx,
          });
        },
      });
    });

  proposable(
    token.command("unpause").description("resume token movements after a pause (token owner; anyone else: --propose)"),
  )
    .addHelpText("after", "\nExample:\n  clearhouse token unpause --propose --out unpause.json")
    .action(async (o: ProposeFlags) => {
      const g = globals();
      await runAdmin(io, g, o, {
        summary: "Unpause the settlement token",
        call: (ch) => unpauseCall(ch.context),
        send: async (ch) => {
          const tx = await ch.token.unpause();
          print(io, g, `Token movements resumed (tx ${tx.hash})`, { tx });
        },
      });
    });

  return token;
}
