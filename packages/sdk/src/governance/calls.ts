/**
 * Calls of governed contracts by name: `encodeGovernedCall` looks the function up in the
 * contract's ABI, turns loosely typed arguments (integers as decimal strings or numbers, as they
 * come from JSON or a command line) into ABI values and encodes the calldata of a proposal. The CLI
 * and other front ends pass names and arguments; the ABIs stay in the SDK.
 */
import { encodeFunctionData, type Abi, type AbiFunction, type AbiParameter, type Hex } from "viem";
import { CONTRACTS, PROPOSAL_TARGETS, contractByShortName, type ContractName } from "@clearhouse/contracts";
import { InvalidArgumentError } from "../errors/base";

/**
 * A contract a proposal may call by name (its name in the deployment file): every contract the
 * multisig governs, and the multisig itself — `PROPOSAL_TARGETS` of the contract manifest.
 */
export type GovernedContract = ContractName;

/** Every contract `encodeGovernedCall` knows, in manifest order. */
export const GOVERNED_CALL_TARGETS: readonly GovernedContract[] = PROPOSAL_TARGETS;

/** The short names front ends use for them (`registry`, `token`, `ledger`, …), in the same order. */
export const GOVERNED_CALL_SHORT_NAMES: readonly string[] = PROPOSAL_TARGETS.map((n) => CONTRACTS[n].shortName);

/** The proposal target a short name (`ledger`) or deployment name (`SettlementLedger`) means. */
export function governedContractNamed(name: string): GovernedContract | undefined {
  const byShort = contractByShortName(name)?.name;
  const found = byShort ?? (PROPOSAL_TARGETS as readonly string[]).find((n) => n === name);
  return found !== undefined && PROPOSAL_TARGETS.includes(found as ContractName) ? (found as ContractName) : undefined;
}

export interface EncodeGovernedCallParameters {
  contract: GovernedContract;
  /** A state-changing function of the contract, e.g. `setLimits`. */
  functionName: string;
  /**
   * Its arguments in order. Integers may be bigints, safe integers or decimal strings; arrays and
   * tuples (as arrays or objects) are converted element by element; other types pass as given.
   */
  args?: readonly unknown[];
}

/** An encoded call: what `buildProposal` takes as `call` (it describes the call from `data`). */
export interface EncodedGovernedCall {
  data: Hex;
  contract: GovernedContract;
  functionName: string;
  /** e.g. `setLimits(address,uint128,uint128)`. */
  signature: string;
  /** The arguments as encoded (integers as bigint, or number for types of 48 bits and less). */
  args: readonly unknown[];
}

const signatureOf = (fn: AbiFunction) => `${fn.name}(${fn.inputs.map((i) => i.type).join(",")})`;
const changesState = (fn: AbiFunction) => fn.stateMutability === "nonpayable" || fn.stateMutability === "payable";
const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** `value` as the ABI value of `param`; `where` names it in errors (e.g. `argument 2 (uint128)`). */
function coerce(value: unknown, param: AbiParameter, where: string): unknown {
  const { type } = param;
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) throw new InvalidArgumentError("args", `${where} must be an array, not ${show(value)}`);
    if (array[2] !== "" && value.length !== Number(array[2]))
      throw new InvalidArgumentError("args", `${where} must have ${array[2]} elements, not ${value.length}`);
    const element = { ...param, type: array[1] } as AbiParameter;
    return value.map((v, i) => coerce(v, element, `${where}[${i}]`));
  }
  if (type === "tuple" && "components" in param) {
    const parts = param.components;
    if (Array.isArray(value)) {
      if (value.length !== parts.length)
        throw new InvalidArgumentError("args", `${where} must have ${parts.length} fields, not ${value.length}`);
      return value.map((v, i) => coerce(v, parts[i], `${where}.${parts[i].name ?? i}`));
    }
    if (value === null || typeof value !== "object")
      throw new InvalidArgumentError("args", `${where} must be an array or an object, not ${show(value)}`);
    const fields = value as Record<string, unknown>;
    return Object.fromEntries(
      parts.map((c, i) => [c.name ?? i, coerce(fields[c.name ?? i], c, `${where}.${c.name ?? i}`)]),
    );
  }
  const int = /^u?int(\d*)$/.exec(type);
  if (int) {
    const ok =
      typeof value === "bigint" ||
      (typeof value === "number" && Number.isSafeInteger(value)) ||
      (typeof value === "string" && /^-?\d+$/.test(value));
    if (!ok) throw new InvalidArgumentError("args", `${where} is not an integer: ${show(value)}`);
    const bits = Number(int[1] || 256);
    return bits <= 48 ? Number(value) : BigInt(value as bigint | number | string);
  }
  return value;
}

