import { expect } from "chai";
import { fromRlp, type Address, type Hex } from "viem";
import {
  decodeQbftExtraData,
  encodeQbftExtraData,
  genesisExtraData,
  genesisValidators,
} from "../../packages/sdk/src/network/extraData";

/**
 * Besu's published QBFT extraData vectors:
 * - DOCS_TO_ENCODE / DOCS_RLP: besu-docs docs/private-networks/how-to/configure/consensus/qbft.md,
 *   "Generate extra data" (https://besu.hyperledger.org/private-networks/how-to/configure/consensus/qbft#extra-data):
 *   `besu rlp encode --from=toEncode.json --type=QBFT_EXTRA_DATA` of four validators.
 * - DOCS_GENESIS: the same page's "Block header validator selection" genesis example.
 * - CONTRACT_MODE: the same page's "Contract validator selection" genesis, also in hyperledger/besu
 *   consensus/qbft/src/integration-test/resources/genesis_validator_contract_shanghai.json.
 * - RLP_CLI_ENCODE / RLP_CLI_DECODE: hyperledger/besu app/src/test/java/org/hyperledger/besu/cli/
 *   subcommands/rlp/RLPSubCommandTest.java, `canEncodeToQbftExtraData` and
 *   `decodeQBFTWithoutPathMustWriteToStandardOutput`: the `besu rlp encode|decode
 *   --type=QBFT_EXTRA_DATA` subcommand's own input and output.
 * - CODEC_TEST: hyperledger/besu consensus/qbft/src/test/java/org/hyperledger/besu/consensus/qbft/
 *   QbftExtraDataCodecTest.java, RAW_HEX_ENCODING_STRING (vanity 1..32, a vote, round 0xFEDCBA, two seals).
 */
const DOCS_TO_ENCODE: Address[] = [
  "0x4592c8e45706cc08b8f44b11e43cba0cfc5892cb",
  "0x06e23768a0f59cf365e18c2e0c89e151bcdedc70",
  "0xc5327f96ee02d7bcbc1bf1236b8c15148971e1de",
  "0xab5e7f4061c605820d3744227eed91ff8e2c8908",
];
const DOCS_RLP =
  "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f854944592c8e45706cc08b8f44b11e43cba0cfc5892cb9406e23768a0f59cf365e18c2e0c89e151bcdedc7094c5327f96ee02d7bcbc1bf1236b8c15148971e1de94ab5e7f4061c605820d3744227eed91ff8e2c8908c080c0";
const DOCS_GENESIS_VALIDATORS: Address[] = [
  "0x64a702e6263b7297a96638cac6ae65e6541f4169",
  "0x3923390ad55e90c237593b3b0e401f3b08a03185",
  "0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692",
  "0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78",
];
const DOCS_GENESIS =
  "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0";
const CONTRACT_MODE = "0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0";
const CODEC_TEST =
  "0xf8f0a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20ea940000000000000000" +
  "000000000000000000000001940000000000000000000000000000000000000002d7940000000000000000" +
  "00000000000000000000000181ff83fedcbaf886b841000000000000000000000000000000000000000000" +
  "0000000000000000000001000000000000000000000000000000000000000000000000000000000000000a" +
  "00b841000000000000000000000000000000000000000000000000000000000000000a0000000000000000" +
  "00000000000000000000000000000000000000000000000100";

const RLP_CLI_ENCODE = {
  input: ["be068f726a13c8d46c44be6ce9d275600e1735a4", "5ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193"],
  output:
    "0xf84fa00000000000000000000000000000000000000000000000000000000000000000ea94be068f726a13c8d" +
    "46c44be6ce9d275600e1735a4945ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193c080c0",
};
const RLP_CLI_DECODE = {
  input:
    "0xf84fa00000000000000000000000000000000000000000000000000000000000000000ea94241f804efb46f71acaa" +
    "5be94a62f7798e89c3724946cdf72da457453063ea92e7fa5ac30afbcec28cdc080c0",
  validators: ["0x241f804efb46f71acaa5be94a62f7798e89c3724", "0x6cdf72da457453063ea92e7fa5ac30afbcec28cd"],
};

const word = (n: number) => n.toString(16).padStart(64, "0");
const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;
const CODEC_FIELDS = {
  vanity: `0x${Array.from({ length: 32 }, (_, i) => (i + 1).toString(16).padStart(2, "0")).join("")}` as Hex,
  validators: [addr(1), addr(2)],
  vote: { recipient: addr(1), add: true },
  round: 0xfedcba,
  // Besu's SECPSignature encoding: r (32 bytes) ‖ s (32 bytes) ‖ recovery id (1 byte)
  seals: [`0x${word(1)}${word(10)}00`, `0x${word(10)}${word(1)}00`] as Hex[],
};

