/**
 * SM2 keys and signatures for `SM2Signer` (contracts/crypto/): an official's key pair on
 * sm2p256v1, and the ERC-1271 signature an SM2Signer accepts — the SM2 signature, with SM3 and the
 * default identity `1234567812345678`, of the 32-byte hash a verifier asks about, encoded
 * `abi.encode(r, s)` (docs/crypto.md, "What is signed, exactly"). Browser-safe: sm-crypto-v2 only.
 */
import { sm2 } from "sm-crypto-v2";
import { decodeAbiParameters, encodeAbiParameters, hexToBytes, isHex, type Hex } from "viem";
import { ClearhouseError } from "../errors/base";

/** sm2p256v1's field prime p, group order n and base point G (GB/T 32918.5). */
export const SM2_P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
export const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
export const SM2_GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const SM2_A = SM2_P - 3n;
const SM2_B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;

/** An SM2 public key: its affine coordinates, and the uncompressed form `0x04 ‖ x ‖ y`. */
export interface Sm2PublicKey {
  px: bigint;
  py: bigint;
  /** `0x04` ‖ x ‖ y, 65 bytes. */
  uncompressed: Hex;
}

/** An SM2 key pair: the private key d (0x + 64 hex digits) and its public key d·G. */
export interface Sm2KeyPair {
  privateKey: Hex;
  publicKey: Sm2PublicKey;
}

/** An SM2 key (a key file, a public key, a private key) is malformed. */
export class Sm2KeyError extends ClearhouseError {
  override name = "Sm2KeyError";
  constructor(
    readonly source: string,
    problem: string,
    hint = "Use a key file written by `clearhouse sm2 keygen` (docs/crypto.md gives the format).",
  ) {
    super(`${source}: ${problem}.`, { category: "input", hint });
  }
}

/** A key of another curve (secp256k1, P-256, …) where an sm2p256v1 key is needed. */
export class Sm2CurveError extends ClearhouseError {
  override name = "Sm2CurveError";
  constructor(
    readonly source: string,
    problem: string,
  ) {
    super(`${source}: ${problem}; an SM2Signer takes sm2p256v1 keys only.`, {
      category: "input",
      hint: "Use the official's SM2 key (curve sm2p256v1, GB/T 32918), not an ECDSA key: `clearhouse sm2 keygen` makes one.",
    });
  }
}

const hex64 = (v: bigint): string => v.toString(16).padStart(64, "0");
const strip0x = (s: string): string => (s.startsWith("0x") || s.startsWith("0X") ? s.slice(2) : s);

/** y² = x³ + ax + b over p, coordinates below p. */
function onCurve(x: bigint, y: bigint): boolean {
  if (x >= SM2_P || y >= SM2_P) return false;
  const mod = (v: bigint) => ((v % SM2_P) + SM2_P) % SM2_P;
  return mod(y * y) === mod(x * x * x + SM2_A * x + SM2_B);
}

/**
 * An SM2 public key from its uncompressed hex (`04 ‖ x ‖ y`, with or without `0x`). A point not on
 * sm2p256v1 is Sm2CurveError (most likely a key of another curve); ±G, which SM2Signer refuses,
 * and any other shape are Sm2KeyError.
 */
export function sm2PublicKeyOf(hex: string, source = "SM2 public key"): Sm2PublicKey {
  const digits = strip0x(hex.trim()).toLowerCase();
  if (/^0[23][0-9a-f]{64}$/.test(digits))
    throw new Sm2KeyError(source, "is a compressed point", "Give the uncompressed key: 04 ‖ x ‖ y, 130 hex digits.");
  if (!/^04[0-9a-f]{128}$/.test(digits))
    throw new Sm2KeyError(source, "is not an uncompressed public key (04 ‖ x ‖ y, 130 hex digits)");
  const px = BigInt(`0x${digits.slice(2, 66)}`);
  const py = BigInt(`0x${digits.slice(66)}`);
  if (!onCurve(px, py)) throw new Sm2CurveError(source, "is not a point of sm2p256v1");
  if (px === SM2_GX) throw new Sm2KeyError(source, "is ±G (private key 1 or n − 1), which SM2Signer refuses");
  return { px, py, uncompressed: `0x${digits}` };
}

/** The public key of `(px, py)`, checked as `sm2PublicKeyOf` does. */
export const sm2PublicKeyFromCoordinates = (px: bigint, py: bigint, source?: string): Sm2PublicKey =>
  sm2PublicKeyOf(`04${hex64(px)}${hex64(py)}`, source);

/** The key pair of a private key d (64 hex digits, with or without `0x`), d in [2, n − 2]. */
export function sm2KeyPairOf(privateKey: string, source = "SM2 private key"): Sm2KeyPair {
  const digits = strip0x(privateKey.trim()).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(digits)) throw new Sm2KeyError(source, "is not a private key of 64 hex digits");
  const d = BigInt(`0x${digits}`);
  if (d < 2n || d > SM2_N - 2n)
    throw new Sm2KeyError(
      source,
      "is not a private key in [2, n − 2] of sm2p256v1 (0, 1, n − 1 and above n are not keys)",
    );
  const publicKey = sm2PublicKeyOf(sm2.getPublicKeyFromPrivateKey(digits), source);
  return { privateKey: `0x${digits}`, publicKey };
}

/** A fresh SM2 key pair (the platform's secure random generator, through sm-crypto-v2). */
export function generateSm2KeyPair(): Sm2KeyPair {
  for (;;) {
    const { privateKey } = sm2.generateKeyPairHex();
    const d = BigInt(`0x${privateKey}`);
    if (d >= 2n && d <= SM2_N - 2n) return sm2KeyPairOf(privateKey.padStart(64, "0"));
  }
}

/**
 * SM2-sign the 32-byte `hash` as an SM2Signer expects: M = the 32 bytes, e = SM3(Z_A ‖ M) with
 * the default identity, (r, s) over e with a fresh random k; returns `abi.encode(r, s)` (64 bytes).
 */
export function signHashSm2(hash: Hex, key: Sm2KeyPair): Hex {
  if (!isHex(hash) || hash.length !== 66) throw new Sm2KeyError("hash", "is not 32 bytes of hex");
  const rs = sm2.doSignature(hexToBytes(hash), strip0x(key.privateKey), {
    hash: true,
    publicKey: strip0x(key.publicKey.uncompressed),
  });
  return encodeAbiParameters(
    [{ type: "uint256" }, { type: "uint256" }],
    [BigInt(`0x${rs.slice(0, 64)}`), BigInt(`0x${rs.slice(64)}`)],
  );
}

/**
 * Whether `signature` (`abi.encode(r, s)`) is `publicKey`'s SM2 signature of `hash` — what
 * SM2Signer.isValidSignature checks, off chain. False for anything malformed.
 */
export function verifyHashSm2(hash: Hex, signature: Hex, publicKey: Sm2PublicKey): boolean {
  if (!isHex(hash) || hash.length !== 66 || !isHex(signature) || signature.length !== 130) return false;
  const [r, s] = decodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], signature);
  if (r === 0n || s === 0n || r >= SM2_N || s >= SM2_N) return false;
  try {
    return sm2.doVerifySignature(hexToBytes(hash), `${hex64(r)}${hex64(s)}`, strip0x(publicKey.uncompressed), {
      hash: true,
    });
  } catch {
    return false;
  }
}
