/**
 * The offline CLI tests' fixture: a chain with a payer's wallet (Alpine Bank) and two shops
 * (Baltic Bank), a fresh folder per test, and the compiled CLI run as a process that cannot reach
 * any node (`offline`).
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { key } from "../sdk/fixture";
import { BANK_INDEX, settlementFixture } from "../sdk/settlementFixture";
import { cliWorkspace, jsonResult, type Run } from "./harness";

const execFileAsync = promisify(execFile);
const BIN = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");
const UNREACHABLE = "http://127.0.0.1:9";
export const WALLET = key(10).address;
export const SHOP1 = key(11).address;
export const SHOP2 = key(12).address;

async function chainFixture() {
  const f = await settlementFixture();
  await f.bank.alpine.registry.openWallet({ wallet: WALLET, tier: 2 });
  for (const shop of [SHOP1, SHOP2]) await f.bank.baltic.registry.openWallet({ wallet: shop, tier: 2 });
  await f.bank.alpine.token.transfer({ to: WALLET, amount: 500_000n });
  return f;
}

/** The chain (from its snapshot) and a fresh folder of files for one test. */
export async function cliFixture() {
  const f = await loadFixture(chainFixture);
  const ws = cliWorkspace(f.deployment, "offline");
  // Offline signers count from their own clock; earlier tests may have moved this chain's clock ahead.
  const chainAhead = Number((await f.gov.context.publicClient.getBlock()).timestamp) - Math.floor(Date.now() / 1000);
  const keys = {
    alpine: ws.keyFile(BANK_INDEX.alpine),
    baltic: ws.keyFile(BANK_INDEX.baltic),
    wallet: ws.keyFile(10),
    shop1: ws.keyFile(11),
    shop2: ws.keyFile(12),
  };
  const file = (name: string) => join(ws.dir, name);
  /** The compiled CLI as a real process that cannot reach any node. */
  const offline = async (...argv: string[]): Promise<Run> => {
    const r = await execFileAsync("node", [BIN, "--deployment", ws.deployment, ...argv], {
      env: { ...process.env, CLEARHOUSE_RPC_URL: UNREACHABLE, CLEARHOUSE_PRIVATE_KEY: "" },
    }).then(
      (ok) => ({ code: 0, out: ok.stdout, err: ok.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );
    return r;
  };
  return { ...f, ...ws, dep: f.deployment, keys, file, offline, expires: `${Math.max(0, chainAhead) + 30 * 86_400}s` };
}

export type Fixture = Awaited<ReturnType<typeof cliFixture>>;

/** A new device key, certificate anchored, device file: returns the device's address. */
export async function anchoredDevice(f: Fixture, name: string, anchorAs: "wallet" | "bank"): Promise<string> {
  const keygen = await f.offline("--json", "offline", "keygen", "--out", f.file(`${name}.key`));
  const device = jsonResult<{ device: string }>(keygen).device;
  const issued = await f.cli(
    "--key-file",
    f.keys.alpine,
    "offline",
    "issue",
    "--wallet",
    WALLET,
    "--device",
    device,
    "--cap",
    "100.00",
    "--count",
    "5",
    "--expires",
    f.expires,
    "--out",
    f.file(`${name}.allowance.json`),
  );
  expect(issued.out, issued.err).to.match(/^Issued allowance 0x[0-9a-f]{64} \(5 × 100\.00 tEUR until \d{4}-/);
  if (anchorAs === "bank")
    await f.cli(
      "--key-file",
      f.keys.wallet,
      "token",
      "approve",
      "--spender",
      f.dep.contracts.OfflineVault!.proxy,
      "--amount",
      "500.00",
    );
  const consent =
    anchorAs === "bank"
      ? [
          "--wallet-signature",
          jsonResult<{ signature: string }>(
            await f.offline(
              "--key-file",
              f.keys.wallet,
              "--json",
              "offline",
              "consent",
              "--allowance",
              f.file(`${name}.allowance.json`),
            ),
          ).signature,
        ]
      : [];
  const anchored = await f.cli(
    "--key-file",
    f.keys[anchorAs === "bank" ? "alpine" : "wallet"],
    "offline",
    "anchor",
    "--allowance",
    f.file(`${name}.allowance.json`),
    ...consent,
  );
  expect(anchored.out, anchored.err).to.match(/^Anchored allowance 0x[0-9a-f]{64}: 500\.00 tEUR locked/);
  const init = await f.offline(
    "offline",
    "device",
    "init",
    "--allowance",
    f.file(`${name}.allowance.json`),
    "--key",
    f.file(`${name}.key`),
    "--out",
    f.file(`${name}.json`),
  );
  expect(init.out, init.err).to.match(/^Device 0x\w+ ready in .*: 5 vouchers of at most 100\.00 tEUR until/);
  return device;
}

/** Pay offline from device `name`; returns the voucher file. */
export async function pay(f: Fixture, name: string, to: string, amount: string, out: string): Promise<string> {
  const r = await f.offline(
    "offline",
    "pay",
    "--device",
    f.file(`${name}.json`),
    "--key",
    f.file(`${name}.key`),
    "--to",
    to,
    "--amount",
    amount,
    "--out",
    f.file(out),
  );
  expect(r.code, r.err).to.equal(0);
  return f.file(out);
}

/** Accept offline at a shop (its key names the payee). */
export function accept(
  f: Fixture,
  shop: "shop1" | "shop2",
  voucher: string,
  allowance: string,
  consortium = "consortium.json",
) {
  return f.offline(
    "--key-file",
    f.keys[shop],
    "offline",
    "accept",
    "--voucher",
    voucher,
    "--allowance",
    f.file(allowance),
    "--book",
    f.file(`${shop}.book.json`),
    "--consortium",
    f.file(consortium),
  );
}

/** Roll a device file's nextSerial back: the tamper a payer can do by hand. */
export function rollBack(f: Fixture, name: string, nextSerial: number): void {
  const path = f.file(`${name}.json`);
  const device = JSON.parse(readFileSync(path, "utf8")) as { nextSerial: number };
  writeFileSync(path, JSON.stringify({ ...device, nextSerial }));
}

export const balance = async (f: Fixture, account: string) =>
  jsonResult<{ balance: string }>(await f.cli("--json", "token", "balance", account)).balance;
