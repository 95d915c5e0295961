/**
 * `--key pkcs11:…` against a real token (SoftHSM2) and the in-process chain: a bank whose key is
 * in the HSM builds and submits a batch, a multisig signer signs a proposal offline, an attestor
 * signs an attestation; the chain accepts each signature. Every bad key setup exits 2 with one
 * line and sends nothing.
 */
import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { custom, type Address } from "viem";
import { runCli } from "../../packages/cli/src/main";
import { ExitCode } from "../../packages/cli/src/exit";
import { Role, leiWithCheckDigits } from "../../packages/sdk/src";
import { generatePkcs11Key, pkcs11Account } from "../../packages/sdk/src/node/pkcs11";
import { batchIdOf } from "../../packages/sdk/src/settlement/batch";
import { batchKey } from "../../packages/sdk/src/settlement/ledger";
import { deployConsortium, handOverToGovernance } from "../../scripts/lib/deployConsortium";
import { blockNumber, key } from "../sdk/fixture";
import { BANK_INDEX, BANK_LIMIT, payments, settlementFixture } from "../sdk/settlementFixture";
import { requireSoftHsm, TOKENS, USER_PIN } from "../helpers/softhsm";
import { expectFailure, hardhatKey, type Run } from "./harness";

const ETH = "0x56BC75E2D63100000"; // 100 ether, for gas
const KEY = "2026-12-07-HSM";

/** The HSM keys of this file: generated inside the tokens once, before the fixtures run. */
const hsm = {
  bank: "",
  signer: "",
  attestor: "",
  bankAddress: "" as Address,
  signerAddress: "" as Address,
  attestorAddress: "" as Address,
};

let hsmModule = "";

/** A CLI runner on `deployment` whose environment holds the token's PIN (and `env`). */
function runner(deployment: string, env: Record<string, string> = {}) {
  return async (...argv: string[]): Promise<Run> => {
    let out = "";
    let err = "";
    const code = await runCli(["--deployment", deployment, ...argv], {
      out: (s) => (out += s + "\n"),
      err: (s) => (err += s + "\n"),
      transport: custom(hre.network.provider, { retryCount: 0 }),
      env: { CLEARHOUSE_PKCS11_PIN: USER_PIN, CLEARHOUSE_PKCS11_MODULE: hsmModule, ...env },
    });
    return { code, out, err };
  };
}

function workspace(deployment: object) {
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-hsm-"));
  const path = join(dir, "deployment.json");
  writeFileSync(path, JSON.stringify(deployment));
  const keyFile = (i: number) => {
    const file = join(dir, `account${i}.key`);
    writeFileSync(file, hardhatKey(i));
    return file;
  };
  return {
    dir,
    deployment: path,
    keyFile,
    cli: runner(path),
    cliWith: (env: Record<string, string>) => runner(path, env),
  };
}

/** The settlement fixture plus a member bank whose key is in the HSM, enrolled through the SDK with that key. */
async function bankFixture() {
  const f = await settlementFixture();
  await f.gov.registry.admitMember({
    account: hsm.bankAddress,
    roles: Role.MEMBER_BANK,
    lei: leiWithCheckDigits("5493000HSMBANK0000"),
    name: "HSM Bank",
    maxSingleTransfer: BANK_LIMIT,
    maxDailyOutflow: BANK_LIMIT,
  });
  await hre.network.provider.send("hardhat_setBalance", [hsm.bankAddress, ETH]);
  await f.operator.token.mint({ bank: hsm.bankAddress, amount: 1_000_000n });
  const bank = f.gov.as(pkcs11Account({ uri: hsm.bank, pin: USER_PIN, module: hsmModule }));
  await bank.settlement.enroll();
  await bank.token.approve({ spender: f.deployment.contracts.NettingEngine!.proxy, amount: 2n ** 255n });
  return { ...f, ...workspace(f.deployment) };
}

/** A 3-of-5 multisig whose first signer's key is in the HSM. */
async function governanceFixture() {
  const deployment = await deployConsortium({
    token: { name: "Gov Euro", symbol: "gEUR", decimals: 2 },
    governance: {
      signers: [hsm.signerAddress, ...[11, 12, 13, 14].map((i) => key(i).address)],
      threshold: 3,
      minDelay: 3_600,
      sensitiveDelay: 86_400,
      guardian: key(15).address,
    },
  });
  await handOverToGovernance(deployment);
  return workspace(deployment);
}

