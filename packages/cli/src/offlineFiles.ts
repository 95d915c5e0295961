/**
 * The files of `clearhouse offline`: device keys, and the SDK's JSON formats (allowance, voucher,
 * device, payee book) plus the consortium snapshot a payee keeps for offline checks. Every read
 * names the file and the bad field; every write is atomic (temporary file, fsync, rename).
 */
import { existsSync, readFileSync } from "node:fs";
import { getAddress, isHex, type Address, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { fromMinorUnits, toMinorUnits, type Deployment } from "@clearhouse/sdk";
import { ClearhouseError } from "@clearhouse/sdk/errors";
import { loadDeployment, writeFileAtomic } from "@clearhouse/sdk/node";
import {
  allowanceFromJson,
  allowanceToJson,
  deviceFromJson,
  deviceToJson,
  payeeBookFromJson,
  payeeBookToJson,
  voucherFromJson,
  voucherToJson,
  type DeviceState,
  type PayeeBook,
  type SignedAllowance,
  type SignedVoucher,
} from "@clearhouse/sdk/offline";
import { UsageError } from "./exit";
import { DEFAULT_DEPLOYMENT, type CliIo, type GlobalOptions } from "./options";

export const CONSORTIUM_FORMAT = "clearhouse.offline-consortium/1";

/** The token's display: amounts are read and printed in its currency units. */
export interface TokenInfo {
  symbol: string;
  decimals: number;
}

/** What a payee checks vouchers against offline (`offline sync` writes it). */
export interface ConsortiumSnapshot {
  chainId: number;
  vault: Address;
  token: TokenInfo;
  /** Active members holding MEMBER_BANK at the sync. */
  banks: Address[];
  /** Device keys the vault froze (DeviceFrozen events) up to the sync. */
  frozenDevices: Address[];
  /** Block and unix time of the sync. */
  block: bigint;
  syncedAt: bigint;
}

/** A device's state and the token it pays in (the device file's `token` field). */
export interface DeviceFile {
  state: DeviceState;
  token?: TokenInfo;
}

/** Minor units as currency text with the symbol: "1,250.00 tEUR". */
export const money = (t: TokenInfo, v: bigint): string => `${fromMinorUnits(v, t.decimals)} ${t.symbol}`;

/** `--amount`: currency text → minor units, more than zero. */
export function amountOf(t: TokenInfo, value: string, name = "--amount"): bigint {
  const amount = toMinorUnits(name, value, t.decimals);
  if (amount === 0n) throw new UsageError(`${name} ${value} must be more than zero.`);
  return amount;
}

/** The first 10 characters of a hash, for tables. */
export const shortHex = (h: Hex): string => `${h.slice(0, 10)}…`;

/** The wall clock in unix seconds: what a device or a payee offline goes by. */
export const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));

