/** SM3 (GB/T 32905-2016) in Solidity: the standard's examples and sm-crypto-v2 on random inputs. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployHarness, deployViaIrHarness, sm3Hex } from "./helpers";

const ascii = (s: string): Uint8Array => ethers.toUtf8Bytes(s);

describe("SM3", function () {
  it("hashes the standard's examples: 'abc' and 'abcd' × 16", async function () {
    const harness = await loadFixture(deployHarness);
    expect(await harness.hash(ascii("abc"))).to.equal(
      "0x66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
    );
    expect(await harness.hash(ascii("abcd".repeat(16)))).to.equal(
      "0xdebe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
    );
  });

  it("hashes the empty message as sm-crypto-v2 does (1b2…)", async function () {
    const harness = await loadFixture(deployHarness);
    expect(await harness.hash("0x")).to.equal(sm3Hex(new Uint8Array()));
    expect(sm3Hex(new Uint8Array())).to.equal("0x1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
  });

  it("gives the same digests compiled through the IR pipeline", async function () {
    const viaIr = await loadFixture(deployViaIrHarness);
    for (const length of [0, 3, 56, 64, 200]) {
      const data = ethers.randomBytes(length);
      expect(await viaIr.hash(data)).to.equal(sm3Hex(data));
    }
  });

  it("agrees with sm-crypto-v2 on random inputs at every padding boundary (0…1000 bytes)", async function () {
    const harness = await loadFixture(deployHarness);
    const lengths = [0, 1, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200, 1000];
    for (const length of lengths) {
      for (let round = 0; round < 3; round++) {
        const data = ethers.randomBytes(length);
        expect(await harness.hash(data), `length ${length}`).to.equal(sm3Hex(data));
      }
    }
  });

  it("costs under 50,000 gas per 64-byte block, linearly in the blocks", async function () {
    const harness = await loadFixture(deployHarness);
    const [, one] = await harness.hashGas(ethers.randomBytes(32));
    const [, two] = await harness.hashGas(ethers.randomBytes(64));
    const [, many] = await harness.hashGas(ethers.randomBytes(1024));
    // 32 bytes: one block; 64 bytes: two; 1 KiB: seventeen.
    const perBlock = (many - one) / 16n;
    expect(perBlock).to.be.lessThan(50_000n);
    expect(two - one).to.be.closeTo(perBlock, 1_000n);
  });
});
