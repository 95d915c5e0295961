/**
 * The `network:` section of a consortium file: the Besu QBFT network `clearhouse network init`
 * generates (chain id, block timing, gas limit, validators and member nodes, validator selection,
 * pre-allocated accounts). Pure: the caller reads the file. Every error names the field.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { ClearhouseError, InvalidArgumentError } from "../errors/base";
import { identityOfPublicKey, isIPv4, type NodeIdentity } from "./nodeKeys";

/** A network section that cannot be used: `field` is where, e.g. `network.nodes[2].host`. */
export class NetworkConfigError extends ClearhouseError {
  override name = "NetworkConfigError";
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field} ${problem}.`, {
      category: "input",
      hint: "See config/network.example.yaml and docs/network.md for the format.",
    });
  }
}

/** One Besu node of the network. */
export interface NetworkNode {
  /** Directory name in the kit: letters, digits and dashes. */
  name: string;
  role: "validator" | "member";
  /** The IPv4 address other nodes reach it at (its enode host, `p2p-host`). */
  host: string;
  p2pPort: number;
  /** Interface JSON-RPC listens on (default 127.0.0.1: expose it deliberately). */
  rpcInterface: string;
  rpcPort: number;
  metricsInterface: string;
  metricsPort: number;
  /** Set when the key is held elsewhere (an HSM): no private key is written for this node. */
  external?: NodeIdentity;
}

/** Who selects the validators: the genesis list (votes by `qbft_proposeValidatorVote`) or a contract. */
export type ValidatorSelection = { mode: "list" } | { mode: "contract"; contractAddress: Address; fromBlock: number };

/** A pre-allocated account of the genesis block (a pre-deployed contract has code and storage). */
export interface AllocEntry {
  balance: bigint;
  code?: Hex;
  storage?: Record<Hex, Hex>;
}

export interface NetworkSpec {
  chainId: number;
  blockPeriodSeconds: number;
  requestTimeoutSeconds: number;
  /** 0: Besu's default (an empty block every block period); Besu reads it as `xemptyblockperiodseconds`. */
  emptyBlockPeriodSeconds: number;
  epochLength: number;
  gasLimit: bigint;
  validatorSelection: ValidatorSelection;
  rpcApis: string[];
  nodes: NetworkNode[];
  alloc: Record<Address, AllocEntry>;
  /** Worth a second look, not wrong (fewer than 4 validators). */
  warnings: string[];
}

/**
 * The default block gas limit, 30,000,000 (0x1C9C380): the settlement close's transactions are
 * bounded by its gas budget (15M by default, docs/settlement.md), and a limit twice that keeps a
 * close from needing a block to itself. Below the budget a close could never be mined.
 */
export const DEFAULT_GAS_LIMIT = 30_000_000n;
/** The close's default gas budget: the smallest block gas limit the kit accepts. */
export const MIN_GAS_LIMIT = 15_000_000n;
export const DEFAULT_RPC_APIS = ["ETH", "NET", "WEB3", "QBFT", "TXPOOL", "ADMIN", "PERM"] as const;
const KNOWN_RPC_APIS = [...DEFAULT_RPC_APIS, "DEBUG", "TRACE", "MINER", "PLUGINS"];
const NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

type Fail = (field: string, problem: string) => never;
type Fields = Record<string, unknown>;

function mapping(value: unknown, field: string, fail: Fail, allowed: readonly string[]): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(field, "must be a mapping");
  const fields = value as Fields;
  for (const key of Object.keys(fields))
    if (!allowed.includes(key)) fail(`${field}.${key}`, `is not a known field (${allowed.join(", ")})`);
  return fields;
}

function int(value: unknown, field: string, min: number, max: number, fail: Fail, dflt?: number): number {
  if (value === undefined && dflt !== undefined) return dflt;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    fail(field, `must be an integer from ${min} to ${max}`);
  return value as number;
}

function iface(value: unknown, field: string, fail: Fail): string {
  if (value === undefined) return "127.0.0.1";
  if (typeof value !== "string" || !isIPv4(value)) fail(field, "must be an IPv4 address (0.0.0.0 for all interfaces)");
  return value as string;
}

function node(raw: unknown, i: number, fail: Fail): NetworkNode {
  const f = `network.nodes[${i}]`;
  const n = mapping(raw, f, fail, [
    "name",
    "role",
    "host",
    "p2pPort",
    "rpcInterface",
    "rpcPort",
    "metricsInterface",
    "metricsPort",
    "publicKey",
  ]);
  if (typeof n.name !== "string" || !NAME.test(n.name))
    fail(`${f}.name`, "must be 1-63 letters, digits or dashes, starting with a letter or digit");
  if (n.role !== "validator" && n.role !== "member") fail(`${f}.role`, 'must be "validator" or "member"');
  if (typeof n.host !== "string" || !isIPv4(n.host))
    fail(`${f}.host`, "must be the node's IPv4 address (enode URLs need an IP unless Besu's --Xdns-enabled is on)");
  let external: NodeIdentity | undefined;
  if (n.publicKey !== undefined) {
    if (typeof n.publicKey !== "string") fail(`${f}.publicKey`, "must be a hex string");
    try {
      external = identityOfPublicKey(n.publicKey as string, `${f}.publicKey`);
    } catch (e) {
      fail(`${f}.publicKey`, e instanceof InvalidArgumentError ? e.problem : String(e));
    }
  }
  return {
    name: n.name as string,
    role: n.role as "validator" | "member",
    host: n.host as string,
    p2pPort: int(n.p2pPort, `${f}.p2pPort`, 1, 65535, fail, 30303),
    rpcInterface: iface(n.rpcInterface, `${f}.rpcInterface`, fail),
    rpcPort: int(n.rpcPort, `${f}.rpcPort`, 1, 65535, fail, 8545),
    metricsInterface: iface(n.metricsInterface, `${f}.metricsInterface`, fail),
    metricsPort: int(n.metricsPort, `${f}.metricsPort`, 1, 65535, fail, 9545),
    ...(external ? { external } : {}),
  };
}

/** Two nodes on one host must not share a port (p2p, RPC or metrics). */
function checkPorts(nodes: NetworkNode[], fail: Fail): void {
  const used = new Map<string, string>();
  nodes.forEach((n, i) => {
    for (const [kind, port] of [
      ["p2pPort", n.p2pPort],
      ["rpcPort", n.rpcPort],
      ["metricsPort", n.metricsPort],
    ] as const) {
      const key = `${n.host}:${port}`;
      const field = `network.nodes[${i}].${kind}`;
      const other = used.get(key);
      if (other) fail(field, `${port} is already used on ${n.host} by ${other}`);
      used.set(key, field);
    }
  });
}

function quantity(value: unknown, field: string, fail: Fail): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value.trim())) return BigInt(value.trim());
  return fail(field, "must be a non-negative integer (decimal, or hex with 0x)");
}

function hexBytes(value: unknown, field: string, fail: Fail, exact?: number): Hex {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) fail(field, "must be 0x-prefixed hex bytes");
  const hex = (value as string).toLowerCase() as Hex;
  if (exact !== undefined && hex.length !== 2 + 2 * exact) fail(field, `must be ${exact} bytes`);
  return hex;
}

function address(value: unknown, field: string, fail: Fail): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) fail(field, "is not an address");
  return getAddress(value as string);
}

function alloc(raw: unknown, fail: Fail): Record<Address, AllocEntry> {
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("network.alloc", "must be a mapping");
  const out: Record<Address, AllocEntry> = {};
  for (const [key, value] of Object.entries(raw as Fields)) {
    const f = `network.alloc.${key}`;
    const account = address(key, f, fail);
    if (out[account]) fail(f, "repeats an address");
    const a = mapping(value, f, fail, ["balance", "code", "storage"]);
    const entry: AllocEntry = { balance: a.balance === undefined ? 0n : quantity(a.balance, `${f}.balance`, fail) };
    if (a.code !== undefined) entry.code = hexBytes(a.code, `${f}.code`, fail);
    if (a.storage !== undefined) {
      if (typeof a.storage !== "object" || a.storage === null || Array.isArray(a.storage))
        fail(`${f}.storage`, "must be a mapping of 32-byte slots to 32-byte values");
      entry.storage = {};
      for (const [slot, word] of Object.entries(a.storage as Fields))
        entry.storage[hexBytes(slot, `${f}.storage.${slot}`, fail, 32)] = hexBytes(
          word,
          `${f}.storage.${slot}`,
          fail,
          32,
        );
    }
    out[account] = entry;
  }
  return out;
}

function selection(raw: Fields, allocs: Record<Address, AllocEntry>, fail: Fail): ValidatorSelection {
  const mode = raw.validatorMode ?? "list";
  if (mode === "list") {
    if (raw.validatorContract !== undefined)
      fail("network.validatorContract", 'is only read with validatorMode: "contract"');
    return { mode: "list" };
  }
  if (mode !== "contract") fail("network.validatorMode", 'must be "list" or "contract"');
  const c = mapping(raw.validatorContract, "network.validatorContract", fail, ["address", "fromBlock"]);
  const contractAddress = address(c.address, "network.validatorContract.address", fail);
  const fromBlock = int(c.fromBlock, "network.validatorContract.fromBlock", 0, Number.MAX_SAFE_INTEGER, fail);
  if (fromBlock === 0 && !allocs[contractAddress]?.code)
    fail(
      "network.validatorContract.address",
      `has no code in network.alloc: a contract selecting validators from block 0 must be pre-deployed in the genesis (or use fromBlock > 0 and deploy it first)`,
    );
  return { mode: "contract", contractAddress, fromBlock };
}

/** Validate a parsed `network:` section; `file` names it in errors. */
export function parseNetworkSection(raw: unknown, file: string): NetworkSpec {
  const fail: Fail = (field, problem) => {
    throw new NetworkConfigError(file, field, problem);
  };
  if (raw === undefined) fail("network", "is missing (the Besu network to generate)");
  const r = mapping(raw, "network", fail, [
    "chainId",
    "blockPeriodSeconds",
    "requestTimeoutSeconds",
    "emptyBlockPeriodSeconds",
    "epochLength",
    "gasLimit",
    "validatorMode",
    "validatorContract",
    "rpcApis",
    "nodes",
    "alloc",
  ]);
  const chainId = int(r.chainId, "network.chainId", 2, 0xffffffff, fail);
  const blockPeriodSeconds = int(r.blockPeriodSeconds, "network.blockPeriodSeconds", 1, 3600, fail, 2);
  const requestTimeoutSeconds = int(
    r.requestTimeoutSeconds,
    "network.requestTimeoutSeconds",
    1,
    3600,
    fail,
    2 * blockPeriodSeconds,
  );
  const emptyBlockPeriodSeconds = int(r.emptyBlockPeriodSeconds, "network.emptyBlockPeriodSeconds", 0, 86_400, fail, 0);
  if (emptyBlockPeriodSeconds !== 0 && emptyBlockPeriodSeconds < blockPeriodSeconds)
    fail("network.emptyBlockPeriodSeconds", "must be 0 (off) or at least blockPeriodSeconds");
  const epochLength = int(r.epochLength, "network.epochLength", 1, Number.MAX_SAFE_INTEGER, fail, 30_000);
  const gasLimit = r.gasLimit === undefined ? DEFAULT_GAS_LIMIT : quantity(r.gasLimit, "network.gasLimit", fail);
  if (gasLimit < MIN_GAS_LIMIT)
    fail("network.gasLimit", `must be at least ${MIN_GAS_LIMIT} (the settlement close's default gas budget)`);
  if (gasLimit > 0x7fffffffffffffffn) fail("network.gasLimit", "must fit a signed 64-bit integer (Besu's long)");
  let rpcApis: string[] = [...DEFAULT_RPC_APIS];
  if (r.rpcApis !== undefined) {
    if (!Array.isArray(r.rpcApis) || r.rpcApis.length === 0) fail("network.rpcApis", "must be a non-empty list");
    rpcApis = (r.rpcApis as unknown[]).map((a, i) => {
      const name = typeof a === "string" ? a.toUpperCase() : "";
      if (!KNOWN_RPC_APIS.includes(name)) fail(`network.rpcApis[${i}]`, `must be one of ${KNOWN_RPC_APIS.join(", ")}`);
      return name;
    });
  }
  if (!Array.isArray(r.nodes) || r.nodes.length === 0) fail("network.nodes", "must be a non-empty list");
  const nodes = (r.nodes as unknown[]).map((n, i) => node(n, i, fail));
  const names = new Map<string, number>();
  nodes.forEach((n, i) => {
    const first = names.get(n.name.toLowerCase());
    if (first !== undefined) fail(`network.nodes[${i}].name`, `repeats network.nodes[${first}].name`);
    names.set(n.name.toLowerCase(), i);
  });
  checkPorts(nodes, fail);
  const keys = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (!n.external) return;
    const first = keys.get(n.external.publicKey);
    if (first !== undefined) fail(`network.nodes[${i}].publicKey`, `repeats network.nodes[${first}].publicKey`);
    keys.set(n.external.publicKey, i);
  });
  const validators = nodes.filter((n) => n.role === "validator").length;
  if (validators === 0) fail("network.nodes", 'must include at least one node with role "validator"');
  const allocs = alloc(r.alloc, fail);
  const warnings =
    validators < 4 ? [`${validators} validator(s): QBFT needs at least 4 to keep producing blocks when one fails`] : [];
  return {
    chainId,
    blockPeriodSeconds,
    requestTimeoutSeconds,
    emptyBlockPeriodSeconds,
    epochLength,
    gasLimit,
    validatorSelection: selection(r, allocs, fail),
    rpcApis,
    nodes,
    alloc: allocs,
    warnings,
  };
}