describe("network: QBFT extraData (Besu's published vectors)", () => {
  it("encodes the docs' `rlp encode` example byte for byte, validators in the order given", () => {
    expect(genesisExtraData(DOCS_TO_ENCODE)).to.equal(DOCS_RLP);
    expect(genesisExtraData(DOCS_GENESIS_VALIDATORS)).to.equal(DOCS_GENESIS);
  });

  it("matches `besu rlp encode` and `besu rlp decode --type=QBFT_EXTRA_DATA` (Besu's CLI test)", () => {
    expect(genesisExtraData(RLP_CLI_ENCODE.input.map((a) => `0x${a}` as Address))).to.equal(RLP_CLI_ENCODE.output);
    const decoded = decodeQbftExtraData(RLP_CLI_DECODE.input as Hex);
    expect(decoded.validators.map((a) => a.toLowerCase())).to.deep.equal(RLP_CLI_DECODE.validators);
  });

  it("encodes the contract-selection genesis (no validators) as Besu's docs and tests", () => {
    expect(genesisExtraData([])).to.equal(CONTRACT_MODE);
  });

  it("encodes and decodes Besu's codec test vector with a vote, a round and two seals", () => {
    expect(encodeQbftExtraData(CODEC_FIELDS)).to.equal(CODEC_TEST);
    const decoded = decodeQbftExtraData(CODEC_TEST as Hex);
    expect(decoded.vanity).to.equal(CODEC_FIELDS.vanity);
    expect(decoded.validators).to.deep.equal(CODEC_FIELDS.validators);
    expect(decoded.vote).to.deep.equal(CODEC_FIELDS.vote);
    expect(decoded.round).to.equal(0xfedcba);
    expect(decoded.seals).to.deep.equal(CODEC_FIELDS.seals);
  });

  it("round-trips a drop vote (empty byte string, Besu's writeNull)", () => {
    const data = { ...CODEC_FIELDS, vote: { recipient: addr(7), add: false }, round: 1, seals: [] };
    const encoded = encodeQbftExtraData(data);
    expect((fromRlp(encoded, "hex") as unknown[])[2]).to.deep.equal([addr(7), "0x"]);
    expect(decodeQbftExtraData(encoded)).to.deep.equal(data);
  });

  it("decodes the docs' genesis into its five fields with viem's fromRlp", () => {
    const [vanity, validators, vote, round, seals] = fromRlp(DOCS_RLP as Hex, "hex") as [Hex, Hex[], Hex[], Hex, Hex[]];
    expect(vanity).to.equal(`0x${"00".repeat(32)}`);
    expect(validators).to.deep.equal(DOCS_TO_ENCODE);
    expect(vote).to.deep.equal([]);
    expect(round).to.equal("0x"); // round 0 is the empty scalar 0x80
    expect(seals).to.deep.equal([]);
    const decoded = decodeQbftExtraData(DOCS_RLP as Hex);
    expect(decoded.validators.map((a) => a.toLowerCase())).to.deep.equal(DOCS_TO_ENCODE);
    expect(decoded.vote).to.equal(undefined);
    expect(decoded.round).to.equal(0);
  });

  it("sorts genesis validators ascending and refuses a duplicate", () => {
    const sorted = genesisValidators(DOCS_TO_ENCODE).map((a) => a.toLowerCase());
    expect(sorted).to.deep.equal([...DOCS_TO_ENCODE].sort());
    expect(() =>
      genesisValidators([DOCS_TO_ENCODE[0], DOCS_TO_ENCODE[0].toUpperCase().replace("0X", "0x") as Address]),
    ).to.throw(/lists 0x4592.* twice/i);
  });

  it("refuses malformed extraData and fields, naming what is wrong", () => {
    expect(() => decodeQbftExtraData("0xzz" as Hex)).to.throw(/not RLP|extraData/);
    expect(() => decodeQbftExtraData("0xc3808080")).to.throw(/5 items/);
    expect(() => decodeQbftExtraData("0xc68180c0c080c0")).to.throw(/vanity must be 32 bytes/);
    expect(() => encodeQbftExtraData({ ...CODEC_FIELDS, vanity: "0x00" })).to.throw(/vanity/);
    expect(() => encodeQbftExtraData({ ...CODEC_FIELDS, seals: ["0x00"] })).to.throw(/65 bytes/);
    expect(() => encodeQbftExtraData({ ...CODEC_FIELDS, round: -1 })).to.throw(/round/);
  });
});
