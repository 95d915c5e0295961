/**
 * The demo's offline payments: Maria (a tier-2 wallet at Alpine Bank) pays two merchants at Baltic
 * Savings with no network at all, from an allowance Alpine signed and anchored for her phone. The
 * merchants accept with the certificate alone. Her phone is then restored from a backup and signs a
 * serial it had already used: on reconnect the second merchant is made whole from Alpine's guarantee
 * fund and the phone's key is frozen. Baltic redeems the rest of its merchants' vouchers in bulk.
 */
import hre from "hardhat";
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { offlineVaultAbi } from "../../packages/contracts/src";
import { fromMinorUnits, type Clearhouse } from "../../packages/sdk/src";
import {
  acceptVoucher,
  DevicePaymentError,
  newDeviceState,
  payOffline,
  planBulk,
  signAllowance,
  VoucherRefusedError,
  type DeviceState,
  type OfflineContext,
  type PayeeBook,
  type SignedVoucher,
} from "../../packages/sdk/src/offline";
import { account, EUR } from "./participants";

export interface OfflineStepContext {
  as: (key: string) => Clearhouse;
  /** A client acting as Hardhat account `index` (the customers' wallets). */
  asAccount: (index: number) => Clearhouse;
  addr: (key: string) => Address;
  log: (line: string) => void;
}

/** Customer wallets: Hardhat accounts the consortium's members do not use. */
const MARIA = 12;
const CAFE = 13;
const BAKERY = 14;

