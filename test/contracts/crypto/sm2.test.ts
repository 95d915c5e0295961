/**
 * SM2 verification (GB/T 32918, curve sm2p256v1) in Solidity: the standard's example, signatures
 * made by sm-crypto-v2 for random keys and messages, and every refusal.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { sm2 } from "sm-crypto-v2";
import {
  deployHarness,
  deployViaIrHarness,
  G,
  GX,
  GY,
  N,
  P,
  pointMul,
  publicKeyHex,
  smallPoint,
  sm2Digest,
  sm2Key,
  sm2Sign,
  sm2Za,
  STANDARD,
} from "./helpers";

const ascii = (s: string): Uint8Array => ethers.toUtf8Bytes(s);
const hex32 = (v: bigint): string => ethers.toBeHex(v, 32);

describe("SM2", function () {
  describe("the standard's example (GB/T 32918.5 / GM/T 0003.5, recommended curve)", function () {
    it("derives Z_A and e = SM3(Z_A ‖ M) as the standard prints them", async function () {
      const harness = await loadFixture(deployHarness);
      expect(await harness.za(STANDARD.px, STANDARD.py)).to.equal(STANDARD.za);
      expect(await harness.zaWithId(ascii("1234567812345678"), STANDARD.px, STANDARD.py)).to.equal(STANDARD.za);
      expect(await harness.digest(STANDARD.za, ascii(STANDARD.message))).to.equal(STANDARD.e);
      // sm-crypto-v2 agrees, and the key is the private key's.
      const pub = publicKeyHex(STANDARD.px, STANDARD.py);
      expect(sm2.getPublicKeyFromPrivateKey(STANDARD.privateKey)).to.equal(pub);
      expect(sm2Za(pub)).to.equal(STANDARD.za);
      expect(sm2Digest(ascii(STANDARD.message), pub)).to.equal(STANDARD.e);
    });

    it("accepts the standard's (r, s); sm-crypto-v2 accepts it too", async function () {
      const harness = await loadFixture(deployHarness);
      expect(await harness.verify(STANDARD.e, STANDARD.r, STANDARD.s, STANDARD.px, STANDARD.py)).to.equal(true);
      const sigHex = hex32(STANDARD.r).slice(2) + hex32(STANDARD.s).slice(2);
      expect(
        sm2.doVerifySignature(ascii(STANDARD.message), sigHex, publicKeyHex(STANDARD.px, STANDARD.py), { hash: true }),
      ).to.equal(true);
    });

    it("r is x1 + e for the standard's nonce k: (x1, y1) = k·G", function () {
      const kG = pointMul(BigInt(`0x${STANDARD.k}`), G);
      expect((BigInt(STANDARD.e) + kG!.x) % N).to.equal(STANDARD.r);
    });

    it("Z_A for another identity has ENTL = its bit length", async function () {
      const harness = await loadFixture(deployHarness);
      const pub = publicKeyHex(STANDARD.px, STANDARD.py);
      const id = "ALICE123@YAHOO.COM";
      expect(await harness.zaWithId(ascii(id), STANDARD.px, STANDARD.py)).to.equal(ethers.hexlify(sm2.getZ(pub, id)));
      await expect(harness.zaWithId(new Uint8Array(8192), STANDARD.px, STANDARD.py))
        .to.be.revertedWithCustomError(harness, "SM2IdentityTooLong")
        .withArgs(8192);
    });
  });

  describe("signatures by sm-crypto-v2", function () {
    it("verifies random keys' signatures of random messages (0…300 bytes), and only those", async function () {
      const harness = await loadFixture(deployHarness);
      for (let i = 0; i < 12; i++) {
        const key = sm2Key();
        const message = ethers.randomBytes(i * 25);
        const { r, s } = sm2Sign(message, key);
        const e = sm2Digest(message, key.publicKey);
        expect(await harness.digest(sm2Za(key.publicKey), message)).to.equal(e);
        expect(await harness.verify(e, r, s, key.px, key.py), `key ${i}`).to.equal(true);
        // The same signature under another message's digest, or another key, is refused.
        const other = sm2Digest(ethers.randomBytes(32), key.publicKey);
        expect(await harness.verify(other, r, s, key.px, key.py)).to.equal(false);
        const stranger = sm2Key();
        expect(await harness.verify(e, r, s, stranger.px, stranger.py)).to.equal(false);
      }
    });

    it("verifies a signature of a digest e ≥ n (e is reduced mod n, as the standard adds e + x1 mod n)", async function () {
      const harness = await loadFixture(deployHarness);
      const key = sm2Key();
      const e = ethers.MaxUint256;
      const sig = sm2.doSignature(ethers.getBytes(hex32(e)), key.privateKey);
      const [r, s] = [BigInt(`0x${sig.slice(0, 64)}`), BigInt(`0x${sig.slice(64)}`)];
      expect(await harness.verify(hex32(e), r, s, key.px, key.py)).to.equal(true);
      expect(await harness.verify(hex32(e - 1n), r, s, key.px, key.py)).to.equal(false);
    });

    it("refuses a tampered r, s or e and the swapped pair (r, s) → (s, r)", async function () {
      const harness = await loadFixture(deployHarness);
      const key = sm2Key();
      const message = ethers.randomBytes(64);
      const { r, s } = sm2Sign(message, key);
      const e = BigInt(sm2Digest(message, key.publicKey));
      expect(await harness.verify(hex32(e), r, s, key.px, key.py)).to.equal(true);
      for (const bit of [0n, 77n, 200n, 255n]) {
        expect(await harness.verify(hex32(e ^ (1n << bit)), r, s, key.px, key.py)).to.equal(false);
        if ((r ^ (1n << bit)) < N)
          expect(await harness.verify(hex32(e), r ^ (1n << bit), s, key.px, key.py)).to.equal(false);
        if ((s ^ (1n << bit)) < N)
          expect(await harness.verify(hex32(e), r, s ^ (1n << bit), key.px, key.py)).to.equal(false);
      }
      expect(await harness.verify(hex32(e), s, r, key.px, key.py)).to.equal(false);
    });

    it("costs at most 400,000 gas (in the library, measured with gasleft), through either code generator", async function () {
      const key = sm2Key();
      const message = ethers.randomBytes(32);
      const { r, s } = sm2Sign(message, key);
      const e = sm2Digest(message, key.publicKey);
      // About 205,000 with the repository's default settings, 222,000 through IR (bench/sm2.ts).
      const [valid, used] = await (await loadFixture(deployHarness)).verifyGas(e, r, s, key.px, key.py);
      expect(valid).to.equal(true);
      expect(used).to.be.lessThan(250_000n);
      const viaIr = await loadFixture(deployViaIrHarness);
      expect(await viaIr.verify(e, r, s, key.px, key.py)).to.equal(true);
      const [, viaIrGas] = await viaIr.verifyGas(e, r, s, key.px, key.py);
      expect(viaIrGas).to.be.lessThan(250_000n);
    });
  });

  describe("refusals (false, never a revert)", function () {
    it("r or s outside [1, n − 1]", async function () {
      const harness = await loadFixture(deployHarness);
      const { e, r, s, px, py } = STANDARD;
      for (const bad of [0n, N, N + 1n, ethers.MaxUint256]) {
        expect(await harness.verify(e, bad, s, px, py), `r = ${bad}`).to.equal(false);
        expect(await harness.verify(e, r, bad, px, py), `s = ${bad}`).to.equal(false);
      }
    });

    it("t = (r + s) mod n = 0", async function () {
      const harness = await loadFixture(deployHarness);
      const { e, r, px, py } = STANDARD;
      expect(await harness.verify(e, r, N - r, px, py)).to.equal(false);
    });

    it("a key off the curve, with a coordinate ≥ p, or ±G", async function () {
      const harness = await loadFixture(deployHarness);
      const { e, r, s, px, py } = STANDARD;
      expect(await harness.isOnCurve(px, py)).to.equal(true);
      expect(await harness.isOnCurve(GX, GY)).to.equal(true);
      const small = smallPoint();
      expect(await harness.isOnCurve(small.x, small.y)).to.equal(true);
      const offCurve: [bigint, bigint][] = [
        [px, py + 1n],
        [px + 1n, py],
        [0n, 0n],
        // Coordinates ≥ p that satisfy the equation mod p: the aliases of a curve point.
        [small.x + P, small.y],
        [P, 0n],
        [ethers.MaxUint256, py],
      ];
      for (const [x, y] of offCurve) {
        expect(await harness.isOnCurve(x, y)).to.equal(false);
        expect(await harness.verify(e, r, s, x, y)).to.equal(false);
      }
      // ±G are curve points, but keys 1 and n − 1: refused (their signatures are anyone's).
      const one = sm2.doSignature(ascii("x"), hex32(1n).slice(2), { hash: true, publicKey: publicKeyHex(GX, GY) });
      const eG = sm2Digest(ascii("x"), publicKeyHex(GX, GY));
      const [r1, s1] = [BigInt(`0x${one.slice(0, 64)}`), BigInt(`0x${one.slice(64)}`)];
      expect(sm2.doVerifySignature(ascii("x"), one, publicKeyHex(GX, GY), { hash: true })).to.equal(true);
      expect(await harness.verify(eG, r1, s1, GX, GY)).to.equal(false);
      expect(await harness.verify(eG, r1, s1, GX, P - GY)).to.equal(false);
    });

    it("s·G + t·P at infinity; a step that doubles (P = 2G) still computes the right point", async function () {
      const harness = await loadFixture(deployHarness);
      // s = 2, t = 1 (r = n − 1): the ladder reaches G, doubles to 2G, then adds P.
      const s = 2n;
      const r = N - 1n;
      // P = 2G: 2G + 2G runs madd's doubling branch; s·G + t·P = 4G.
      const twoG = pointMul(2n, G)!;
      const x1 = pointMul(4n, G)!.x;
      const e = (((r - x1) % N) + N) % N;
      expect(await harness.verify(hex32(e), r, s, twoG.x, twoG.y)).to.equal(true);
      expect(await harness.verify(hex32((e + 1n) % N), r, s, twoG.x, twoG.y)).to.equal(false);
      // P = −2G: 2G + (−2G) is the point at infinity: refused whatever e is.
      const minusTwoG = pointMul(N - 2n, G)!;
      for (const anyE of [0n, e, 12345n]) {
        expect(await harness.verify(hex32(anyE), r, s, minusTwoG.x, minusTwoG.y)).to.equal(false);
      }
    });
  });
});
