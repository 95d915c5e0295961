/**
 * What a governance file really asks for, decoded from its signed typed data — never from its
 * free-text fields. `gov sign` shows this to the signer; a file whose `call` description disagrees
 * with the calldata it signs is refused.
 */
import { decodeFunctionData, type Abi, type AbiFunction, type Address, type Hex } from "viem";
import { CONTRACTS, PROPOSAL_TARGETS } from "@clearhouse/contracts";
import { UNLIMITED, fromMinorUnits } from "../validate";

/** The ABIs a proposal's calldata is decoded with: every contract a proposal may target (the manifest's). */
const KNOWN_ABIS: readonly Abi[] = PROPOSAL_TARGETS.map((name) => CONTRACTS[name].abi as Abi);

const show = (v: unknown): string =>
  typeof v === "bigint" ? v.toString() : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

/** The function of `abis` (default: the Clearhouse ABIs) `data` calls and its decoded arguments, or undefined. */
function decodeRaw(
  data: Hex,
  abis: readonly Abi[] = KNOWN_ABIS,
): { fn: AbiFunction; args: readonly unknown[] } | undefined {
  if (data.length < 10) return undefined;
  for (const abi of abis) {
    try {
      const { functionName, args } = decodeFunctionData({ abi, data });
      const fn = abi.find(
        (x): x is AbiFunction =>
          x.type === "function" && x.name === functionName && x.inputs.length === (args ?? []).length,
      );
      if (fn) return { fn, args: args ?? [] };
    } catch {
      // not this ABI
    }
  }
  return undefined;
}

/**
 * The function and arguments of `data` under the Clearhouse ABIs (or under `abis`, e.g. the ABI of
 * the contract a proposal targets), or undefined if none matches.
 */
export function decodeCall(
  data: Hex,
  abis: readonly Abi[] = KNOWN_ABIS,
): { functionName: string; args: string[] } | undefined {
  const decoded = decodeRaw(data, abis);
  return decoded && { functionName: decoded.fn.name, args: decoded.args.map(show) };
}

/** The currency amounts of a call are shown in: the settlement token's symbol and decimals. */
export interface CallUnits {
  symbol: string;
  decimals: number;
}

/**
 * The parameters that hold token amounts in minor units, by name: amounts, limits and ceilings of
 * the registry, token and engine (`maxSingleTransfer`, `maxDailyOutflow`, `amount`, `limit`,
 * `ceiling`, `value` of a transfer). Integer parameters of other names are shown as integers.
 */
const AMOUNT_PARAMETER = /^(amount|value|limit|ceiling|maxSingleTransfer|maxDailyOutflow)$/;

/** One argument for a person: amounts in currency units with the minor units signed in brackets. */
function showArgument(name: string, type: string, value: unknown, units: CallUnits | undefined): string {
  const label = name ? `${name} ` : "";
  if (units && typeof value === "bigint" && /^uint/.test(type) && AMOUNT_PARAMETER.test(name)) {
    const text =
      value === UNLIMITED && type === "uint128" && /^max|limit/.test(name)
        ? "unlimited"
        : `${fromMinorUnits(value, units.decimals)} ${units.symbol}`;
    return `${label}${text} [${value}]`;
  }
  return `${label}${show(value)}`;
}

export interface DescribeCallOptions {
  /** Decode with these ABIs only (e.g. the target contract's); default: every Clearhouse ABI. */
  abis?: readonly Abi[];
  /**
   * The settlement token's address: a call with an `address token` argument (e.g. the engine's
   * `rescue`) naming another token gets no currency units — its amounts are that token's.
   */
  settlementToken?: Address;
}

/**
 * `data` as a person reviews it: `setLimits(account 0x3C44…, maxSingleTransfer 20,000,000.00 tEUR
 * [2000000000], …)` — each argument named, amounts in currency units when `units` is given, with
 * the minor units (what is signed) in brackets. Undefined when `data` calls no function of the ABIs.
 */
export function describeCallData(data: Hex, units?: CallUnits, options: DescribeCallOptions = {}): string | undefined {
  const decoded = decodeRaw(data, options.abis);
  if (!decoded) return undefined;
  const { fn, args } = decoded;
  const name = (n: string | undefined) => (n ?? "").replace(/_+$/, ""); // `ackWindow_` reads `ackWindow`
  const foreignToken =
    options.settlementToken !== undefined &&
    fn.inputs.some(
      (input, i) =>
        input.type === "address" &&
        name(input.name) === "token" &&
        String(args[i]).toLowerCase() !== options.settlementToken!.toLowerCase(),
    );
  const shown = foreignToken ? undefined : units;
  const parts = fn.inputs.map((input, i) => showArgument(name(input.name), input.type, args[i], shown));
  return `${fn.name}(${parts.join(", ")})`;
}