/** The `pay` purchase order whose carrier attests with a key in the HSM. */
async function escrowFixture() {
  const f = await settlementFixture();
  for (const [account, i] of [
    [hsm.attestorAddress, 10],
    [key(11).address, 11],
  ] as const)
    await f.gov.registry.admitMember({
      account,
      roles: Role.CORPORATE,
      lei: leiWithCheckDigits(`5493000ATTEST${i}000`),
      name: `Attestor ${i}`,
      maxSingleTransfer: 1n,
      maxDailyOutflow: 1n,
    });
  const ws = workspace(f.deployment);
  const sets = [
    "reference=PO-2026-HSM",
    `supplier=${f.addr.baltic}`,
    `arbiter=${f.addr.danube}`,
    `carrier=${hsm.attestorAddress}`,
    `buyer_qa=${key(11).address}`,
    "deposit=2500.00",
    "balance=7500.00",
  ].flatMap((s) => ["--set", s]);
  const created = await ws.cli("--key-file", ws.keyFile(BANK_INDEX.alpine), "pay", "create", "purchase-order", ...sets);
  if (created.code !== 0) throw new Error(created.err);
  return { ...f, ...ws };
}

describe("CLI --key pkcs11:… (SoftHSM2)", function () {
  this.timeout(180_000);

  before(function () {
    const soft = requireSoftHsm(this);
    hsmModule = soft.module;
    const made = (token: string, label: string) =>
      generatePkcs11Key({ token, label, pin: USER_PIN, module: soft.module });
    const bank = made(TOKENS.bank, "cli-bank");
    const signer = made(TOKENS.signer, "multisig-1");
    const attestor = made(TOKENS.other, "carrier");
    Object.assign(hsm, {
      bank: bank.uri,
      signer: signer.uri,
      attestor: attestor.uri,
      bankAddress: bank.address,
      signerAddress: signer.address,
      attestorAddress: attestor.address,
    });
    soft.tool(TOKENS.bank, "--keypairgen", "--key-type", "EC:prime256v1", "--label", "cli-p256");
  });

  it("hsm keygen creates a key in the token and hsm address shows it", async () => {
    const { cli } = workspace({});
    const made = await cli("--json", "hsm", "keygen", "--token", TOKENS.other, "--label", "from-cli");
    expect(made.code, made.err).to.equal(ExitCode.ok);
    const { result } = JSON.parse(made.out) as { result: { address: string; uri: string } };
    expect(result.uri).to.equal(`pkcs11:token=${TOKENS.other};object=from-cli`);
    const shown = await cli("--key", result.uri, "hsm", "address");
    expect(shown.code, shown.err).to.equal(ExitCode.ok);
    expect(shown.out.trim()).to.equal(result.address);
    expectFailure(
      await cli("hsm", "keygen", "--token", TOKENS.other, "--label", "from-cli"),
      ExitCode.badInput,
      /^error: Token "ch-other" already holds a private key labelled "from-cli"\.$/,
    );
  });

  it("a bank builds and submits a batch with its key in the HSM (the command's own --key is kept)", async () => {
    const f = await loadFixture(bankFixture);
    const records = join(f.dir, "records.json");
    const rs = payments(hsm.bankAddress, [[f.addr.baltic, 40_000n]], "HSM");
    writeFileSync(records, JSON.stringify(rs.map((r) => ({ ...r, amount: r.amount.toString() }))));
    const file = join(f.dir, "batch.json");
    // the signer's URI before the command, the idempotency key after it
    const built = await f.cli("--key", hsm.bank, "batch", "build", records, "--key", KEY, "--out", file);
    expect(built.code, built.err).to.equal(ExitCode.ok);
    const batchId = batchIdOf(hsm.bankAddress, batchKey(KEY));
    expect(built.out).to.include(`batch id ${batchId}`);
    // and the other way round: a pkcs11: value after the command is the signer's
    const submitted = await f.cli("batch", "submit", file, "--key", hsm.bank);
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
    expect(submitted.out).to.match(new RegExp(`^Anchored batch ${batchId} \\(tx 0x[0-9a-f]{64}`));
    const status = await f.cli("--json", "batch", "status", file);
    expect(JSON.parse(status.out).result).to.deep.include({ status: "Submitted" });
  });

  it("every bad key setup exits 2 with one line naming the problem, and sends nothing", async () => {
    const f = await loadFixture(bankFixture);
    const records = join(f.dir, "records.json");
    writeFileSync(
      records,
      JSON.stringify(payments(hsm.bankAddress, [[f.addr.baltic, 1n]], "BAD").map((r) => ({ ...r, amount: "1" }))),
    );
    const file = join(f.dir, "bad.json");
    const built = await f.cli("--key", hsm.bank, "batch", "build", records, "--key", "BAD", "--out", file);
    expect(built.code, built.err).to.equal(ExitCode.ok);
    const nonce = await f.gov.context.publicClient.getTransactionCount({ address: hsm.bankAddress });
    const block = await blockNumber();
    const uri = (object: string, token: string = TOKENS.bank) => `pkcs11:token=${token};object=${object}`;
    const cases: [Promise<Run>, RegExp][] = [
      [
        f.cliWith({ CLEARHOUSE_PKCS11_PIN: "0000" })("--key", hsm.bank, "batch", "submit", file),
        /^error: Token "ch-bank": wrong PIN \(CKR_PIN_INCORRECT\)\.$/,
      ],
      [
        f.cliWith({ CLEARHOUSE_PKCS11_PIN: "" })("--key", hsm.bank, "batch", "submit", file),
        /^error: Token "ch-bank": no PIN \(CLEARHOUSE_PKCS11_PIN is not set and there is no terminal to ask on\)\.$/,
      ],
      [
        f.cli("--key", uri("cli-bank", "no-such-token"), "batch", "submit", file),
        /^error: No PKCS#11 token "no-such-token" \(tokens present: .*"ch-bank".*\)\.$/,
      ],
      [
        f.cli("--key", uri("ghost"), "batch", "submit", file),
        /^error: Token "ch-bank" holds no private key "ghost"\.$/,
      ],
      [
        f.cli("--key", uri("cli-p256"), "batch", "submit", file),
        /^error: Key "cli-p256" is a P-256 \(prime256v1\) key, not secp256k1: .*OID 1\.3\.132\.0\.10\)\.$/,
      ],
      [
        f.cli("--key", "pkcs11:token=ch-bank;object=cli bank", "batch", "submit", file),
        /^error: Malformed PKCS#11 URI "pkcs11:token=ch-bank;object=cli bank": it holds a space or '#'/,
      ],
      [
        f.cli("--key", "token=ch-bank;object=cli-bank", "batch", "submit", file),
        /^error: Malformed PKCS#11 URI "token=ch-bank;object=cli-bank": it does not start with "pkcs11:"\.$/,
      ],
      [
        f.cliWith({ CLEARHOUSE_PKCS11_MODULE: "/nonexistent/libpkcs11.so" })(
          "--key",
          uri("x"),
          "batch",
          "submit",
          file,
        ),
        /^error: PKCS#11 module \/nonexistent\/libpkcs11\.so does not exist\.$/,
      ],
      [
        f.cli("--key", hsm.bank, "--key-file", f.keyFile(2), "batch", "submit", file),
        /^error: Both --key and --key-file name a signing key\.$/,
      ],
    ];
    for (const [running, message] of cases) {
      const r = await running;
      expectFailure(r, ExitCode.badInput, message);
      expect(r.err.trim().split("\n"), r.err).to.have.length(2); // the line and its hint
    }
    expect(await f.gov.context.publicClient.getTransactionCount({ address: hsm.bankAddress })).to.equal(nonce);
    expect(await blockNumber()).to.equal(block);
    const json = await f.cliWith({ CLEARHOUSE_PKCS11_PIN: "0000" })(
      "--json",
      "--key",
      hsm.bank,
      "batch",
      "submit",
      file,
    );
    expect(json.code).to.equal(ExitCode.badInput);
    expect(JSON.parse(json.out).error).to.deep.include({ name: "Pkcs11PinError", category: "input", exitCode: 2 });
  });

  it("a multisig signer signs a proposal offline with its HSM key; the multisig accepts the signature", async () => {
    const { cli, dir, keyFile } = await loadFixture(governanceFixture);
    const proposal = join(dir, "p.json");
    const proposed = await cli(
      ...[
        "gov",
        "propose",
        "--target",
        "registry",
        "--call",
        "suspendMember",
        "--args",
        JSON.stringify([key(3).address]),
      ],
      ...["--description", "Suspend", "--out", proposal],
    );
    expect(proposed.code, proposed.err).to.equal(ExitCode.ok);
    const hsmSig = join(dir, "sig-hsm.json");
    // offline: no node answers this RPC URL
    const offline = runner(join(dir, "deployment.json"), { CLEARHOUSE_RPC_URL: "http://127.0.0.1:9" });
    const signed = await offline("gov", "sign", proposal, "--key", hsm.signer, "--out", hsmSig);
    expect(signed.code, signed.err).to.equal(ExitCode.ok);
    expect(signed.out).to.include(`signer    ${hsm.signerAddress}`);
    expect(JSON.parse(readFileSync(hsmSig, "utf8")).signer).to.equal(hsm.signerAddress);
    const sigs = [hsmSig];
    for (const i of [11, 12]) {
      const out = join(dir, `sig-${i}.json`);
      expect((await cli("gov", "sign", proposal, "--key-file", keyFile(i), "--out", out)).code).to.equal(ExitCode.ok);
      sigs.push(out);
    }
    const status = await cli("gov", "status", proposal, ...sigs);
    expect(status.out).to.match(/approvals\s+3 of 3/);
    await hre.network.provider.send("hardhat_setBalance", [key(16).address, ETH]);
    const queued = await cli("--key-file", keyFile(16), "gov", "queue", proposal, ...sigs);
    expect(queued.code, queued.err).to.equal(ExitCode.ok);
    expect(queued.out).to.match(/executable at \d{4}-/);
  });

  it("an attestor signs an attestation with its HSM key; the escrow records it", async () => {
    const f = await loadFixture(escrowFixture);
    const chainAhead = Number((await f.gov.context.publicClient.getBlock()).timestamp) - Math.floor(Date.now() / 1000);
    const validFor = `${Math.max(0, chainAhead) + 7_200}s`;
    writeFileSync(join(f.dir, "pod.txt"), "CMR 7781-22: 40 pallets delivered");
    const d = join(f.dir, "d.json");
    const delivered = await f.cli(
      ...["--key", hsm.attestor, "pay", "attest", "1", "1", "--kind", "delivered"],
      ...["--evidence", join(f.dir, "pod.txt"), "--out", d, "--valid-for", validFor],
    );
    expect(delivered.code, delivered.err).to.equal(ExitCode.ok);
    expect(delivered.out).to.match(
      new RegExp(`Signed "delivered" for agreement 1 milestone 1 as ${hsm.attestorAddress}`),
    );
    const a = join(f.dir, "a.json");
    const qa = await f.cli(
      ...["--key-file", f.keyFile(11), "pay", "attest", "1", "1", "--kind", "accepted", "--evidence", "QA ok"],
      ...["--out", a, "--valid-for", validFor],
    );
    expect(qa.code, qa.err).to.equal(ExitCode.ok);
    const baltic = f.keyFile(BANK_INDEX.baltic);
    const submitted = await f.cli("--key-file", baltic, "pay", "submit", d, a);
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
    const status = await f.cli("pay", "status", "1");
    expect(status.out).to.match(/✓ delivered attested by 1 of 1 needed \(by 0x\w+…\)/);
  });
});

