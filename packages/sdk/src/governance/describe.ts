/**
 * What a governance file really asks for, decoded from its signed typed data — never from its
 * free-text fields. `gov sign` shows this to the signer; a file whose `call` description disagrees
 * with the calldata it signs is refused.
 */
import { decodeFunctionData, type Abi, type Hex } from "viem";
import { CONTRACTS, PROPOSAL_TARGETS } from "@clearhouse/contracts";

/** The ABIs a proposal's calldata is decoded with: every contract a proposal may target (the manifest's). */
const KNOWN_ABIS: readonly Abi[] = PROPOSAL_TARGETS.map((name) => CONTRACTS[name].abi as Abi);

const show = (v: unknown): string =>
  typeof v === "bigint" ? v.toString() : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

/**
 * The function and arguments of `data` under the Clearhouse ABIs (or under `abis`, e.g. the ABI of
 * the contract a proposal targets), or undefined if none matches.
 */
export function decodeCall(
  data: Hex,
  abis: readonly Abi[] = KNOWN_ABIS,
): { functionName: string; args: string[] } | undefined {
  if (data.length < 10) return undefined;
  for (const abi of abis) {
    try {
      const { functionName, args } = decodeFunctionData({ abi, data });
      return { functionName, args: (args ?? []).map(show) };
    } catch {
      // not this ABI
    }
  }
  return undefined;
}
