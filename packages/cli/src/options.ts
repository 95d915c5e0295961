import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import {
  fallback,
  getAddress,
  http,
  isAddress,
  isHex,
  type Address,
  type Hex,
  type HttpTransportConfig,
  type Transport,
} from "viem";
import { createNonceManager, privateKeyToAccount, type LocalAccount } from "viem/accounts";
import { jsonRpc } from "viem/nonce";
import { createClearhouse, type Clearhouse } from "@clearhouse/sdk";
import { loadDeployment } from "@clearhouse/sdk/node";
import { UsageError } from "./exit";
import type { SecretPrompt } from "./prompt";
import { hsmAccount } from "./signer";

/** Options every command accepts (from flags, then the environment, then a config file, then defaults). */
export interface GlobalOptions {
  configFile?: string;
  rpcUrl?: string;
  deployment?: string;
  keyFile?: string;
  /** A key held in an HSM: a PKCS#11 URI (`--key`, CLEARHOUSE_KEY, the file's `key`). */
  key?: string;
  /** The member account the key acts for (`--member-account`, CLEARHOUSE_MEMBER_ACCOUNT, the file's `memberAccount`). */
  memberAccount?: string;
  /** Settings for real nodes, from the environment or the config file (parsed by `connect`). */
  confirmations?: string;
  maxLogRange?: string;
  freeGas?: string;
  dropTimeout?: string;
  /** The batch files' encryption key: a key file or a PKCS#11 URI (`--encrypt-key`, CLEARHOUSE_ENCRYPT_KEY). */
  encryptKey?: string;
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
  /** Asks for an HSM's PIN when CLEARHOUSE_PKCS11_PIN is not set (the `clearhouse` binary: on its terminal). */
  promptSecret?: SecretPrompt;
}

/** The config file read when no flag or variable gives a setting (`--config-file`, CLEARHOUSE_CONFIG, ./clearhouse.yaml). */
export const DEFAULT_CONFIG_FILE = "clearhouse.yaml";

const FILE_SETTINGS = [
  ["rpcUrl", "CLEARHOUSE_RPC_URL"],
  ["deployment", "CLEARHOUSE_DEPLOYMENT"],
  ["keyFile", "CLEARHOUSE_KEY_FILE"],
  ["key", "CLEARHOUSE_KEY"],
  ["memberAccount", "CLEARHOUSE_MEMBER_ACCOUNT"],
  ["confirmations", "CLEARHOUSE_CONFIRMATIONS"],
  ["maxLogRange", "CLEARHOUSE_MAX_LOG_RANGE"],
  ["freeGas", "CLEARHOUSE_FREE_GAS"],
  ["dropTimeout", "CLEARHOUSE_DROP_TIMEOUT"],
  ["encryptKey", "CLEARHOUSE_ENCRYPT_KEY"],
] as const;

/** Settings taken from the environment here (the others are read where they are used). */
const FROM_ENV = new Set<string>([
  "keyFile",
  "key",
  "memberAccount",
  "confirmations",
  "maxLogRange",
  "freeGas",
  "dropTimeout",
  "encryptKey",
]);
const SETTING_NAMES = FILE_SETTINGS.map(([name]) => name).join(", ");

/**
 * Fill the connection settings a flag did not give from the environment, then from the config
 * file (YAML or JSON: `rpcUrl`, `deployment`, `keyFile`), so the precedence is flags > environment >
 * file > defaults.
 */
export function resolveGlobals(opts: GlobalOptions, io: CliIo): GlobalOptions {
  const path =
    opts.configFile ?? io.env.CLEARHOUSE_CONFIG ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  const out: GlobalOptions = { ...opts };
  let file: Record<string, unknown> = {};
  if (path) {
    try {
      const doc: unknown = parseYaml(readFileSync(path, "utf8"), { maxAliasCount: 0 });
      if (doc !== null && (typeof doc !== "object" || Array.isArray(doc))) throw new Error("it is not a mapping");
      file = (doc ?? {}) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(
        `Cannot use the config file ${path}: ${(e as Error).message.split("\n")[0]}`,
        `It holds ${SETTING_NAMES} (YAML or JSON).`,
      );
    }
    for (const k of Object.keys(file)) {
      if (!FILE_SETTINGS.some(([name]) => name === k))
        throw new UsageError(`${path}: unknown setting "${k}" (${SETTING_NAMES}).`);
    }
  }
  // the signing key is one setting given two ways: the level (flag, environment, file) that names
  // it decides, and a lower level's other way is not read
  const keyLevel = (level: "flag" | "env" | "file"): boolean => {
    if (level === "flag") return opts.key !== undefined || opts.keyFile !== undefined;
    if (level === "env") return io.env.CLEARHOUSE_KEY !== undefined || io.env.CLEARHOUSE_KEY_FILE !== undefined;
    return file.key !== undefined || file.keyFile !== undefined;
  };
  const keyFrom = keyLevel("flag") ? "flag" : keyLevel("env") ? "env" : "file";
  for (const [name, variable] of FILE_SETTINGS) {
    if (out[name] !== undefined) continue;
    if ((name === "key" || name === "keyFile") && keyFrom === "flag") continue;
    const fromEnv = io.env[variable];
    const fromFile = file[name];
    const plain = typeof fromFile === "string" || typeof fromFile === "number" || typeof fromFile === "boolean";
    const keySetting = name === "key" || name === "keyFile";
    if (fromEnv === undefined && plain && !(keySetting && keyFrom === "env")) out[name] = String(fromFile);
    else if (fromEnv !== undefined && FROM_ENV.has(name)) out[name] = fromEnv;
  }
  return out;
}

