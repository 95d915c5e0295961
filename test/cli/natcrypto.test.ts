/**
 * The CLI's national-algorithm options (decision 046): `batch build --tree-hash sm3` with
 * `--encrypt-key` (SM4-GCM and AES-256-GCM key files), `batch submit` refusing a file whose tree
 * hash is not the ledger's, and anchoring and proving an SM3 batch once governance set SM3; every
 * bad input (no key, another key, a tampered file, a key of the wrong length, an unknown tree hash
 * or algorithm) exits 2 with one `error:` line and sends nothing.
 */
import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { custom } from "viem";
import { ExitCode } from "../../packages/cli/src/exit";
import { runCli } from "../../packages/cli/src/main";
import { requireSoftHsm, TOKENS, USER_PIN } from "../helpers/softhsm";
import { BANKS_JSON, BANK_INDEX, SMALL_SAMPLE, settlementFixture } from "../sdk/settlementFixture";
import { cliWorkspace, expectFailure, type Run } from "./harness";

async function natFixture() {
  const f = await settlementFixture();
  const ws = cliWorkspace(f.deployment, "natcrypto");
  const sm4Key = join(ws.dir, "sm4.key");
  writeFileSync(sm4Key, "0123456789abcdeffedcba9876543210\n");
  const aesKey = join(ws.dir, "aes.key");
  writeFileSync(aesKey, Buffer.alloc(32, 0xa5)); // not all hex digits (those spell a 16-byte key)
  return { ...f, cli: ws.cli, dir: ws.dir, alpineKey: ws.keyFile(BANK_INDEX.alpine), sm4Key, aesKey };
}

async function setSm3(ledgerAddress: string): Promise<void> {
  const verifier = await (await ethers.getContractFactory("SM3MerkleVerifier")).deploy();
  const ledger = await ethers.getContractAt("SettlementLedger", ledgerAddress);
  await (await ledger.setTreeHash(1, await verifier.getAddress())).wait();
}

