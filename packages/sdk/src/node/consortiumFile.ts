/**
 * The consortium file `clearhouse deploy` and `scripts/deploy.ts` read (YAML or JSON, see
 * config/consortium.example.yaml): the token, the founding members, governance and the settlement
 * window. Everything is checked before anything is sent, and every error names the field.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { getAddress, isAddress, type Address } from "viem";
import { ClearhouseError } from "../errors/base";
import { leiHash } from "../registry/identifiers";
import { Role, namesToRoles, type RoleName } from "../registry/roles";
import { UINT128_MAX, UNLIMITED, isUncheckedAddress, toMinorUnits } from "../validate";
import { CRYPTO_MODES, DEFAULT_CRYPTO_MODE, parseCryptoMode, type CryptoMode } from "../cryptoMode";

/** A consortium file that cannot be used: `field` is where, e.g. `members[2].lei`. */
export class ConsortiumFileError extends ClearhouseError {
  override name = "ConsortiumFileError";
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field} ${problem}.`, {
      category: "input",
      hint: "See config/consortium.example.yaml for the format.",
    });
  }
}

/** The consortium's governance: an M-of-N multisig with timelocks and a guardian. */
export interface GovernanceConfig {
  signers: Address[];
  threshold: number;
  /** Global minimum timelock, seconds. */
  minDelay: number;
  /** Default timelock of upgrades, ownership and signer changes, seconds. */
  sensitiveDelay: number;
  /** Who may pause every contract at once. */
  guardian: Address;
}

/** A founding member, limits in minor units (UNLIMITED for none). */
export interface ConsortiumMember {
  address: Address;
  name: string;
  lei: string;
  roles: number;
  roleNames: RoleName[];
  maxSingleTransfer: bigint;
  maxDailyOutflow: bigint;
}

export interface Consortium {
  token: { name: string; symbol: string; decimals: number; currency: string };
  members: ConsortiumMember[];
  governance: GovernanceConfig;
  settlement: { ackWindow: number };
  /** Which algorithms protect what (`crypto:`, default international; docs/crypto.md "Modes"). */
  crypto: CryptoMode;
  /** What deserves a second look but is not wrong (addresses without a checksum). */
  warnings: string[];
}

/** Timelocks and the acknowledgement window are capped at 30 days by the contracts. */
const MAX_DELAY = 30 * 86_400;
const MIN_ACK_WINDOW = 60;
const DEFAULT_ACK_WINDOW = 3_600;
const MAX_SIGNERS = 64;

type Fail = (field: string, problem: string) => never;
type Fields = Record<string, unknown>;

function object(value: unknown, field: string, fail: Fail, allowed: readonly string[]): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(field || "top level", "must be a mapping");
  const fields = value as Fields;
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) fail(field ? `${field}.${key}` : key, `is not a known field (${allowed.join(", ")})`);
  }
  return fields;
}

function address(value: unknown, field: string, fail: Fail, allowZero = false): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) fail(field, "is not an address");
  if (!isUncheckedAddress(value as string) && !isAddress(value as string, { strict: true }))
    fail(field, `${value as string} has a wrong EIP-55 checksum (a character is probably mistyped)`);
  if (!allowZero && /^0x0{40}$/.test(value as string)) fail(field, "must not be the zero address");
  return getAddress(value as string);
}

function integer(value: unknown, field: string, min: number, max: number, fail: Fail): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer from ${min} to ${max}`);
  }
  return value as number;
}

function text(value: unknown, field: string, maxBytes: number, fail: Fail): string {
  if (typeof value !== "string" || value.trim() === "") fail(field, "must be a non-empty string");
  if (Buffer.byteLength(value as string, "utf8") > maxBytes) fail(field, `must be at most ${maxBytes} bytes`);
  return value as string;
}

/** Validate governance settings (as in config/governance.example.json), naming the bad field. */
export function parseGovernance(raw: unknown, fail: Fail, prefix = ""): GovernanceConfig {
  const g = object(raw, prefix.replace(/\.$/, ""), fail, [
    "signers",
    "threshold",
    "minDelay",
    "sensitiveDelay",
    "guardian",
  ]);
  if (!Array.isArray(g.signers) || g.signers.length === 0) {
    fail(`${prefix}signers`, "must be a non-empty list of addresses");
  }
  const signers = (g.signers as unknown[]).map((s, i) => address(s, `${prefix}signers[${i}]`, fail));
  if (signers.length > MAX_SIGNERS) fail(`${prefix}signers`, `has more than ${MAX_SIGNERS} addresses`);
  if (new Set(signers).size !== signers.length) fail(`${prefix}signers`, "contains a duplicate");
  return {
    signers,
    threshold: integer(g.threshold, `${prefix}threshold`, 1, signers.length, fail),
    minDelay: integer(g.minDelay, `${prefix}minDelay`, 0, MAX_DELAY, fail),
    sensitiveDelay: integer(g.sensitiveDelay, `${prefix}sensitiveDelay`, 0, MAX_DELAY, fail),
    // A zero guardian is allowed: nobody may pause outside a proposal.
    guardian: address(g.guardian, `${prefix}guardian`, fail, true),
  };
}

/** Role names as a list or a comma-separated string → bitmask. */
function roles(value: unknown, field: string, fail: Fail): { roles: number; roleNames: RoleName[] } {
  const list = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(list) || list.length === 0) fail(field, `must list roles (${Object.keys(Role).join(", ")})`);
  const names = (list as unknown[]).map((r, i) => {
    const name = typeof r === "string" ? r.trim().toUpperCase() : "";
    if (!(name in Role)) fail(`${field}[${i}]`, `${JSON.stringify(r)} is not a role (${Object.keys(Role).join(", ")})`);
    return name as RoleName;
  });
  const unique = [...new Set(names)];
  return { roles: namesToRoles(unique), roleNames: unique };
}