export async function offlineStep(c: OfflineStepContext): Promise<{ gas: bigint; holders: Address[] }> {
  let gas = 0n;
  const track = async (p: Promise<{ gasUsed: bigint }>) => {
    const r = await p;
    gas += r.gasUsed;
    return r;
  };
  const money = (v: bigint) => `€${fromMinorUnits(v, 2)}`;
  const alpine = c.as("alpine");
  const baltic = c.as("baltic");
  const [maria, cafe, bakery] = [MARIA, CAFE, BAKERY].map((i) => account(i).address);
  const deployment = alpine.context.deployment;
  const domain = { chainId: deployment.chainId, vault: deployment.contracts.OfflineVault!.proxy };

  c.log("Alpine opens Maria's wallet (tier 2: ID + bank account); Baltic opens two merchants' (tier 2)");
  await track(alpine.registry.openWallet({ wallet: maria, tier: 2 }));
  for (const m of [cafe, bakery]) await track(baltic.registry.openWallet({ wallet: m, tier: 2 }));
  await track(alpine.token.transfer({ to: maria, amount: EUR(6_000) }));
  await track(alpine.offline.postGuarantee({ amount: EUR(10_000) }));

  c.log("Alpine signs an allowance for Maria's phone (€500.00 a voucher, 10 vouchers, 30 days); Maria anchors it");
  const phone = privateKeyToAccount(generatePrivateKey());
  const now = (await alpine.context.publicClient.getBlock()).timestamp;
  const allowance = await signAllowance(account(2), domain, {
    wallet: maria,
    device: phone.address,
    bank: c.addr("alpine"),
    cap: EUR(500),
    count: 10,
    expiry: now + 30n * 86_400n,
    nonce: 1n,
  });
  const anchored = await c.asAccount(MARIA).offline.anchorAllowance({ allowance });
  gas += anchored.tx.gasUsed;
  c.log(`  ${money(anchored.locked)} locked in the vault for the phone ${phone.address.slice(0, 10)}…`);

  // Offline from here until "reconnect": no client is used, only keys, files and clocks.
  const banks = [c.addr("operator"), c.addr("alpine"), c.addr("baltic"), c.addr("celtic"), c.addr("danube")];
  const ctxOf = (payee: Address): OfflineContext => ({ ...domain, payee, banks, now: now + 3_600n });
  const books: Record<string, PayeeBook> = {
    [cafe]: { payee: cafe, accepted: [] },
    [bakery]: { payee: bakery, accepted: [] },
  };
  let phoneState: DeviceState = newDeviceState(allowance);
  const pay = async (payee: Address, amount: bigint): Promise<SignedVoucher> => {
    const r = await payOffline(phoneState, phone, { payee, amount, now: now + 3_600n });
    phoneState = r.state; // persisted before the voucher leaves the phone
    return r.voucher;
  };
  const accept = async (payee: Address, v: SignedVoucher, what: string) => {
    try {
      books[payee] = (await acceptVoucher(books[payee], allowance, v, ctxOf(payee))).book;
      c.log(`  ✔ ${what}: accepted offline (serial ${v.voucher.serial})`);
    } catch (e) {
      if (!(e instanceof VoucherRefusedError)) throw e;
      c.log(`  ✘ ${what}: refused offline (${e.reason})`);
    }
  };
  c.log("Offline: Maria pays the café and the bakery by tap, nobody has a network");
  const backup = phoneState;
  const coffee = await pay(cafe, 1_250n);
  await accept(cafe, coffee, "café €12.50");
  await accept(cafe, coffee, "café, the same voucher again");
  await accept(
    bakery,
    { ...coffee, voucher: { ...coffee.voucher, payee: bakery } },
    "bakery, the café's voucher re-addressed",
  );
  for (const [payee, amount, what] of [
    [cafe, 820n, "café €8.20"],
    [bakery, 2_000n, "bakery €20.00"],
    [cafe, 460n, "café €4.60"],
    [bakery, 1_575n, "bakery €15.75"],
  ] as const)
    await accept(payee, await pay(payee, amount), what);
  const overCap = await pay(cafe, EUR(500) + 1n).catch((e: unknown) => e);
  if (overCap instanceof DevicePaymentError)
    c.log(`  ✘ café €500.01: the phone refuses to sign it (${overCap.reason})`);
  c.log("Maria restores her phone from a backup taken before the coffee, and pays the bakery €30.00");
  phoneState = backup;
  const doubleSpent = await pay(bakery, 3_000n);
  await accept(bakery, doubleSpent, "bakery €30.00 (serial 1 again: the bakery cannot know)");

  c.log("Reconnect: the café redeems its coffee one by one; Baltic claims the rest of its merchants' vouchers in bulk");
  const r1 = await track(c.asAccount(CAFE).offline.redeemVoucher({ voucher: coffee }));
  c.log(`  café: coffee redeemed from the allowance (${r1.gasUsed.toLocaleString("en")} gas)`);
  const rest = [...books[cafe].accepted, ...books[bakery].accepted]
    .map((a) => a.voucher)
    .filter((v) => v !== coffee && v !== doubleSpent);
  const plan = planBulk(domain, rest);
  const claimed = await baltic.offline.claimBulk({ plan });
  gas += claimed.tx.gasUsed;
  c.log(
    `  Baltic: ${plan.vouchers} vouchers, ${money(claimed.total)}, claimed in one transaction (${claimed.tx.gasUsed.toLocaleString("en")} gas); disputable for a day`,
  );
  const r2 = await track(c.asAccount(BAKERY).offline.redeemVoucher({ voucher: doubleSpent }));
  const frozen = await alpine.context.publicClient.readContract({
    address: domain.vault,
    abi: offlineVaultAbi,
    functionName: "isFrozen",
    args: [phone.address],
  });
  c.log(
    `  bakery: serial 1 was already redeemed by the café → double spend proved, €30.00 paid from Alpine's guarantee, phone frozen: ${frozen} (${r2.gasUsed.toLocaleString("en")} gas)`,
  );
  await hre.network.provider.send("evm_increaseTime", [86_401]);
  await hre.network.provider.send("evm_mine", []);
  await track(baltic.offline.settleBulk({ batchId: claimed.batchId }));
  const book = await alpine.offline.getBankBook({ bank: c.addr("alpine") });
  c.log(
    `  a day later, no dispute: Baltic is paid ${money(claimed.total)} for its merchants; Alpine's guarantee ${money(book.guarantee)}, locked ${money(book.locked)}`,
  );
  for (const [who, a] of [
    ["café", cafe],
    ["bakery", bakery],
  ] as const) {
    const balance = await alpine.token.getBalance({ account: a });
    c.log(`  ${who}'s wallet: ${money(balance)} on chain (the rest is in Baltic's books, paid by the bulk claim)`);
  }
  return { gas, holders: [maria, cafe, bakery, domain.vault] };
}
