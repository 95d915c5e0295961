/**
 * SDK for the regulator's key and the trace threshold, held by VerifierRegistry (decision 040):
 * private-mode chunks encrypt every payment of `threshold` minor units or more to the regulator's
 * current Baby Jubjub key. Reads, and the governance actions as `<action>Call` (checked and built,
 * not sent: what a proposal carries) and `<action>` (sent by the owner's key, before the handover).
 */
import { readContract, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { contractOf } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import { UINT64_MAX, requireAmount, requireSmallInt } from "../validate";

const registry = (ctx: ClearhouseContext) => contractOf(ctx, "VerifierRegistry");

/** Baby Jubjub's base field (the BN254 scalar field): both coordinates of a key are below it. */
export const BABYJUBJUB_P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const CURVE_A = 168700n;
const CURVE_D = 168696n;
const EPOCH_MAX = 2 ** 32 - 1;

/** A regulator key and the epoch it opened. */
export interface RegulatorKey {
  /** 1 for the first key, then one more per rotation. */
  epoch: number;
  x: bigint;
  y: bigint;
  /** Unix seconds of the rotation that made it the key. */
  since: bigint;
}

export interface GetRegulatorKeyParameters {
  /** Default: the current epoch. A past epoch's key stays readable (to decrypt history). */
  epoch?: number;
}
/** The key, or null when no key was ever set (traceability off) and no epoch was asked for. */
export type GetRegulatorKeyReturnType = RegulatorKey | null;

/**
 * The regulator's current key, or the key of `epoch` (ZkUnknownRegulatorEpoch if it never existed).
 * @example const key = await ch.zk.getRegulatorKey() // null: traceability off
 */
export async function getRegulatorKey(
  ctx: ClearhouseContext,
  p: GetRegulatorKeyParameters = {},
): Promise<GetRegulatorKeyReturnType> {
  let epoch = p.epoch;
  if (epoch === undefined) {
    [epoch] = await readContract(ctx, { ...registry(ctx), functionName: "regulatorKey", args: [] });
    if (epoch === 0) return null;
  } else requireSmallInt("epoch", epoch, 1, EPOCH_MAX);
  const [x, y, since] = await readContract(ctx, { ...registry(ctx), functionName: "regulatorKeyAt", args: [epoch] });
  return { epoch, x, y, since };
}

/** What a private-mode chunk must follow. */
export interface TracePolicy {
  /** The current epoch; 0 when no key was ever set. */
  epoch: number;
  /** The regulator's current key, or null: traceability off. */
  key: { x: bigint; y: bigint } | null;
  /** Payments of this many minor units or more are encrypted to the key (0 by default). */
  threshold: bigint;
}
export type GetTracePolicyReturnType = TracePolicy;

/**
 * The current regulator key and the trace threshold, in one call.
 * @example const { key, threshold } = await ch.zk.getTracePolicy()
 */
export async function getTracePolicy(ctx: ClearhouseContext): Promise<GetTracePolicyReturnType> {
  const [epoch, x, y, threshold] = await readContract(ctx, { ...registry(ctx), functionName: "tracePolicy", args: [] });
  return { epoch, key: epoch === 0 ? null : { x, y }, threshold };
}

/** Whether (x, y) satisfies a·x² + y² = 1 + d·x²·y² with both coordinates below p. */
export function isBabyJubjubPoint(x: bigint, y: bigint): boolean {
  const p = BABYJUBJUB_P;
  if (x < 0n || y < 0n || x >= p || y >= p) return false;
  const xx = (x * x) % p;
  const yy = (y * y) % p;
  return (CURVE_A * xx + yy) % p === (1n + ((CURVE_D * xx) % p) * yy) % p;
}

export interface RotateRegulatorKeyParameters {
  /** The new public key (e.g. zk-kit's `mulPointEscalar(Base8, secret)`). */
  x: bigint;
  y: bigint;
}
export type RotateRegulatorKeyReturnType = WriteResult;

/**
 * The registry's `rotateRegulatorKey` call, checked and built but not sent (for a governance
 * proposal). Checks here that the key is a point of the curve other than the identity; the
 * contract also checks the prime-order subgroup and refuses the current key.
 */
export function rotateRegulatorKeyCall(ctx: ClearhouseContext, p: RotateRegulatorKeyParameters) {
  const x = requireAmount("x", p.x, { max: BABYJUBJUB_P - 1n, typeName: "a Baby Jubjub coordinate (< p)" });
  const y = requireAmount("y", p.y, { max: BABYJUBJUB_P - 1n, typeName: "a Baby Jubjub coordinate (< p)" });
  if (!isBabyJubjubPoint(x, y)) {
    throw new InvalidArgumentError(
      "x, y",
      `(${x}, ${y}) is not a point of Baby Jubjub`,
      "Pass the regulator's public key as its two coordinates, e.g. mulPointEscalar(Base8, secret) of @zk-kit/baby-jubjub.",
    );
  }
  if (x === 0n && y === 1n) {
    throw new InvalidArgumentError(
      "x, y",
      "(0, 1) is the identity, which encrypts to nobody",
      "Pass a real public key.",
    );
  }
  return { ...registry(ctx), functionName: "rotateRegulatorKey", args: [x, y] } as const;
}

/**
 * Make (x, y) the regulator's key from the next epoch on (the registry's owner). Earlier epochs'
 * keys stay readable.
 * @example await ch.zk.rotateRegulatorKey({ x, y })
 */
export async function rotateRegulatorKey(
  ctx: ClearhouseContext,
  p: RotateRegulatorKeyParameters,
): Promise<RotateRegulatorKeyReturnType> {
  return writeContract(ctx, rotateRegulatorKeyCall(ctx, p));
}

export interface SetTraceThresholdParameters {
  /** Minor units: payments of this amount or more are encrypted to the regulator. */
  threshold: bigint;
}
export type SetTraceThresholdReturnType = WriteResult;

/** The registry's `setTraceThreshold` call, checked and built but not sent (for a governance proposal). */
export function setTraceThresholdCall(ctx: ClearhouseContext, p: SetTraceThresholdParameters) {
  const args = [requireAmount("threshold", p.threshold, { max: UINT64_MAX, typeName: "uint64" })] as const;
  return { ...registry(ctx), functionName: "setTraceThreshold", args } as const;
}

/**
 * Set the amount at or above which payments are traced (the registry's owner).
 * @example await ch.zk.setTraceThreshold({ threshold: 1_000_000n }) // 10,000.00 with 2 decimals
 */
export async function setTraceThreshold(
  ctx: ClearhouseContext,
  p: SetTraceThresholdParameters,
): Promise<SetTraceThresholdReturnType> {
  return writeContract(ctx, setTraceThresholdCall(ctx, p));
}
