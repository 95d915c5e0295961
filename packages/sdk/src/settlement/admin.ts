/**
 * The settlement layer's owner actions: the ledger's acknowledgement window, the engine's deferral
 * limit and writing off a batch stuck pending. After the handover the owner is the multisig, so
 * each comes as `<action>Call` (checked and built, not sent: what a governance proposal carries)
 * and `<action>` (sent by the owner's key, before the handover or in a test chain).
 */
import { writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { UINT64_MAX, requireAmount, requireBytes32, requireSmallInt } from "../validate";
import { ledger } from "./ledger";
import { engine } from "./pending";

/** The ledger's bounds on the acknowledgement window, in seconds (SettlementLedger MIN_WINDOW/MAX_WINDOW). */
export const ACK_WINDOW_MIN = 60;
export const ACK_WINDOW_MAX = 30 * 86_400;

export interface SetAckWindowParameters {
  /** Seconds a counterparty has to acknowledge or dispute a batch submitted from now on. */
  seconds: number;
}
export type SetAckWindowReturnType = WriteResult;

/** The ledger's `setAckWindow` call, checked and built but not sent (for a governance proposal). */
export function setAckWindowCall(ctx: ClearhouseContext, p: SetAckWindowParameters) {
  const args = [requireSmallInt("seconds", p.seconds, ACK_WINDOW_MIN, ACK_WINDOW_MAX)] as const;
  return { ...ledger(ctx), functionName: "setAckWindow", args } as const;
}

/**
 * Set the acknowledgement window of batches submitted from now on (the ledger's owner). Each batch
 * keeps the window it was given.
 * @example await ch.settlement.setAckWindow({ seconds: 7200 })
 */
export async function setAckWindow(ctx: ClearhouseContext, p: SetAckWindowParameters): Promise<SetAckWindowReturnType> {
  return writeContract(ctx, setAckWindowCall(ctx, p));
}

export interface SetMaxConsecutiveDeferralsParameters {
  /** How many cycles in a row a short bank may be deferred before it is released (1 … 255). */
  maxConsecutive: number;
}
export type SetMaxConsecutiveDeferralsReturnType = WriteResult;

/** The engine's `setMaxConsecutiveDeferrals` call, checked and built but not sent. */
export function setMaxConsecutiveDeferralsCall(ctx: ClearhouseContext, p: SetMaxConsecutiveDeferralsParameters) {
  const args = [requireSmallInt("maxConsecutive", p.maxConsecutive, 1, 255)] as const;
  return { ...engine(ctx), functionName: "setMaxConsecutiveDeferrals", args } as const;
}

/** Set how many consecutive cycles a bank short of funds may be deferred (the engine's owner). */
export async function setMaxConsecutiveDeferrals(
  ctx: ClearhouseContext,
  p: SetMaxConsecutiveDeferralsParameters,
): Promise<SetMaxConsecutiveDeferralsReturnType> {
  return writeContract(ctx, setMaxConsecutiveDeferralsCall(ctx, p));
}

export interface WriteOffParameters {
  /** The current (open or closing) cycle. */
  cycleId: bigint;
  /** The batch pending in it that will never be presented. */
  batchId: `0x${string}`;
}
export type WriteOffReturnType = WriteResult;

/** The engine's `writeOff` call, checked and built but not sent (for a governance proposal). */
export function writeOffCall(ctx: ClearhouseContext, p: WriteOffParameters) {
  const args = [
    requireAmount("cycleId", p.cycleId, { max: UINT64_MAX, typeName: "uint64" }),
    requireBytes32("batchId", p.batchId),
  ] as const;
  return { ...engine(ctx), functionName: "writeOff", args } as const;
}

/**
 * Drop a batch pending in the current cycle that will never be presented (e.g. a released bank's),
 * so the cycle can close (the engine's owner). A close begun in several transactions is abandoned.
 */
export async function writeOff(ctx: ClearhouseContext, p: WriteOffParameters): Promise<WriteOffReturnType> {
  return writeContract(ctx, writeOffCall(ctx, p));
}