/** An ISO time for unix seconds. */
export const isoOf = (seconds: bigint): string => new Date(Number(seconds) * 1000).toISOString();

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`Cannot read the ${what} file ${path}.`, "Check the path.");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not JSON (${(e as Error).message}).`, `Give the ${what} file itself.`);
  }
}

/** Decode a file with an SDK reader; its InvalidArgumentError becomes one line naming the file. */
function decodeFile<T>(path: string, what: string, format: string, decode: (v: unknown) => T): T {
  const json = readJson(path, what);
  try {
    return decode(json);
  } catch (e) {
    if (e instanceof ClearhouseError && e.category === "input")
      throw new UsageError(`${path} is not a valid ${what} file: ${e.shortMessage}`, `It must be a ${format} file.`);
    throw e;
  }
}

const writeJson = (path: string, value: unknown, mode?: number): void =>
  writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n", mode);

/** Refuse to overwrite a file whose loss would lose money or re-use a serial. */
export function refuseExisting(path: string, what: string): void {
  if (existsSync(path))
    throw new UsageError(`${path} exists: a ${what} is never overwritten.`, "Choose another --out.");
}

export const readAllowanceFile = (path: string): SignedAllowance =>
  decodeFile(path, "allowance", "clearhouse.offline-allowance/1", (v) => allowanceFromJson(v));
export const writeAllowanceFile = (path: string, a: SignedAllowance): void => writeJson(path, allowanceToJson(a));
export const readVoucherFile = (path: string): SignedVoucher =>
  decodeFile(path, "voucher", "clearhouse.offline-voucher/1", (v) => voucherFromJson(v));
export const writeVoucherFile = (path: string, v: SignedVoucher): void => writeJson(path, voucherToJson(v));

function tokenFrom(where: string, value: unknown): TokenInfo | undefined {
  if (value === undefined) return undefined;
  const t = value as { symbol?: unknown; decimals?: unknown };
  if (
    typeof value !== "object" ||
    value === null ||
    typeof t.symbol !== "string" ||
    typeof t.decimals !== "number" ||
    !Number.isInteger(t.decimals) ||
    t.decimals < 0 ||
    t.decimals > 36
  )
    throw new UsageError(`${where}.token is not { symbol, decimals }.`);
  return { symbol: t.symbol, decimals: t.decimals };
}

export function readDeviceFile(path: string): DeviceFile {
  return decodeFile(path, "device", "clearhouse.offline-device/1", (v) => ({
    state: deviceFromJson(v),
    token: tokenFrom(path, (v as { token?: unknown }).token),
  }));
}
export const writeDeviceFile = (path: string, d: DeviceFile): void =>
  writeJson(path, { ...deviceToJson(d.state), ...(d.token ? { token: d.token } : {}) }, 0o600);

/** The payee's book, or undefined when the file does not exist yet. */
export const readBookFile = (path: string): PayeeBook | undefined =>
  existsSync(path)
    ? decodeFile(path, "payee book", "clearhouse.offline-payee/1", (v) => payeeBookFromJson(v))
    : undefined;
export const readExistingBook = (path: string): PayeeBook => {
  const book = readBookFile(path);
  if (!book) throw new UsageError(`Cannot read the payee book file ${path}.`, "Check the path.");
  return book;
};
export const writeBookFile = (path: string, b: PayeeBook): void => writeJson(path, payeeBookToJson(b));

export function consortiumToJson(s: ConsortiumSnapshot): Record<string, unknown> {
  return {
    format: CONSORTIUM_FORMAT,
    chainId: s.chainId,
    vault: s.vault,
    token: s.token,
    banks: s.banks,
    frozenDevices: s.frozenDevices,
    block: s.block.toString(),
    syncedAt: s.syncedAt.toString(),
  };
}

function addresses(path: string, field: string, value: unknown): Address[] {
  if (!Array.isArray(value) || value.some((a) => typeof a !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(a)))
    throw new UsageError(`${path}: ${field} is not a list of addresses.`);
  return value.map((a: string) => getAddress(a));
}

export function readConsortiumFile(path: string): ConsortiumSnapshot {
  const j = readJson(path, "consortium snapshot") as Record<string, unknown>;
  const bad = (field: string) =>
    new UsageError(
      `${path} is not a valid consortium snapshot: ${field} is missing or malformed.`,
      "Write it online with: clearhouse offline sync --out consortium.json",
    );
  if (typeof j !== "object" || j === null || j.format !== CONSORTIUM_FORMAT) throw bad("format");
  if (typeof j.chainId !== "number" || !Number.isSafeInteger(j.chainId)) throw bad("chainId");
  if (typeof j.vault !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(j.vault)) throw bad("vault");
  for (const f of ["block", "syncedAt"]) if (typeof j[f] !== "string" || !/^\d+$/.test(j[f] as string)) throw bad(f);
  return {
    chainId: j.chainId,
    vault: getAddress(j.vault),
    token: tokenFrom(path, j.token) ?? { symbol: "", decimals: 0 },
    banks: addresses(path, "banks", j.banks),
    frozenDevices: addresses(path, "frozenDevices", j.frozenDevices),
    block: BigInt(j.block as string),
    syncedAt: BigInt(j.syncedAt as string),
  };
}
export const writeConsortiumFile = (path: string, s: ConsortiumSnapshot): void => writeJson(path, consortiumToJson(s));

/** A device key file: 0x + 64 hex digits, as --key-file. */
export function readDeviceKey(path: string): PrivateKeyAccount {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8").trim();
  } catch {
    throw new UsageError(`Cannot read the device key file ${path}.`, "Check the path given to --key.");
  }
  if (!isHex(raw) || raw.length !== 66)
    throw new UsageError(
      `${path} does not hold a private key (0x + 64 hex digits).`,
      "Make one with: clearhouse offline keygen --out device.key",
    );
  return privateKeyToAccount(raw);
}

/** Write a new key file readable by its owner alone (mode 0600). */
export function writeDeviceKey(path: string, key: Hex): void {
  refuseExisting(path, "key file");
  writeFileAtomic(path, key + "\n", 0o600);
}

/** The deployment file (read locally: no node is asked). */
export function deploymentFile(g: GlobalOptions, io: CliIo): Deployment {
  return loadDeployment(g.deployment ?? io.env.CLEARHOUSE_DEPLOYMENT ?? DEFAULT_DEPLOYMENT);
}

/** The offline vault of a deployment, or a usage error saying it has none. */
export function vaultOf(d: Deployment): Address {
  const vault = d.contracts.OfflineVault?.proxy;
  if (!vault)
    throw new UsageError("The deployment has no OfflineVault.", "Deploy the consortium with the offline vault first.");
  return vault;
}
