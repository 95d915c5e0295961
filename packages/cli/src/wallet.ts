/**
 * `clearhouse wallet …` (a member bank's customer wallets) and `clearhouse tier …` (the KYC tiers
 * governance defines). Defining or changing a tier is a governance proposal:
 * `clearhouse gov propose --target registry --call setTier --args '[1,"200000","500000","1000000"]'`.
 */
import { Command } from "commander";
import type { Clearhouse } from "@clearhouse/sdk";
import { UNLIMITED, fromMinorUnits, renderTable } from "@clearhouse/sdk";
import type { TierInfo } from "@clearhouse/sdk/registry";
import { UsageError } from "./exit";
import { addressArg } from "./member";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

const EXAMPLE_WALLET = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";

/** `--tier`: a tier number from 1 to 255. */
function tierArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 255) {
    throw new UsageError(
      `--tier "${value}" is not a tier from 1 to 255.`,
      "List the defined tiers: clearhouse tier list",
    );
  }
  return Number(value);
}

/** Minor units as currency units with the token's symbol ("2,000.00 chEUR"), or "unlimited". */
const money = (ch: Clearhouse, v: bigint) =>
  v === UNLIMITED ? "unlimited" : `${fromMinorUnits(v, ch.deployment.token.decimals)} ${ch.deployment.token.symbol}`;

/** A tier's limits as JSON-friendly decimal strings of minor units. */
const tierJson = (t: TierInfo) => ({
  tier: t.tier,
  defined: t.defined,
  maxSingle: t.maxSingle.toString(),
  maxDaily: t.maxDaily.toString(),
  maxBalance: t.maxBalance.toString(),
});

/** `clearhouse wallet …`: open, re-tier, close and show customer wallets. */
export function walletCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const wallet = new Command("wallet").description(
    "customer wallets of a member bank: open in a KYC tier, change tier, close, show",
  );

  wallet
    .command("open <address>")
    .description("open a customer wallet in a tier (caller: an active MEMBER_BANK, the wallet's bank from then on)")
    .requiredOption("--tier <n>", "a defined tier, 1–255 (higher = better identified)")
    .addHelpText("after", `\nExample:\n  clearhouse wallet open ${EXAMPLE_WALLET} --tier 1 --key-file bank.key`)
    .action(async (address: string, o: { tier: string }) => {
      const g = globals();
      const account = addressArg("<address>", address, io);
      const tier = tierArg(o.tier);
      const ch = connect(g, io, true);
      const tx = await ch.registry.openWallet({ wallet: account, tier });
      print(io, g, `Opened wallet ${account} in tier ${tier} (tx ${tx.hash})`, { wallet: account, tier, tx });
    });

  wallet
    .command("tier <address>")
    .description("move a wallet to another tier, up or down (caller: the wallet's bank)")
    .requiredOption("--tier <n>", "the new tier, 1–255")
    .addHelpText(
      "after",
      "\nA wallet above the new tier's balance cap keeps its funds and may spend, but receives nothing\n" +
        "until it is under the cap again.\n" +
        `\nExample:\n  clearhouse wallet tier ${EXAMPLE_WALLET} --tier 2 --key-file bank.key`,
    )
    .action(async (address: string, o: { tier: string }) => {
      const g = globals();
      const account = addressArg("<address>", address, io);
      const tier = tierArg(o.tier);
      const ch = connect(g, io, true);
      const tx = await ch.registry.setWalletTier({ wallet: account, tier });
      print(io, g, `Wallet ${account} is now in tier ${tier} (tx ${tx.hash})`, { wallet: account, tier, tx });
    });

  wallet
    .command("close <address>")
    .description("close a wallet for good (caller: its bank, or governance); what it holds is frozen")
    .addHelpText(
      "after",
      "\nEmpty the wallet first: a closed wallet can neither send nor receive, and is never reopened.\n" +
        `\nExample:\n  clearhouse wallet close ${EXAMPLE_WALLET} --key-file bank.key`,
    )
    .action(async (address: string) => {
      const g = globals();
      const account = addressArg("<address>", address, io);
      const ch = connect(g, io, true);
      const tx = await ch.registry.closeWallet({ wallet: account });
      print(io, g, `Closed wallet ${account} (tx ${tx.hash})`, { wallet: account, tx });
    });

  wallet
    .command("show <address>")
    .description("show a wallet: status, tier and its limits, bank, balance, and whether it may hold now")
    .addHelpText("after", `\nExample:\n  clearhouse wallet show ${EXAMPLE_WALLET}`)
    .action(async (address: string) => {
      const g = globals();
      const account = addressArg("<address>", address, io);
      const ch = connect(g, io, false);
      const w = await ch.registry.getWallet({ wallet: account });
      if (w.status === "None") {
        print(io, g, `${account} is not a customer wallet`, { ...w, since: w.since.toString() });
        return;
      }
      const [tier, balance, holder] = await Promise.all([
        ch.registry.getTier({ tier: w.tier }),
        ch.token.getBalance({ account }),
        ch.registry.checkHolder({ account }),
      ]);
      const human = [
        `wallet ${account}`,
        `  status       ${w.status} since block ${w.since}`,
        `  bank         ${w.bank}`,
        `  tier         ${w.tier}: ${money(ch, tier.maxSingle)} single / ${money(ch, tier.maxDaily)} daily / ${money(ch, tier.maxBalance)} balance`,
        `  balance      ${money(ch, balance)}`,
        `  may hold     ${holder.allowed ? "yes" : `no — ${holder.message}`}`,
      ].join("\n");
      print(io, g, human, {
        ...w,
        since: w.since.toString(),
        limits: tierJson(tier),
        balance: balance.toString(),
        holder: holder.allowed ? { allowed: true } : holder,
      });
    });

  return wallet;
}

/** `clearhouse tier …`: the KYC tiers of customer wallets. */
export function tierCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const tier = new Command("tier").description("KYC tiers of customer wallets: list their limits");

  tier
    .command("list")
    .description("list every defined tier with its single, daily and balance limits")
    .addHelpText(
      "after",
      "\nGovernance defines or changes a tier by proposal (amounts in minor units):\n" +
        `  clearhouse gov propose --target registry --call setTier --args '[3,"1000000","2000000","10000000"]' \\\n` +
        `    --description "Tier 3" --out tier3.json\n` +
        "\nExample:\n  clearhouse tier list\n  clearhouse --json tier list",
    )
    .action(async () => {
      const g = globals();
      const ch = connect(g, io, false);
      const tiers = await ch.registry.listTiers();
      const table = renderTable(tiers, [
        { header: "tier", value: (t) => String(t.tier), align: "right" },
        { header: "max single", value: (t) => money(ch, t.maxSingle), align: "right" },
        { header: "max daily", value: (t) => money(ch, t.maxDaily), align: "right" },
        { header: "max balance", value: (t) => money(ch, t.maxBalance), align: "right" },
      ]);
      print(io, g, tiers.length ? table : "No tiers defined.", tiers.map(tierJson));
    });

  return tier;
}
