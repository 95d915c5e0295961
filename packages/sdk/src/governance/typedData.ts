import type { Address, Hex } from "viem";

/** EIP-712 types of a multisig proposal (must match ConsortiumMultisig's PROPOSAL_TYPEHASH). */
export const proposalTypes = {
  Proposal: [
    { name: "target", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "lane", type: "uint64" },
    { name: "nonce", type: "uint64" },
    { name: "notBefore", type: "uint64" },
    { name: "expiry", type: "uint64" },
  ],
} as const;

/** EIP-712 types of a lane cancel (must match CANCEL_TYPEHASH). */
export const cancelTypes = {
  Cancel: [
    { name: "lane", type: "uint64" },
    { name: "nonce", type: "uint64" },
  ],
} as const;

/** The multisig's EIP-712 domain: bound to the chain and the contract. */
export function multisigDomain(chainId: number, multisig: Address) {
  return { name: "ClearhouseMultisig", version: "1", chainId, verifyingContract: multisig } as const;
}

/** A proposal's fields, as the contract takes them. */
export interface Proposal {
  target: Address;
  value: bigint;
  data: Hex;
  lane: bigint;
  nonce: bigint;
  notBefore: bigint;
  expiry: bigint;
}
