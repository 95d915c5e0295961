import { readFileSync } from "node:fs";
import { isHex, type Hex, type Transport } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { createClearhouse, type Clearhouse } from "../client";
import { loadDeployment } from "../deployment";
import { UsageError } from "./exit";

/** Options every command accepts (from flags, then the environment, then defaults). */
export interface GlobalOptions {
  rpcUrl?: string;
  deployment?: string;
  keyFile?: string;
  json?: boolean;
  verbose?: boolean;
}

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";
export const DEFAULT_DEPLOYMENT = "deployments/localhost.json";

/** Where the CLI writes and, in tests, which transport it uses instead of an RPC URL. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  transport?: Transport;
  env: Record<string, string | undefined>;
}

/** The signing key: `--key-file` (a file holding a 0x-prefixed 32-byte hex key) or CLEARHOUSE_PRIVATE_KEY. */
export function loadKey(opts: GlobalOptions, io: CliIo): PrivateKeyAccount {
  let raw: string | undefined;
  let source = "CLEARHOUSE_PRIVATE_KEY";
  if (opts.keyFile) {
    source = opts.keyFile;
    try {
      raw = readFileSync(opts.keyFile, "utf8").trim();
    } catch {
      throw new UsageError(`Cannot read the key file ${opts.keyFile}.`, "Check the path given to --key-file.");
    }
  } else raw = io.env.CLEARHOUSE_PRIVATE_KEY?.trim();
  if (!raw) throw new UsageError("No signing key.", "Pass --key-file <path> or set CLEARHOUSE_PRIVATE_KEY.");
  if (!isHex(raw) || raw.length !== 66) {
    throw new UsageError(`${source} does not hold a private key (0x + 64 hex digits).`);
  }
  return privateKeyToAccount(raw as Hex);
}

/** A client for the configured chain and deployment; with a signer when `signing` is set. */
export function connect(opts: GlobalOptions, io: CliIo, signing: boolean): Clearhouse {
  const deployment = loadDeployment(opts.deployment ?? io.env.CLEARHOUSE_DEPLOYMENT ?? DEFAULT_DEPLOYMENT);
  const account = signing ? loadKey(opts, io) : undefined;
  if (io.transport) return createClearhouse({ transport: io.transport, deployment, account, pollingInterval: 10 });
  const rpcUrl = opts.rpcUrl ?? io.env.CLEARHOUSE_RPC_URL ?? DEFAULT_RPC_URL;
  return createClearhouse({ rpcUrl, deployment, account });
}

/** "7d", "12h", "30m", "45s" or plain seconds → seconds. */
export function parseDuration(name: string, value: string): bigint {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!match) throw new UsageError(`--${name} "${value}" is not a duration like 7d, 12h, 30m or 3600.`);
  const unit = { "": 1n, s: 1n, m: 60n, h: 3600n, d: 86_400n }[match[2] as "" | "s" | "m" | "h" | "d"];
  return BigInt(match[1]) * unit;
}

/** An ISO date or unix seconds → unix seconds. */
export function parseTime(name: string, value: string): bigint {
  if (/^\d+$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} "${value}" is neither unix seconds nor an ISO date.`);
  return BigInt(Math.floor(ms / 1000));
}