/**
 * The signing key: `--key` (a PKCS#11 URI: the key stays in an HSM), `--key-file` (a file holding a
 * 0x-prefixed 32-byte hex key) or CLEARHOUSE_PRIVATE_KEY. Its nonces come from viem's nonce
 * manager, so concurrent writes from one key (several writes at once in one run) each get their
 * own nonce. A manager per key loaded, not viem's shared one: a chain reverted to a snapshot
 * (tests) must not inherit old nonces.
 */
export function loadKey(opts: GlobalOptions, io: CliIo): LocalAccount {
  const nonceManager = createNonceManager({ source: jsonRpc() });
  if (opts.key !== undefined && opts.keyFile !== undefined)
    throw new UsageError(
      "Both --key and --key-file name a signing key.",
      "Pass one: --key pkcs11:… for a key in an HSM, --key-file <path> for a key file.",
    );
  if (opts.key !== undefined) return hsmAccount(opts.key, io.env, io.promptSecret, nonceManager);
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
  if (!raw)
    throw new UsageError(
      "No signing key.",
      "Pass --key-file <path>, --key pkcs11:token=<label>;object=<label>, or set CLEARHOUSE_PRIVATE_KEY.",
    );
  if (!isHex(raw) || raw.length !== 66) {
    throw new UsageError(`${source} does not hold a private key (0x + 64 hex digits).`);
  }
  return privateKeyToAccount(raw as Hex, { nonceManager });
}

/** Whether a signing key is configured (`--key`, `--key-file` or CLEARHOUSE_PRIVATE_KEY). */
export function hasKey(opts: GlobalOptions, io: CliIo): boolean {
  return Boolean(opts.key !== undefined || opts.keyFile || io.env.CLEARHOUSE_PRIVATE_KEY);
}

/** The node URLs: `--rpc-url` / CLEARHOUSE_RPC_URL / the file's rpcUrl, comma-separated, or the default. */
export function rpcUrlsOf(opts: GlobalOptions, io: CliIo): string[] {
  const given = opts.rpcUrl ?? io.env.CLEARHOUSE_RPC_URL ?? DEFAULT_RPC_URL;
  const urls = given
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url !== "");
  for (const url of urls) {
    if (!/^(https?|wss?):\/\/[^\s]+$/.test(url))
      throw new UsageError(`RPC URL "${url}" is not an http(s) or ws(s) URL.`, "Pass --rpc-url <url>[,<url>…].");
  }
  if (urls.length === 0) throw new UsageError(`--rpc-url "${given}" names no URL.`, "Pass --rpc-url <url>[,<url>…].");
  return urls;
}

/** One HTTP transport per URL; several go through viem's fallback (the next URL when one does not answer). */
export function transportOf(urls: readonly string[], config: HttpTransportConfig = {}): Transport {
  if (urls.length === 1) return http(urls[0], config);
  return fallback(
    urls.map((url) => http(url, { ...config, retryCount: 0 })),
    { rank: false },
  );
}

/** What `nodeSettings` reads. */
export interface NodeSettings {
  confirmations?: number;
  maxLogRange?: bigint;
  freeGas?: boolean;
  dropTimeout?: number;
}

/** The node settings (confirmations, maxLogRange, freeGas, dropTimeout) from the environment or the config file. */
export function nodeSettings(opts: GlobalOptions): NodeSettings {
  const out: NodeSettings = {};
  const whole = (name: string, value: string, min: number): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || !Number.isSafeInteger(Number(value)))
      throw new UsageError(`${name} "${value}" is not a whole number of blocks (${min} or more).`);
    return Number(value);
  };
  if (opts.confirmations !== undefined) out.confirmations = whole("confirmations", opts.confirmations, 0);
  if (opts.maxLogRange !== undefined) out.maxLogRange = BigInt(whole("maxLogRange", opts.maxLogRange, 1));
  if (opts.dropTimeout !== undefined) {
    const v = opts.dropTimeout.trim();
    if (!/^\d+$/.test(v) || Number(v) < 100 || !Number.isSafeInteger(Number(v)))
      throw new UsageError(`dropTimeout "${opts.dropTimeout}" is not a whole number of milliseconds (100 or more).`);
    out.dropTimeout = Number(v);
  }
  if (opts.freeGas !== undefined) {
    const v = opts.freeGas.trim().toLowerCase();
    if (!["true", "false", "1", "0", "auto"].includes(v))
      throw new UsageError(`freeGas "${opts.freeGas}" is not true, false or auto.`);
    if (v !== "auto") out.freeGas = v === "true" || v === "1";
  }
  return out;
}

/** A client for the configured chain and deployment; with a signer when `signing` is set. */
export function connect(opts: GlobalOptions, io: CliIo, signing: boolean): Clearhouse {
  const deployment = loadDeployment(opts.deployment ?? io.env.CLEARHOUSE_DEPLOYMENT ?? DEFAULT_DEPLOYMENT);
  const account = signing ? loadKey(opts, io) : undefined;
  const settings = { ...nodeSettings(opts), ...memberAccountOf(opts) };
  if (io.transport)
    return createClearhouse({ transport: io.transport, deployment, account, pollingInterval: 10, ...settings });
  return createClearhouse({ rpcUrls: rpcUrlsOf(opts, io), deployment, account, ...settings });
}

/** `--member-account`: the account the signing key acts for (writes go through its `execute`). */
function memberAccountOf(opts: GlobalOptions): { memberAccount?: Address } {
  const value = opts.memberAccount?.trim();
  if (value === undefined || value === "") return {};
  if (!isAddress(value, { strict: false }))
    throw new UsageError(`--member-account "${value}" is not an address (0x + 40 hex digits).`);
  return { memberAccount: getAddress(value) };
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
