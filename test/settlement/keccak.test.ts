import { expect } from "chai";
import fc from "fast-check";
import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex, keccak256, stringToHex } from "viem";
import {
  fastKeccakReady,
  keccakBackend,
  keccakInto,
  keccakIntoNoble,
  keccakText,
} from "../../packages/sdk/src/settlement/keccak";

/** keccak256 of bytes with the reference (@noble/hashes' keccak_256), as hex. */
const reference = (bytes: Uint8Array): string => bytesToHex(keccak_256(bytes));

function viaInto(into: typeof keccakInto, bytes: Uint8Array, offset = 0): string {
  const src = new Uint8Array(offset + bytes.length + 3);
  src.set(bytes, offset);
  const dst = new Uint8Array(40);
  into(src, offset, bytes.length, dst, 5);
  return bytesToHex(dst.subarray(5, 37));
}

describe("settlement/keccak: the bulk keccak256 (hash-wasm with @noble/hashes until it loads)", () => {
  it("loads the WebAssembly implementation on this runtime", async () => {
    expect(await fastKeccakReady()).to.equal(true);
    expect(keccakBackend()).to.equal("wasm");
  });

  it("both implementations equal keccak_256 at every length from 0 to 3 × the 136-byte rate", async () => {
    await fastKeccakReady();
    for (let length = 0; length <= 3 * 136 + 1; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      const want = reference(bytes);
      expect(viaInto(keccakInto, bytes, length % 7), `wasm, ${length} bytes`).to.equal(want);
      expect(viaInto(keccakIntoNoble, bytes, length % 5), `noble, ${length} bytes`).to.equal(want);
    }
  });

  it("both equal keccak_256 on random inputs at random offsets (property, 300 runs)", async () => {
    await fastKeccakReady();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(64), (bytes, offset) => {
        const want = reference(bytes);
        return viaInto(keccakInto, bytes, offset) === want && viaInto(keccakIntoNoble, bytes, offset) === want;
      }),
      { numRuns: 300 },
    );
  });

  it("keccakText is viem's keccak256(stringToHex(text)), non-ASCII and long texts included", async () => {
    await fastKeccakReady();
    for (const text of ["", "IBAN:DE89370400440532013000", "OTHR:ünïcødé ✓", "x".repeat(1000)]) {
      expect(keccakText(text)).to.equal(keccak256(stringToHex(text)));
    }
  });
});
