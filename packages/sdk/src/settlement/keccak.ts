/**
 * keccak256 for the bulk paths (leaf hashes, Merkle nodes, account hashes): hash-wasm's WebAssembly
 * keccak once it is loaded (about 14× @noble/hashes' JavaScript permutation on this machine: 0.9 µs
 * against 12.4 µs for a 256-byte leaf input), @noble/hashes' `keccakP` until then. The two compute
 * the same function (the tests compare them on random inputs of every length around the rate),
 * so which one ran never changes a result, only how long it took.
 *
 * WebAssembly compiles asynchronously: the first call starts the load and is served by noble; an
 * async bulk operation (`buildBatchStream`, `streamIsoMessage`) awaits `fastKeccakReady()` first,
 * so a million-leaf build runs on the fast path from its first leaf. If WebAssembly is unavailable
 * the load fails quietly and noble serves every call.
 */
import { keccakP } from "@noble/hashes/sha3";
import { createKeccak, type IHasher } from "hash-wasm";
import { bytesToHex, type Hex } from "viem";

const RATE = 136;
const state = new Uint8Array(200);
const state32 = new Uint32Array(state.buffer);

/** noble's keccak-f[1600] over one reused state (little-endian lanes, as noble requires). */
function nobleKeccakInto(src: Uint8Array, offset: number, length: number, dst: Uint8Array, at: number): void {
  state32.fill(0);
  for (; length >= RATE; offset += RATE, length -= RATE) {
    for (let i = 0; i < RATE; i++) state[i] ^= src[offset + i];
    keccakP(state32, 24);
  }
  for (let i = 0; i < length; i++) state[i] ^= src[offset + i];
  state[length] ^= 0x01;
  state[RATE - 1] ^= 0x80;
  keccakP(state32, 24);
  for (let i = 0; i < 32; i++) dst[at + i] = state[i];
}

let wasm: IHasher | undefined;
let loading: Promise<boolean> | undefined;

/**
 * Start loading the WebAssembly keccak (once); resolves true when it serves calls, false if this
 * runtime cannot load it (noble then serves every call). Never rejects.
 */
export function fastKeccakReady(): Promise<boolean> {
  loading ??= createKeccak(256).then(
    (hasher) => {
      wasm = hasher;
      return true;
    },
    () => false,
  );
  return loading;
}

/** Which implementation serves calls now: "wasm" (hash-wasm) or "noble" (before it loads, or without WebAssembly). */
export function keccakBackend(): "wasm" | "noble" {
  return wasm ? "wasm" : "noble";
}

/** keccak256 of `src[offset … offset + length)` into `dst[at … at + 32)`. */
export function keccakInto(src: Uint8Array, offset: number, length: number, dst: Uint8Array, at: number): void {
  if (wasm) {
    wasm.init();
    wasm.update(src.subarray(offset, offset + length));
    dst.set(wasm.digest("binary"), at);
    return;
  }
  if (!loading) void fastKeccakReady();
  nobleKeccakInto(src, offset, length, dst, at);
}

/** The noble implementation alone, for the tests that compare the two. */
export const keccakIntoNoble = nobleKeccakInto;

const utf8 = new TextEncoder();
let scratch = new Uint8Array(256);
const digest = new Uint8Array(32);

/** keccak256 of the UTF-8 bytes of `text`, as viem's `keccak256(stringToHex(text))`. */
export function keccakText(text: string): Hex {
  if (scratch.length < 3 * text.length) scratch = new Uint8Array(3 * text.length);
  const { written } = utf8.encodeInto(text, scratch);
  keccakInto(scratch, 0, written, digest, 0);
  return bytesToHex(digest);
}