/** A limit in currency units ("1,000,000.00", 250000) or "unlimited" → minor units. */
function limit(value: unknown, field: string, decimals: number, fail: Fail): bigint {
  if (typeof value === "string" && value.trim().toLowerCase() === "unlimited") return UNLIMITED;
  if (typeof value !== "string" && typeof value !== "number") {
    fail(field, 'must be an amount in currency units or "unlimited"');
  }
  let units: bigint;
  try {
    units = toMinorUnits(field, String(value), decimals);
  } catch {
    return fail(field, `${JSON.stringify(value)} is not an amount with at most ${decimals} decimals or "unlimited"`);
  }
  if (units > UINT128_MAX) fail(field, "does not fit uint128");
  return units;
}

function member(raw: unknown, i: number, decimals: number, fail: Fail): ConsortiumMember {
  const field = `members[${i}]`;
  const m = object(raw, field, fail, ["address", "name", "lei", "roles", "maxSingleTransfer", "maxDailyOutflow"]);
  const account = address(m.address, `${field}.address`, fail);
  const name = text(m.name, `${field}.name`, 64, fail);
  const lei = typeof m.lei === "string" ? m.lei.trim() : "";
  try {
    leiHash(lei);
  } catch {
    fail(
      `${field}.lei`,
      `${JSON.stringify(m.lei)} is not a valid ISO 17442 LEI (20 characters, MOD 97-10 check digits)`,
    );
  }
  const role = roles(m.roles, `${field}.roles`, fail);
  const maxSingleTransfer = limit(m.maxSingleTransfer, `${field}.maxSingleTransfer`, decimals, fail);
  const maxDailyOutflow = limit(m.maxDailyOutflow, `${field}.maxDailyOutflow`, decimals, fail);
  if (maxSingleTransfer > maxDailyOutflow) fail(`${field}.maxSingleTransfer`, "exceeds maxDailyOutflow");
  return { address: account, name, lei, ...role, maxSingleTransfer, maxDailyOutflow };
}

/** Validate a parsed consortium file; `file` names it in errors. */
export function parseConsortium(raw: unknown, file: string): Consortium {
  const fail: Fail = (field, problem) => {
    throw new ConsortiumFileError(file, field, problem);
  };
  // `network:` describes the Besu network (`clearhouse network init`, readNetworkFile); deploy ignores it.
  const top = object(raw, "", fail, ["token", "members", "governance", "settlement", "network", "crypto"]);
  const t = object(top.token, "token", fail, ["name", "symbol", "decimals", "currency"]);
  const token = {
    name: text(t.name, "token.name", 64, fail),
    symbol: text(t.symbol, "token.symbol", 16, fail),
    decimals: integer(t.decimals, "token.decimals", 0, 18, fail),
    currency: typeof t.currency === "string" && /^[A-Z]{3}$/.test(t.currency) ? t.currency : "",
  };
  if (!token.currency) fail("token.currency", "must be an ISO 4217 code like EUR");
  if (!Array.isArray(top.members) || top.members.length === 0) fail("members", "must be a non-empty list");
  const members = (top.members as unknown[]).map((m, i) => member(m, i, token.decimals, fail));
  const seen = new Map<Address, number>();
  members.forEach((m, i) => {
    const first = seen.get(m.address);
    if (first !== undefined) fail(`members[${i}].address`, `repeats members[${first}].address`);
    seen.set(m.address, i);
  });
  if (top.governance === undefined) fail("governance", "is missing (the multisig that will own the contracts)");
  const governance = parseGovernance(top.governance, fail, "governance.");
  const s = top.settlement === undefined ? {} : object(top.settlement, "settlement", fail, ["ackWindow"]);
  const ackWindow =
    s.ackWindow === undefined
      ? DEFAULT_ACK_WINDOW
      : integer(s.ackWindow, "settlement.ackWindow", MIN_ACK_WINDOW, MAX_DELAY, fail);
  let crypto: CryptoMode = DEFAULT_CRYPTO_MODE;
  try {
    crypto = parseCryptoMode(top.crypto);
  } catch {
    fail("crypto", `${JSON.stringify(top.crypto)} is not one of ${CRYPTO_MODES.join(", ")}`);
  }
  return { token, members, governance, settlement: { ackWindow }, crypto, warnings: uncheckedAddresses(top) };
}

/** The address fields written in one case (no EIP-55 checksum to catch a typo), as warnings. */
function uncheckedAddresses(top: Fields): string[] {
  const fields: [string, unknown][] = [];
  (top.members as { address?: unknown }[]).forEach((m, i) => fields.push([`members[${i}].address`, m.address]));
  const g = top.governance as { signers?: unknown[]; guardian?: unknown };
  (g.signers ?? []).forEach((s, i) => fields.push([`governance.signers[${i}]`, s]));
  fields.push(["governance.guardian", g.guardian]);
  return fields
    .filter(([, v]) => typeof v === "string" && isUncheckedAddress(v) && !/^0x0{40}$/.test(v))
    .map(
      ([field, v]) => `${field} ${v as string} has no EIP-55 checksum (all one case): check it is the right address`,
    );
}

/** Read and validate a consortium file: JSON when it ends in .json, YAML otherwise. */
export function readConsortiumFile(path: string): Consortium {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    throw new ConsortiumFileError(path, "file", "cannot be read");
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(source) : parseYaml(source);
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    throw new ConsortiumFileError(path, "file", `is not valid ${/\.json$/i.test(path) ? "JSON" : "YAML"} (${why})`);
  }
  return parseConsortium(raw, path);
}
