import { expect } from "chai";
import type { Hex } from "viem";
import {
  besuKeyFile,
  enodeUrl,
  generateNodeKey,
  identityOfPrivateKey,
  identityOfPublicKey,
  isIPv4,
  nodeAddress,
  normalizePublicKey,
} from "../../packages/sdk/src/network/nodeKeys";

/**
 * Vectors:
 * - BESU_TEN: hyperledger/besu crypto/algorithms/src/test/java/org/hyperledger/besu/crypto/
 *   SECPPublicKeyTest.java `publicKeyRecovery`: private key 10 → this 64-byte public key (Besu's
 *   enode id form); Besu's key file for it is crypto/algorithms/src/test/resources/validPrivateKey.txt.
 * - BESU_DEV: hyperledger/besu acceptance-tests/.../resources/qbft/qbft-london.json, alloc
 *   entries pairing a private key with its address (the node address is derived the same way).
 * - HARDHAT_0: the public Hardhat/Anvil development account 0 (key, public key and address).
 */
const BESU_TEN = {
  privateKey: `0x${"0".repeat(63)}a`,
  publicKey:
    "0xa0434d9e47f3c86235477c7b1ae6ae5d3442d49b1943c2b752a68e2a47e247c7893aba425419bc27a3b6c7e693a24c696f794c2ed877a1593cbee53b037368d7",
};
const BESU_DEV = [
  ["8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63", "0xFE3B557E8Fb62b89F4916B721be55cEb828dBd73"],
  ["c87509a1c067bbde78beb793e6fa76530b6382a4c0241e5e4a9ec0a0f44dc0d3", "0x627306090abaB3A6e1400e9345bC60c78a8BEf57"],
  ["ae6ae8e5ccbfb04590405997ee2d52d2b330726137b875053c36d94e974d162f", "0xf17f52151EbEF6C7334FAD080c5704D77216b732"],
];
const HARDHAT_0 = {
  privateKey: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  publicKey:
    "0x8318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed753547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5",
  address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
};

describe("network: node keys, enode URLs and node addresses", () => {
  it("derives Besu's public key for private key 10", () => {
    expect(identityOfPrivateKey(BESU_TEN.privateKey).publicKey).to.equal(BESU_TEN.publicKey);
  });

  it("derives the addresses of Besu's development keys and Hardhat account 0", () => {
    for (const [key, address] of BESU_DEV) expect(identityOfPrivateKey(key).address).to.equal(address);
    const id = identityOfPrivateKey(HARDHAT_0.privateKey);
    expect(id).to.deep.equal({ publicKey: HARDHAT_0.publicKey, address: HARDHAT_0.address });
    expect(nodeAddress(HARDHAT_0.publicKey as Hex)).to.equal(HARDHAT_0.address);
  });

  it("accepts a public key with or without 0x and the 04 prefix, and refuses one off the curve", () => {
    const bare = HARDHAT_0.publicKey.slice(2);
    expect(normalizePublicKey(bare)).to.equal(HARDHAT_0.publicKey);
    expect(normalizePublicKey(`0x04${bare}`)).to.equal(HARDHAT_0.publicKey);
    expect(identityOfPublicKey(`04${bare.toUpperCase()}`).address).to.equal(HARDHAT_0.address);
    const flipped = `0x${bare.slice(0, 127)}${bare.endsWith("5") ? "4" : "5"}`;
    expect(() => normalizePublicKey(flipped, "nodes[0].publicKey")).to.throw(
      /nodes\[0\]\.publicKey.*not a point on secp256k1/,
    );
    expect(() => normalizePublicKey("0x1234")).to.throw(/64-byte secp256k1 public key/);
  });

  it("writes Besu's key file: one line, 0x and 64 lowercase hex digits (KeyPairUtil.storeKeyPair)", () => {
    expect(besuKeyFile(HARDHAT_0.privateKey.toUpperCase().replace("0X", "0x") as Hex)).to.equal(HARDHAT_0.privateKey);
    expect(() => besuKeyFile(`0x${"0".repeat(64)}`)).to.throw(/privateKey/);
    expect(() => besuKeyFile(`0x${"f".repeat(64)}`)).to.throw(/n − 1/);
    const fresh = generateNodeKey();
    expect(fresh).to.match(/^0x[0-9a-f]{64}$/);
    expect(generateNodeKey()).to.not.equal(fresh);
  });

  it("builds enode URLs from the 64-byte key, an IPv4 host and the p2p port", () => {
    expect(enodeUrl(BESU_TEN.publicKey as Hex, "10.0.0.1", 30303)).to.equal(
      `enode://${BESU_TEN.publicKey.slice(2)}@10.0.0.1:30303`,
    );
    expect(() => enodeUrl(BESU_TEN.publicKey as Hex, "node1.example", 30303)).to.throw(/IPv4/);
    expect(() => enodeUrl(BESU_TEN.publicKey as Hex, "10.0.0.1", 70000)).to.throw(/65535/);
    expect(["10.0.0.1", "0.0.0.0", "255.255.255.255"].every(isIPv4)).to.equal(true);
    expect(["10.0.0", "10.0.0.256", "10.0.0.01", "::1", "a.b.c.d"].some(isIPv4)).to.equal(false);
  });
});
