/**
 * What a governance file really asks for, decoded from its signed typed data — never from its
 * free-text fields. `gov sign` shows this to the signer; a file whose `call` description disagrees
 * with the calldata it signs is refused.
 */
import { decodeFunctionData, type Abi, type Hex } from "viem";
import {
  consortiumMultisigAbi,
  consortiumRegistryAbi,
  nettingEngineAbi,
  settlementLedgerAbi,
  settlementTokenAbi,
  verifierRegistryAbi,
} from "../generated/abis";
import { GovernanceFileError, proposalOf, type GovernanceFile } from "./files";

const KNOWN_ABIS: readonly Abi[] = [
  consortiumRegistryAbi,
  settlementTokenAbi,
  consortiumMultisigAbi,
  settlementLedgerAbi,
  nettingEngineAbi,
  verifierRegistryAbi,
];

const show = (v: unknown): string =>
  typeof v === "bigint" ? v.toString() : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

/** The function and arguments of `data` under the Clearhouse ABIs, or undefined if none matches. */
export function decodeCall(data: Hex): { functionName: string; args: string[] } | undefined {
  if (data.length < 10) return undefined;
  for (const abi of KNOWN_ABIS) {
    try {
      const { functionName, args } = decodeFunctionData({ abi, data });
      return { functionName, args: (args ?? []).map(show) };
    } catch {
      // not this ABI
    }
  }
  return undefined;
}

/**
 * Refuse a file whose human-readable `call` does not describe its calldata (a file can be edited
 * to show a harmless description over a harmful call, and the description is not signed).
 */
export function checkCallDescription(file: GovernanceFile, name = "proposal"): void {
  if (file.typedData.primaryType !== "Proposal" || !file.call) return;
  const decoded = decodeCall(file.typedData.message.data);
  if (!decoded) return; // a call to a contract outside Clearhouse: nothing to compare with
  const same =
    decoded.functionName === file.call.functionName &&
    decoded.args.length === file.call.args.length &&
    decoded.args.every((a, i) => a === file.call!.args[i]);
  if (!same) {
    throw new GovernanceFileError(
      name,
      `its description says ${file.call.functionName}(${file.call.args.join(", ")}) but its data calls ${decoded.functionName}(${decoded.args.join(", ")})`,
      "Do not sign it. Ask the proposer for the original file.",
    );
  }
}

/** Lines describing exactly what signing the file authorizes, all decoded from the signed data. */
export function describeGovernanceFile(file: GovernanceFile): string[] {
  const { domain } = file.typedData;
  const where = `multisig ${domain.verifyingContract} on chain ${domain.chainId}`;
  if (file.typedData.primaryType === "Cancel") {
    const m = file.typedData.message;
    return [`Cancel: burn lane ${m.lane} nonce ${m.nonce} of ${where}`];
  }
  const p = proposalOf(file);
  const decoded = decodeCall(p.data);
  const call = decoded
    ? `${decoded.functionName}(${decoded.args.join(", ")})`
    : `raw calldata ${p.data.slice(0, 74)}${p.data.length > 74 ? "…" : ""} (not a Clearhouse function: review it yourself)`;
  const when = (s: bigint) => (s === 0n ? "—" : new Date(Number(s) * 1000).toISOString());
  return [
    `Call:      ${call}`,
    `Target:    ${p.target}`,
    `Value:     ${p.value} wei`,
    `Lane:      ${p.lane}, nonce ${p.nonce}`,
    `Window:    not before ${when(p.notBefore)}, expires ${when(p.expiry)}`,
    `Authority: ${where}`,
  ];
}
