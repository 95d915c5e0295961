/**
 * What a multisig transaction submitted, read back from its calldata: the proposal (or cancel) it
 * queued, executed or carried out, and who signed the signatures it passed. Offline signatures
 * never reach an event (only on-chain approvals do), so the calldata is the only record of them.
 */
import {
  decodeFunctionData,
  getAddress,
  hashTypedData,
  hexToBigInt,
  recoverAddress,
  size,
  slice,
  type Address,
  type Hex,
} from "viem";
import { consortiumMultisigAbi } from "@clearhouse/contracts";
import { cancelTypes, multisigDomain, proposalTypes, type Proposal } from "./typedData";

/** One entry of a signature blob and whose it is. */
export interface BlobSigner {
  signer: Address;
  /** `ecdsa`: a key's 65-byte signature; `erc1271`: a contract signer's (checked by the contract). */
  scheme: "ecdsa" | "erc1271";
}

/** The multisig call a transaction made, when it was a direct call of the multisig. */
export type SubmittedCall =
  | { functionName: "queue" | "execute"; proposal: Proposal; signatures: Hex }
  | { functionName: "cancel"; lane: bigint; nonce: bigint; signatures: Hex };

/** Why a transaction's signatures are not listed: it was not a direct call of the multisig. */
export const NOT_RECOVERABLE =
  "signatures not recoverable from the transaction: it is not a direct call of the multisig (a relayer contract may have wrapped it)";

/** The EIP-712 digest of `proposal` under the multisig's domain (what the contract hashes). */
export function proposalDigest(chainId: number, multisig: Address, proposal: Proposal): Hex {
  return hashTypedData({
    domain: multisigDomain(chainId, multisig),
    types: proposalTypes,
    primaryType: "Proposal",
    message: proposal,
  });
}

/** The EIP-712 digest of a cancel of (lane, nonce). */
export function cancelDigest(chainId: number, multisig: Address, lane: bigint, nonce: bigint): Hex {
  return hashTypedData({
    domain: multisigDomain(chainId, multisig),
    types: cancelTypes,
    primaryType: "Cancel",
    message: { lane, nonce },
  });
}

/**
 * The `queue`, `execute` or `cancel` call transaction `tx` made of `multisig`, provided it is a
 * direct call whose proposal (or cancel) hashes to `hash` — the hash of the event it emitted.
 * Undefined otherwise: a transaction to another contract (a relayer) tells nothing reliable about
 * what it passed on, so nothing is guessed from it.
 */
export function submittedCall(
  tx: { to: Address | null; input: Hex },
  chainId: number,
  multisig: Address,
  hash: Hex,
): SubmittedCall | undefined {
  if (!tx.to || getAddress(tx.to) !== getAddress(multisig)) return undefined;
  let decoded;
  try {
    decoded = decodeFunctionData({ abi: consortiumMultisigAbi, data: tx.input });
  } catch {
    return undefined;
  }
  const same = (digest: Hex) => digest.toLowerCase() === hash.toLowerCase();
  if (decoded.functionName === "queue" || decoded.functionName === "execute") {
    const [p, signatures] = decoded.args;
    const proposal: Proposal = { ...p };
    return same(proposalDigest(chainId, multisig, proposal))
      ? { functionName: decoded.functionName, proposal, signatures }
      : undefined;
  }
  if (decoded.functionName === "cancel") {
    const [lane, nonce, signatures] = decoded.args;
    return same(cancelDigest(chainId, multisig, lane, nonce))
      ? { functionName: "cancel", lane, nonce, signatures }
      : undefined;
  }
  return undefined;
}

/**
 * The signers of a signature blob over `hash` (an EIP-712 digest), in blob order. The layout is
 * the contract's: 65-byte `r‖s‖v` entries (v 27/28), or for a contract signer `r = signer`,
 * `s = length L`, `v = 0` followed by its L-byte ERC-1271 signature. Undefined for a blob the
 * contract would have refused (only blobs of successful calls are read, so this means a bug).
 */
export async function blobSigners(blob: Hex, hash: Hex): Promise<BlobSigner[] | undefined> {
  const out: BlobSigner[] = [];
  const length = size(blob);
  let offset = 0;
  while (offset < length) {
    if (length - offset < 65) return undefined;
    const v = Number(hexToBigInt(slice(blob, offset + 64, offset + 65)));
    if (v === 0) {
      const r = hexToBigInt(slice(blob, offset, offset + 32));
      const l = hexToBigInt(slice(blob, offset + 32, offset + 64));
      if (r >> 160n !== 0n || l > BigInt(length - offset - 65)) return undefined;
      out.push({ signer: getAddress(`0x${r.toString(16).padStart(40, "0")}`), scheme: "erc1271" });
      offset += 65 + Number(l);
    } else {
      const signature = slice(blob, offset, offset + 65);
      try {
        out.push({ signer: await recoverAddress({ hash, signature }), scheme: "ecdsa" });
      } catch {
        return undefined;
      }
      offset += 65;
    }
  }
  return out;
}