/** The state-changing function `functionName` of `contract` taking `arity` arguments. */
function functionOf(contract: GovernedContract, functionName: string, arity: number): AbiFunction {
  const abi = PROPOSAL_TARGETS.includes(contract) ? (CONTRACTS[contract].abi as Abi) : undefined;
  if (!abi) {
    throw new InvalidArgumentError(
      "contract",
      `${String(contract)} is not a governed contract`,
      `Governed contracts: ${PROPOSAL_TARGETS.join(", ")}.`,
    );
  }
  const functions = abi.filter((x): x is AbiFunction => x.type === "function");
  const named = functions.filter((f) => f.name === functionName);
  const callable = functions.filter(changesState).map((f) => f.name);
  if (named.length === 0) {
    throw new InvalidArgumentError(
      "functionName",
      `${contract} has no function ${functionName}`,
      `Functions of ${contract} a proposal can call: ${[...new Set(callable)].join(", ")}.`,
    );
  }
  const fn = named.find((f) => f.inputs.length === arity);
  if (!fn) {
    const counts = named.map((f) => f.inputs.length).join(" or ");
    const sigs = named.map(signatureOf).join(", ");
    throw new InvalidArgumentError(
      "args",
      `${named.length === 1 ? sigs : `${functionName} (${sigs})`} takes ${counts} argument${counts === "1" ? "" : "s"}, not ${arity}`,
    );
  }
  if (!changesState(fn)) {
    throw new InvalidArgumentError(
      "functionName",
      `${contract}.${signatureOf(fn)} is a ${fn.stateMutability} function: a proposal can only call a function that changes state`,
      "Read it directly instead (the SDK's read functions, or `clearhouse gov info`).",
    );
  }
  return fn;
}

/**
 * The calldata of `contract.functionName(...args)` for a governance proposal, its arguments
 * converted to their ABI types. Throws InvalidArgumentError naming the contract, function or
 * argument at fault (with the callable functions when the name is unknown).
 * @example
 * const call = encodeGovernedCall({ contract: "ConsortiumRegistry", functionName: "setLimits",
 *   args: ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "50000000", "200000000"] });
 * await ch.governance.buildProposal({ target: registry, call, description: "Raise limits" });
 */
export function encodeGovernedCall(p: EncodeGovernedCallParameters): EncodedGovernedCall {
  const raw = p.args ?? [];
  const fn = functionOf(p.contract, p.functionName, raw.length);
  const args = raw.map((v, i) => coerce(v, fn.inputs[i], `argument ${i + 1} (${fn.inputs[i].type})`));
  let data: Hex;
  try {
    data = encodeFunctionData({ abi: [fn], functionName: fn.name, args });
  } catch (e) {
    throw new InvalidArgumentError(
      "args",
      `cannot encode ${signatureOf(fn)}: ${(e as Error).message.split("\n")[0]}`,
      "Addresses are 0x followed by 40 hex digits, bytes32 values 0x followed by 64.",
    );
  }
  return { data, contract: p.contract, functionName: fn.name, signature: signatureOf(fn), args };
}