describe("clearhouse: SM3 batch trees and encrypted batch files", function () {
  it("builds an SM3 tree sealed with SM4-GCM; submit waits for the ledger's SM3 setting; then anchors and proves", async function () {
    const f = await loadFixture(natFixture);
    const { cli, dir, alpineKey, sm4Key } = f;
    const out = join(dir, "alpine-sm3.batch");
    const build = await cli(
      "--key-file",
      alpineKey,
      "--encrypt-key",
      sm4Key,
      "batch",
      "build",
      SMALL_SAMPLE,
      "--banks",
      BANKS_JSON,
      "--key",
      "NAT-1",
      "--tree-hash",
      "sm3",
      "--out",
      out,
    );
    expect(build.code, build.err).to.equal(ExitCode.ok);
    const bytes = readFileSync(out, "latin1");
    expect(bytes).to.match(/^\{"format":"clearhouse\.enc\/1","alg":"SM4-GCM"/);
    expect(bytes).to.not.contain("ALPN-TX");

    // The ledger still anchors keccak256 trees: refused, nothing sent.
    const early = await cli("--key-file", alpineKey, "--encrypt-key", sm4Key, "batch", "submit", out);
    expectFailure(early, ExitCode.badInput, /tree is sm3, but the ledger anchors keccak256 trees now/);

    await setSm3(f.deployment.contracts.SettlementLedger!.proxy);
    const submitted = await cli("--key-file", alpineKey, "--encrypt-key", sm4Key, "batch", "submit", out);
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
    expect(submitted.out).to.match(/^Anchored batch 0x[0-9a-f]{64}/);
    const verified = await cli("--encrypt-key", sm4Key, "batch", "verify", out, "--payment", "ALPN-TX-0002");
    expect(verified.code, verified.err).to.equal(ExitCode.ok);
    expect(verified.out).to.match(/valid locally yes, on-chain yes/);
  });

  it("refuses, with exit 2 and one line: no key, another key, a tampered file, a short key, an unknown hash or algorithm", async function () {
    const f = await loadFixture(natFixture);
    const { cli, dir, alpineKey, sm4Key, aesKey } = f;
    const out = join(dir, "alpine-aes.batch");
    const build = await cli(
      "--key-file",
      alpineKey,
      "--encrypt-key",
      aesKey,
      "batch",
      "build",
      SMALL_SAMPLE,
      "--banks",
      BANKS_JSON,
      "--key",
      "NAT-2",
      "--out",
      out,
    );
    expect(build.code, build.err).to.equal(ExitCode.ok);
    expect(readFileSync(out, "latin1")).to.match(/"alg":"AES-256-GCM"/);

    expectFailure(
      await cli("--key-file", alpineKey, "batch", "submit", out),
      ExitCode.badInput,
      /is encrypted \(AES-256-GCM, key sha256:[0-9a-f]{16}\) and no decryption key was given/,
    );
    expectFailure(
      await cli("--key-file", alpineKey, "--encrypt-key", sm4Key, "batch", "submit", out),
      ExitCode.badInput,
      /was sealed with key sha256:[0-9a-f]{16} \(AES-256-GCM\), not with the key given/,
    );
    const tampered = join(dir, "tampered.batch");
    const raw = readFileSync(out);
    raw[raw.length - 100] ^= 1;
    writeFileSync(tampered, raw);
    expectFailure(
      await cli("--key-file", alpineKey, "--encrypt-key", aesKey, "batch", "submit", tampered),
      ExitCode.badInput,
      /does not authenticate: its ciphertext or header was changed/,
    );
    const unknown = join(dir, "unknown.batch");
    writeFileSync(unknown, Buffer.from(readFileSync(out, "latin1").replace('"AES-256-GCM"', '"XTEA-GCM"'), "latin1"));
    expectFailure(
      await cli("--key-file", alpineKey, "--encrypt-key", aesKey, "batch", "submit", unknown),
      ExitCode.badInput,
      /unknown algorithm "XTEA-GCM"/,
    );
    const short = join(dir, "short.key");
    writeFileSync(short, Buffer.alloc(20, 1));
    const shortOut = join(dir, "never.batch");
    expectFailure(
      await cli(
        "--key-file",
        alpineKey,
        "--encrypt-key",
        short,
        "batch",
        "build",
        SMALL_SAMPLE,
        "--banks",
        BANKS_JSON,
        "--key",
        "NAT-3",
        "--out",
        shortOut,
      ),
      ExitCode.badInput,
      /Encryption key .*short\.key: is 20 bytes long, expected 32 \(AES-256-GCM\) or 16 \(SM4-GCM\) raw bytes/,
    );
    expectFailure(
      await cli(
        "--key-file",
        alpineKey,
        "batch",
        "build",
        SMALL_SAMPLE,
        "--banks",
        BANKS_JSON,
        "--key",
        "NAT-4",
        "--tree-hash",
        "md5",
        "--out",
        shortOut,
      ),
      ExitCode.badInput,
      /--tree-hash.*"md5" is not a tree hash/,
    );
    expect(() => readFileSync(shortOut)).to.throw(/ENOENT/);
  });

  it("an AES-256 key generated in SoftHSM2 (`hsm aes-keygen`) seals and opens batch files", async function () {
    const module = requireSoftHsm(this).module;
    const f = await loadFixture(natFixture);
    const deployment = join(f.dir, "deployment.json");
    const cli = async (...argv: string[]): Promise<Run> => {
      let out = "";
      let err = "";
      const code = await runCli(["--deployment", deployment, ...argv], {
        out: (s) => (out += s + "\n"),
        err: (s) => (err += s + "\n"),
        transport: custom(hre.network.provider, { retryCount: 0 }),
        env: { CLEARHOUSE_PKCS11_PIN: USER_PIN, CLEARHOUSE_PKCS11_MODULE: module },
      });
      return { code, out, err };
    };
    const made = await cli("hsm", "aes-keygen", "--token", TOKENS.bank, "--label", "batch-files");
    expect(made.code, made.err).to.equal(ExitCode.ok);
    const uri = `pkcs11:token=${TOKENS.bank};object=batch-files`;
    expect(made.out).to.contain(uri);
    const out = join(f.dir, "alpine-hsm.batch");
    const build = await cli(
      "--key-file",
      f.alpineKey,
      "--encrypt-key",
      uri,
      "batch",
      "build",
      SMALL_SAMPLE,
      "--banks",
      BANKS_JSON,
      "--key",
      "NAT-HSM",
      "--out",
      out,
    );
    expect(build.code, build.err).to.equal(ExitCode.ok);
    expect(readFileSync(out, "latin1")).to.match(
      new RegExp(
        `^\\{"format":"clearhouse\\.enc/1","alg":"AES-256-GCM","kid":"${uri.replace(/[.;]/g, (c) => `\\${c}`)}"`,
      ),
    );
    const shared = join(f.dir, "alpine-hsm-shared.batch");
    const share = await cli("--encrypt-key", uri, "batch", "share", out, "--out", shared);
    expect(share.code, share.err).to.equal(ExitCode.ok);
    expect(readFileSync(shared, "latin1")).to.match(/^\{"format":"clearhouse\.enc\/1"/);
    const submitted = await cli("--key-file", f.alpineKey, "--encrypt-key", uri, "batch", "submit", out);
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
  });
});