describe("CLI --key routing and precedence (no token needed)", () => {
  const names = ["batch", "gov", "regulator"];
  it("leaves --key to the program unless the command has its own", async () => {
    const { buildProgram } = await import("../../packages/cli/src/main");
    const { routeKeyArgs } = await import("../../packages/cli/src/keyOption");
    const io = { out: () => undefined, err: () => undefined, env: {} };
    const program = await buildProgram(io, [], { all: true });
    const commands = program.commands.filter((c) => names.includes(c.name()));
    const uri = "pkcs11:token=t;object=k";
    expect(routeKeyArgs(commands, ["gov", "sign", "p.json", "--key", uri])).to.deep.equal([
      "gov",
      "sign",
      "p.json",
      "--key",
      uri,
    ]);
    expect(
      routeKeyArgs(commands, ["--key", "x", "batch", "build", "in.json", "--key", "K", "--key", uri]),
    ).to.deep.equal(["--signer-key", "x", "batch", "build", "in.json", "--key", "K", "--signer-key", uri]);
    expect(
      routeKeyArgs(commands, ["batch", "--key", uri, "build", `--key=${uri}`, "--key=K", "--", "--key", uri]),
    ).to.deep.equal(["batch", "--signer-key", uri, "build", `--signer-key=${uri}`, "--key=K", "--", "--key", uri]);
    expect(routeKeyArgs(commands, ["regulator", "split", "--key", "reg.json"])).to.deep.equal([
      "regulator",
      "split",
      "--key",
      "reg.json",
    ]);
  });

  it("takes the signing key from one level: a flag, else the environment, else the settings file", async () => {
    const { resolveGlobals } = await import("../../packages/cli/src/options");
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-keylevel-"));
    const file = join(dir, "clearhouse.yaml");
    writeFileSync(file, "key: pkcs11:token=f;object=k\n");
    const io = (env: Record<string, string>) => ({ out: () => undefined, err: () => undefined, env });
    expect(resolveGlobals({ configFile: file }, io({}))).to.deep.include({ key: "pkcs11:token=f;object=k" });
    const byEnv = resolveGlobals({ configFile: file }, io({ CLEARHOUSE_KEY_FILE: "a.key" }));
    expect(byEnv).to.deep.include({ keyFile: "a.key" });
    expect(byEnv.key).to.equal(undefined);
    const byFlag = resolveGlobals(
      { configFile: file, keyFile: "b.key" },
      io({ CLEARHOUSE_KEY: "pkcs11:token=e;object=k" }),
    );
    expect(byFlag).to.deep.include({ keyFile: "b.key" });
    expect(byFlag.key).to.equal(undefined);
    expect(resolveGlobals({}, io({ CLEARHOUSE_KEY: "pkcs11:token=e;object=k" })).key).to.equal(
      "pkcs11:token=e;object=k",
    );
  });
});
