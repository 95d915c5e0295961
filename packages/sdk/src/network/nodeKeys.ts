/**
 * Besu node identities: a node's secp256k1 key pair, its enode URL and its address. Besu's node
 * key file (`key`) holds the 32-byte private key as one line of 0x-prefixed hex (its
 * `KeyPairUtil.storeKeyPair`); the enode id is the 64-byte uncompressed public key without the
 * 0x04 prefix; the node's address — a QBFT validator's identity in extraData — is the last 20
 * bytes of keccak256 of those 64 bytes.
 */
import { getAddress, keccak256, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { InvalidArgumentError } from "../errors/base";

/** secp256k1's field prime and group order. */
const P = 2n ** 256n - 2n ** 32n - 977n;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A node's public identity (the private key, when there is one, stays with the caller). */
export interface NodeIdentity {
  /** 64 bytes: x‖y of the uncompressed secp256k1 public key, no 0x04 prefix. */
  publicKey: Hex;
  address: Address;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

/**
 * A public key given as 64 bytes (enode form) or 65 bytes with the 0x04 prefix, in hex with or
 * without 0x → the 64-byte enode form. Refuses a point that is not on secp256k1 (a typo).
 */
export function normalizePublicKey(value: string, field = "publicKey"): Hex {
  const hex = value.trim().replace(/^0x/i, "").toLowerCase();
  const body = hex.length === 130 && hex.startsWith("04") ? hex.slice(2) : hex;
  if (!/^[0-9a-f]{128}$/.test(body))
    throw new InvalidArgumentError(field, "must be a 64-byte secp256k1 public key in hex (or 65 bytes starting 04)");
  const x = BigInt(`0x${body.slice(0, 64)}`);
  const y = BigInt(`0x${body.slice(64)}`);
  if (x >= P || y >= P || (y * y - (modPow(x, 3n, P) + 7n)) % P !== 0n)
    throw new InvalidArgumentError(field, "is not a point on secp256k1 (check it was copied whole)");
  return `0x${body}`;
}

/** The node address of a 64-byte public key: the last 20 bytes of its keccak256. */
export function nodeAddress(publicKey: Hex): Address {
  return getAddress(`0x${keccak256(normalizePublicKey(publicKey)).slice(-40)}`);
}

/** The identity of a private key (32 bytes hex, with or without 0x). */
export function identityOfPrivateKey(privateKey: string): NodeIdentity {
  const hex = privateKey.trim().replace(/^0x/i, "").toLowerCase();
  const k = /^[0-9a-f]{64}$/.test(hex) ? BigInt(`0x${hex}`) : 0n;
  if (k === 0n || k >= N) throw new InvalidArgumentError("privateKey", "must be 32 bytes of hex in 1 … n − 1");
  const account = privateKeyToAccount(`0x${hex}`);
  const publicKey = `0x${account.publicKey.slice(4)}` as Hex;
  return { publicKey, address: account.address };
}

/** The identity of a public key (64 or 65 bytes, see `normalizePublicKey`). */
export function identityOfPublicKey(publicKey: string, field = "publicKey"): NodeIdentity {
  const normalized = normalizePublicKey(publicKey, field);
  return { publicKey: normalized, address: nodeAddress(normalized) };
}

/** A fresh node key from the platform's secure random source: private key hex with 0x. */
export function generateNodeKey(): Hex {
  return generatePrivateKey();
}

/** The content of Besu's `key` file for a private key: 0x-prefixed lowercase hex on one line. */
export function besuKeyFile(privateKey: Hex): string {
  identityOfPrivateKey(privateKey);
  return `0x${privateKey.replace(/^0x/i, "").toLowerCase()}`;
}

/** `enode://<64-byte public key hex>@<IPv4 host>:<p2p port>` (the discovery port is the same). */
export function enodeUrl(publicKey: Hex, host: string, port: number): string {
  if (!isIPv4(host)) throw new InvalidArgumentError("host", `${host} is not an IPv4 address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError("port", "must be an integer from 1 to 65535");
  return `enode://${normalizePublicKey(publicKey).slice(2)}@${host}:${port}`;
}

/** A dotted-quad IPv4 address with each part 0–255 and no leading zeros. */
export function isIPv4(host: string): boolean {
  const parts = host.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}
