/** SM2/SM3 test helpers: keys, signatures and digests from sm-crypto-v2, the off-chain reference. */
import { ethers } from "hardhat";
import { sm2, sm3 } from "sm-crypto-v2";
import type { SM2Harness } from "../../../typechain-types";

/** sm2p256v1 (GB/T 32918.5). */
export const P = BigInt("0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff");
export const N = BigInt("0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");
export const GX = BigInt("0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7");
export const GY = BigInt("0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0");

/**
 * The signature example on the recommended curve (GB/T 32918.5-2017 / GM/T 0003.5-2012): the
 * message "message digest" signed with the default identity; k is the standard's nonce.
 */
export const STANDARD = {
  privateKey: "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8",
  px: BigInt("0x09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"),
  py: BigInt("0xccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"),
  message: "message digest",
  za: "0xb2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3",
  e: "0xf0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640",
  k: "59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21",
  r: BigInt("0xf5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"),
  s: BigInt("0xb1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"),
} as const;

export interface Sm2Key {
  /** 64 hex digits, no 0x. */
  privateKey: string;
  /** Uncompressed public key, "04" ‖ x ‖ y, as sm-crypto-v2 writes it. */
  publicKey: string;
  px: bigint;
  py: bigint;
}

export interface Sm2Signature {
  r: bigint;
  s: bigint;
}

/** A fresh random SM2 key pair. */
export function sm2Key(): Sm2Key {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKey, publicKey, px: BigInt(`0x${publicKey.slice(2, 66)}`), py: BigInt(`0x${publicKey.slice(66)}`) };
}

/** The uncompressed public-key hex sm-crypto-v2 takes, from coordinates. */
export const publicKeyHex = (px: bigint, py: bigint): string =>
  `04${px.toString(16).padStart(64, "0")}${py.toString(16).padStart(64, "0")}`;

/**
 * SM2-sign `message` as the standard does, with Z_A of the default identity: e = SM3(Z_A ‖ message),
 * (r, s) over e. sm-crypto-v2's `doSignature(…, { hash: true })`.
 */
export function sm2Sign(message: Uint8Array, key: Sm2Key): Sm2Signature {
  const sig = sm2.doSignature(message, key.privateKey, { hash: true, publicKey: key.publicKey });
  return { r: BigInt(`0x${sig.slice(0, 64)}`), s: BigInt(`0x${sig.slice(64)}`) };
}

/** e = SM3(Z_A ‖ message) for the default identity, as 0x-hex. */
export function sm2Digest(message: Uint8Array, publicKey: string): string {
  return `0x${sm2.getHash(message, publicKey)}`;
}

/** Z_A for the default identity, as 0x-hex. */
export const sm2Za = (publicKey: string): string => ethers.hexlify(sm2.getZ(publicKey));

/** SM3 of `data`, as 0x-hex. */
export const sm3Hex = (data: Uint8Array): string => `0x${sm3(data)}`;

/** The SM2Signer's signature encoding: abi.encode(r, s). */
export const encodeSignature = ({ r, s }: Sm2Signature): string =>
  ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [r, s]);

/** The harness, compiled with the repository's default settings (as SM2Signer is). */
export async function deployHarness(): Promise<SM2Harness> {
  return (await ethers.getContractFactory("SM2Harness")).deploy();
}

/** The same harness compiled through the IR pipeline. */
export async function deployViaIrHarness(): Promise<SM2Harness> {
  return (await ethers.getContractFactory("SM2HarnessViaIR")).deploy() as unknown as Promise<SM2Harness>;
}

/** Affine points of sm2p256v1 (null is the point at infinity): enough arithmetic to build edge cases. */
export type Point = { x: bigint; y: bigint } | null;
const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;
const inv = (a: bigint, m: bigint): bigint => {
  let [r0, r1, t0, t1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, t0, t1] = [r1, r0 - q * r1, t1, t0 - q * t1];
  }
  return mod(t0, m);
};
export function pointAdd(a: Point, b: Point): Point {
  if (a === null) return b;
  if (b === null) return a;
  if (a.x === b.x && mod(a.y + b.y, P) === 0n) return null;
  const lambda =
    a.x === b.x ? mod((3n * a.x * a.x - 3n) * inv(2n * a.y, P), P) : mod((b.y - a.y) * inv(b.x - a.x, P), P);
  const x = mod(lambda * lambda - a.x - b.x, P);
  return { x, y: mod(lambda * (a.x - x) - a.y, P) };
}
export function pointMul(k: bigint, pt: Point): Point {
  let acc: Point = null;
  for (let add = pt, e = mod(k, N); e > 0n; e >>= 1n, add = pointAdd(add, add)) if (e & 1n) acc = pointAdd(acc, add);
  return acc;
}
export const G: Point = { x: GX, y: GY };

const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
  let [r, x] = [1n, mod(b, m)];
  for (; e > 0n; e >>= 1n, x = (x * x) % m) if (e & 1n) r = (r * x) % m;
  return r;
};

/**
 * The curve point with the smallest x: its x + p still fits in 256 bits, so (x + p, y) satisfies the
 * curve equation mod p while not being a reduced coordinate — the alias a verifier must refuse.
 */
export function smallPoint(): { x: bigint; y: bigint } {
  for (let x = 1n; ; x++) {
    const rhs = mod(
      x * x * x - 3n * x + BigInt("0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93"),
      P,
    );
    const y = modPow(rhs, (P + 1n) / 4n, P); // p ≡ 3 (mod 4)
    if ((y * y) % P === rhs) return { x, y };
  }
}
