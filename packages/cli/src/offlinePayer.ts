/**
 * The payer's side of `clearhouse offline`: a device key, the bank's certificate (issue, anchor),
 * the device's state, and paying with no network at all.
 */
import type { Command } from "commander";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  allowanceIdOf,
  newDeviceState,
  payOffline,
  signAllowance,
  signAllowanceConsent,
} from "@clearhouse/sdk/offline";
import { UsageError } from "./exit";
import { addressArg } from "./member";
import {
  amountOf,
  deploymentFile,
  isoOf,
  money,
  nowSeconds,
  readAllowanceFile,
  readDeviceFile,
  readDeviceKey,
  refuseExisting,
  vaultOf,
  writeAllowanceFile,
  writeDeviceFile,
  writeDeviceKey,
  writeVoucherFile,
} from "./offlineFiles";
import { connect, loadKey, parseTime, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

export const EXAMPLE_WALLET = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";
export const EXAMPLE_DEVICE = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";
export const EXAMPLE_SHOP = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";

/** `--expires`: a duration from now with its unit (30d, 12h, 90m, 3600s), an ISO date, or unix seconds. */
export function expiryOf(value: string, now: bigint): bigint {
  const d = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (d) return now + BigInt(d[1]) * { s: 1n, m: 60n, h: 3600n, d: 86_400n }[d[2] as "s" | "m" | "h" | "d"];
  return parseTime("expires", value);
}

function positiveInt(name: string, value: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new UsageError(`${name} "${value}" is not a whole number from 1 to ${max}.`);
  return Number(value);
}

/** Adds keygen, issue, anchor, device init and pay to `offline`. */
export function addPayerCommands(offline: Command, io: CliIo, globals: () => GlobalOptions): void {
  offline
    .command("keygen")
    .description("make a new device key (file mode 0600) and print its address; no network")
    .requiredOption("--out <file>", "where to write the key (never overwritten)")
    .addHelpText("after", "\nExample:\n  clearhouse offline keygen --out device.key")
    .action((o: { out: string }) => {
      const key = generatePrivateKey();
      writeDeviceKey(o.out, key);
      const address = privateKeyToAccount(key).address;
      print(io, globals(), `New device key ${address} in ${o.out} (mode 0600)`, { device: address, file: o.out });
    });

  offline
    .command("issue")
    .description("the bank signs an allowance certificate for a wallet's device (no node needed)")
    .requiredOption("--wallet <address>", "the customer wallet whose funds are locked")
    .requiredOption("--device <address>", "the device key that will sign vouchers")
    .requiredOption("--cap <amount>", "the most one voucher may carry, in currency units")
    .requiredOption("--count <n>", "how many vouchers (serials 1…n), at most 64")
    .requiredOption("--expires <when>", "a duration from now (30d, 12h) or an ISO date: no voucher after it")
    .option("--nonce <n>", "tells apart certificates of the same terms (default: the time in ms)")
    .requiredOption("--out <file>", "where to write the certificate (never overwritten)")
    .addHelpText(
      "after",
      "\nThe certificate locks cap × count of the wallet's tokens once anchored. The bank's key (--key-file)\n" +
        "signs it in the vault's EIP-712 domain (the deployment's chain id and vault). The wallet anchors\n" +
        "it (`offline anchor`), or consents (`offline consent`) and the bank anchors it with --wallet-signature.\n" +
        `\nExample:\n  clearhouse --key-file bank.key offline issue --wallet ${EXAMPLE_WALLET} \\\n` +
        `    --device ${EXAMPLE_DEVICE} --cap 50.00 --count 10 --expires 30d --out allowance.json`,
    )
    .action(
      async (o: {
        wallet: string;
        device: string;
        cap: string;
        count: string;
        expires: string;
        nonce?: string;
        out: string;
      }) => {
        const g = globals();
        const wallet = addressArg("--wallet", o.wallet, io);
        const device = addressArg("--device", o.device, io);
        const count = positiveInt("--count", o.count, 64);
        const now = nowSeconds();
        const expiry = expiryOf(o.expires, now);
        if (expiry <= now) throw new UsageError(`--expires ${o.expires} is not in the future (${isoOf(expiry)}).`);
        if (o.nonce !== undefined && !/^\d{1,19}$/.test(o.nonce))
          throw new UsageError(`--nonce "${o.nonce}" is not a whole number.`);
        const nonce = o.nonce === undefined ? BigInt(Date.now()) : BigInt(o.nonce);
        refuseExisting(o.out, "certificate");
        const deployment = deploymentFile(g, io);
        const domain = { chainId: deployment.chainId, vault: vaultOf(deployment) };
        const bank = loadKey(g, io);
        const cap = amountOf(deployment.token, o.cap, "--cap");
        const allowance = await signAllowance(bank, domain, {
          wallet,
          device,
          bank: bank.address,
          cap,
          count,
          expiry,
          nonce,
        });
        writeAllowanceFile(o.out, allowance);
        const id = allowanceIdOf(domain, allowance.cert);
        const terms = `${count} × ${money(deployment.token, cap)} until ${isoOf(expiry)}`;
        print(io, g, `Issued allowance ${id} (${terms}) for device ${device} of wallet ${wallet} in ${o.out}`, {
          allowanceId: id,
          file: o.out,
        });
      },
    );

  offline
    .command("anchor")
    .description("anchor a bank-signed certificate: the vault locks cap × count of the wallet's tokens")
    .requiredOption("--allowance <file>", "the certificate")
    .option("--wallet-signature <hex>", "the wallet's consent (`offline consent`), when the bank sends it")
    .addHelpText(
      "after",
      "\nRun by the wallet (it approves the vault first when needed), or by its bank with the wallet's\n" +
        "consent (--wallet-signature; the wallet must have approved the vault).\n" +
        "\nExample:\n  clearhouse --key-file wallet.key offline anchor --allowance allowance.json",
    )
    .action(async (o: { allowance: string; walletSignature?: string }) => {
      const g = globals();
      const allowance = readAllowanceFile(o.allowance);
      if (o.walletSignature !== undefined && !/^0x([0-9a-fA-F]{128}|[0-9a-fA-F]{130})$/.test(o.walletSignature))
        throw new UsageError(`--wallet-signature is not a 64- or 65-byte hex signature.`);
      const ch = connect(g, io, true);
      const r = await ch.offline.anchorAllowance({
        allowance,
        ...(o.walletSignature ? { walletSignature: o.walletSignature as `0x${string}` } : {}),
      });
      print(
        io,
        g,
        `Anchored allowance ${r.allowanceId}: ${money(ch.deployment.token, r.locked)} locked (tx ${r.tx.hash})`,
        r,
      );
    });

  offline
    .command("consent")
    .description("the wallet consents to a certificate, so that its bank may anchor it (no node needed)")
    .requiredOption("--allowance <file>", "the certificate")
    .addHelpText(
      "after",
      "\nThe wallet's key (--key-file) signs the certificate's id; pass the printed signature to the bank's\n" +
        "`offline anchor --wallet-signature`.\n" +
        "\nExample:\n  clearhouse --key-file wallet.key offline consent --allowance allowance.json",
    )
    .action(async (o: { allowance: string }) => {
      const g = globals();
      const allowance = readAllowanceFile(o.allowance);
      const wallet = loadKey(g, io);
      const signature = await signAllowanceConsent(wallet, allowance, allowance.cert);
      print(io, g, signature, { allowanceId: allowanceIdOf(allowance, allowance.cert), signature });
    });

  offline
    .command("device")
    .description("set up a device for a certificate: `device init` checks the key and writes the device file")
    .argument("<action>", "init")
    .requiredOption("--allowance <file>", "the certificate")
    .requiredOption("--key <file>", "the device key (must be the certificate's device)")
    .requiredOption("--out <file>", "the device file to create (never overwritten: that would re-use serials)")
    .addHelpText(
      "after",
      "\nNo node is asked; the deployment file gives the token's decimals.\n" +
        "\nExample:\n  clearhouse offline device init --allowance allowance.json --key device.key --out device.json",
    )
    .action((action: string, o: { allowance: string; key: string; out: string }) => {
      if (action !== "init") throw new UsageError(`Unknown device action "${action}" (init).`);
      const g = globals();
      const allowance = readAllowanceFile(o.allowance);
      const key = readDeviceKey(o.key);
      if (key.address !== allowance.cert.device)
        throw new UsageError(
          `The key in ${o.key} is ${key.address}, not the certificate's device ${allowance.cert.device}.`,
          "Use the device key the certificate was issued for.",
        );
      refuseExisting(o.out, "device file");
      const deployment = deploymentFile(g, io);
      if (deployment.chainId !== allowance.chainId || vaultOf(deployment) !== allowance.vault)
        throw new UsageError(
          `${o.allowance} was signed for chain ${allowance.chainId} and vault ${allowance.vault}, not this deployment's.`,
          "Pass the deployment file of the certificate's consortium (--deployment).",
        );
      const token = { symbol: deployment.token.symbol, decimals: deployment.token.decimals };
      writeDeviceFile(o.out, { state: newDeviceState(allowance), token });
      const { cert } = allowance;
      print(
        io,
        g,
        `Device ${cert.device} ready in ${o.out}: ${cert.count} vouchers of at most ${money(token, cert.cap)} until ${isoOf(cert.expiry)}`,
        { file: o.out, device: cert.device, allowanceId: allowanceIdOf(allowance, cert), count: cert.count },
      );
    });

  offline
    .command("pay")
    .description("sign a voucher with the device, with no network: the device file moves on first")
    .requiredOption("--device <file>", "the device file")
    .requiredOption("--key <file>", "the device key")
    .requiredOption("--to <address>", "the payee")
    .requiredOption("--amount <amount>", "in currency units, at most the certificate's cap")
    .requiredOption("--out <file>", "where to write the voucher (never overwritten)")
    .addHelpText(
      "after",
      "\nThe device file is written (atomically) BEFORE the voucher: a crash never re-uses a serial.\n" +
        `\nExample:\n  clearhouse offline pay --device device.json --key device.key --to ${EXAMPLE_SHOP} \\\n` +
        "    --amount 12.50 --out voucher.json",
    )
    .action(async (o: { device: string; key: string; to: string; amount: string; out: string }) => {
      const g = globals();
      const payee = addressArg("--to", o.to, io);
      const device = readDeviceFile(o.device);
      if (!device.token)
        throw new UsageError(`${o.device} names no token.`, "Make it with: clearhouse offline device init …");
      const key = readDeviceKey(o.key);
      const amount = amountOf(device.token, o.amount);
      refuseExisting(o.out, "voucher");
      const paid = await payOffline(device.state, key, { payee, amount, now: nowSeconds() });
      writeDeviceFile(o.device, { ...device, state: paid.state });
      writeVoucherFile(o.out, paid.voucher);
      const { cert } = paid.state.allowance;
      const v = paid.voucher.voucher;
      const left = cert.count - paid.state.nextSerial + 1;
      print(
        io,
        g,
        `Paid ${money(device.token, amount)} to ${payee}: voucher serial ${v.serial} in ${o.out}; ${left} voucher${left === 1 ? "" : "s"} left, ${money(device.token, paid.state.spent)} spent`,
        { file: o.out, serial: v.serial, amount, payee, left, spent: paid.state.spent, allowanceId: v.allowanceId },
      );
    });
}
