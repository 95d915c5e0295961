/** Shared by the ledger's tree-hash tests (decision 046) and review 24c's. */
import { ethers } from "hardhat";
import { keccak256, stringToHex, type Address } from "viem";
import { encodeRecord, type PaymentRecord } from "../../../packages/sdk/src/settlement";
import { deploySettlement, type SettlementFixture } from "./helpers";

export const TreeHash = { Keccak256: 0n, SM3: 1n } as const;

export interface TreeFixture extends SettlementFixture {
  verifier: string;
}

/** The settlement fixture and a deployed SM3MerkleVerifier (not yet set on the ledger). */
export async function withVerifier(): Promise<TreeFixture> {
  const f = await deploySettlement();
  const verifier = await (await ethers.getContractFactory("SM3MerkleVerifier")).deploy();
  return { ...f, verifier: await verifier.getAddress() };
}

/** Four payments from `from` to `to`, as the SDK hashes them. */
export function payments(from: string, to: string, label: string): PaymentRecord[] {
  return Array.from({ length: 4 }, (_, i) => ({
    paymentId: `${label}-${i}`,
    debtorBank: from as Address,
    creditorBank: to as Address,
    amount: 100n + BigInt(i),
    currency: "EUR",
    valueDate: "2026-12-07",
    endToEndId: `E2E-${i}`,
    debtorAccountHash: keccak256(stringToHex(`debtor ${i}`)),
    creditorAccountHash: keccak256(stringToHex(`creditor ${i}`)),
  }));
}

/** A record's eight words, as the ledger's verifyRecord takes them. */
export const words = (r: PaymentRecord): bigint[] => [...encodeRecord(r)];
