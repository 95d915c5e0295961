/**
 * Signed disputes (EIP-712): a counterparty that cannot send transactions (suspended: Besu drops
 * them) signs its dispute off-chain and anyone, typically the operator, relays it with
 * `disputeBySignature`. Domain and type: docs/spec/batch-header.md.
 */
import { hashTypedData, type Address, type Hex } from "viem";
import {
  accountAddress,
  accountSignature,
  readContract,
  writeContract,
  type ClearhouseContext,
  type WriteResult,
} from "../context";
import { InvalidArgumentError } from "../errors/base";
import { requireAddress, requireBytes32, requireSmallInt } from "../validate";
import { ledger, requireAnchored } from "./ledger";

/** The EIP-712 type of a signed dispute (SettlementLedger's DISPUTE_TYPEHASH). */
export const DISPUTE_TYPES = {
  Dispute: [
    { name: "batchId", type: "bytes32" },
    { name: "reasonCode", type: "uint16" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** A dispute signed by a counterparty, ready for anyone to relay. */
export interface SignedDispute {
  batchId: Hex;
  reasonCode: number;
  /** Unix seconds after which the signature is refused (the batch's window end is the natural choice). */
  deadline: bigint;
  signer: Address;
  signature: Hex;
}

export interface SignDisputeParameters {
  batchId: Hex;
  /** 1 … 65,535. */
  reasonCode: number;
  /** Unix seconds; default: the batch's window end. */
  deadline?: bigint;
}
export type SignDisputeReturnType = SignedDispute;

/**
 * Sign a dispute of `batchId` with the context's account (a counterparty of the batch). The
 * deadline defaults to the batch's window end, after which no dispute is accepted anyway. Give the
 * result to the operator (or any member) to relay with `disputeBySignature`.
 * @example const signed = await bank.settlement.signDispute({ batchId, reasonCode: 2 })
 */
export async function signDispute(ctx: ClearhouseContext, p: SignDisputeParameters): Promise<SignDisputeReturnType> {
  const signer = accountAddress(ctx, "signDispute");
  const batchId = requireBytes32("batchId", p.batchId);
  const reasonCode = requireSmallInt("reasonCode", p.reasonCode, 1, 65535);
  const deadline = p.deadline ?? BigInt((await requireAnchored(ctx, batchId)).header.closesAt);
  const [, name, version, chainId, verifyingContract] = await readContract(ctx, {
    ...ledger(ctx),
    functionName: "eip712Domain",
    args: [],
  });
  const wallet = ctx.walletClient!;
  const typed = {
    domain: { name, version, chainId, verifyingContract },
    types: DISPUTE_TYPES,
    primaryType: "Dispute",
    message: { batchId, reasonCode, deadline },
  } as const;
  // Through a member account, its key signs the account's digest of the ledger's (ERC-1271).
  const signature = ctx.memberAccount
    ? await accountSignature(ctx, hashTypedData(typed), "signDispute")
    : await wallet.signTypedData({ account: wallet.account, ...typed });
  return { batchId, reasonCode, deadline, signer, signature };
}

export type DisputeBySignatureParameters = SignedDispute;
export type DisputeBySignatureReturnType = WriteResult;

/**
 * Relay a counterparty's signed dispute (`disputeBySignature`); the sender needs no role. The
 * batch's header is read from its event. Refused as the signer's own dispute would be, plus
 * LedgerSignatureExpired / LedgerInvalidSignature.
 */
export async function disputeBySignature(
  ctx: ClearhouseContext,
  p: DisputeBySignatureParameters,
): Promise<DisputeBySignatureReturnType> {
  const signer = requireAddress("signer", p.signer);
  const reasonCode = requireSmallInt("reasonCode", p.reasonCode, 1, 65535);
  if (!/^0x[0-9a-fA-F]*$/.test(p.signature) || p.signature.length < 4) {
    throw new InvalidArgumentError("signature", `${JSON.stringify(p.signature)} is not a hex signature`);
  }
  const { batchId, header } = await requireAnchored(ctx, p.batchId);
  return writeContract(ctx, {
    ...ledger(ctx),
    functionName: "disputeBySignature",
    args: [batchId, header, reasonCode, signer, p.deadline, p.signature],
  });
}
