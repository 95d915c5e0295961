import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeFunctionData } from "viem";
import { nettingEngineAbi, settlementTokenAbi } from "../../packages/contracts/src";
import { runCli } from "../../packages/cli/src/main";
import { ExitCode } from "../../packages/cli/src/exit";
import type { Deployment } from "../../packages/contracts/src/deployment";
import hre from "hardhat";
import { MIN_DELAY, SENSITIVE_DELAY, governanceFixture } from "../sdk/governanceFixture";
import { cliRunner, hardhatKey, jsonResult, type Run } from "./harness";

const run = promisify(execFile);
const HARDHAT_KEYS_FIRST = 10; // signers are Hardhat accounts 10–14

async function cliFixture() {
  const f = await governanceFixture();
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-"));
  const deployment = join(dir, "deployment.json");
  writeFileSync(deployment, JSON.stringify(f.deployment));
  const keyFile = async (i: number) => {
    const path = join(dir, `signer${i}.key`);
    writeFileSync(path, hardhatKey(HARDHAT_KEYS_FIRST + i));
    return path;
  };
  const relayer = join(dir, "relayer.key");
  writeFileSync(relayer, hardhatKey(16));
  const cli = cliRunner(deployment);
  return { ...f, dir, deployment, keyFile, relayer, cli };
}

/** `gov propose` of a suspendMember(bank) proposal written to `out`. */
const proposeSuspend = (cli: (...argv: string[]) => Promise<Run>, bank: string, out: string) =>
  cli(
    "gov",
    "propose",
    "--target",
    "registry",
    "--call",
    "suspendMember",
    "--args",
    JSON.stringify([bank]),
    "--description",
    "Suspend",
    "--out",
    out,
  );

describe("clearhouse gov (CLI against the in-process chain)", () => {
  it("runs the offline signing flow end to end, with human and --json output", async () => {
    const { cli, dir, keyFile, relayer, bank } = await loadFixture(cliFixture);
    const proposal = join(dir, "p.json");
    const proposed = await cli(
      "--json",
      "gov",
      "propose",
      "--target",
      "registry",
      "--call",
      "setLimits",
      "--args",
      JSON.stringify([bank, "250", "2500"]),
      "--lane",
      "3",
      "--description",
      "Raise Gov Bank's limits",
      "--out",
      proposal,
    );
    expect(proposed.code, proposed.err).to.equal(ExitCode.ok);
    const result = JSON.parse(proposed.out) as { ok: boolean; result: { hash: string; file: string } };
    expect(result.ok).to.equal(true);
    expect(result.result.file).to.equal(proposal);
    const sigs: string[] = [];
    for (const i of [4, 1, 0]) {
      const out = join(dir, `sig${i}.json`);
      const signed = await cli("gov", "sign", proposal, "--key-file", await keyFile(i), "--out", out);
      expect(signed.code, signed.err).to.equal(ExitCode.ok);
      expect(signed.out).to.include(`hash      ${result.result.hash}`);
      expect(signed.out).to.match(
        /Call: +setLimits\(account "0x[0-9a-fA-F]{40}", maxSingleTransfer 2\.50 gEUR \[250\], maxDailyOutflow 25\.00 gEUR \[2500\]\)/,
      );
      expect(signed.out).to.match(/Amounts: +in gEUR, 2 decimals \(from the deployment .*deployment\.json\)/);
      expect(signed.out).to.match(/Authority: multisig 0x[0-9a-fA-F]{40} on chain 31337/);
      sigs.push(out);
    }
    const status = await cli("gov", "status", proposal, ...sigs);
    expect(status.out).to.match(/state\s+ready-to-queue/);
    expect(status.out).to.match(/approvals\s+3 of 3/);
    const queued = await cli("--key-file", relayer, "gov", "queue", proposal, ...sigs);
    expect(queued.code, queued.err).to.equal(ExitCode.ok);
    expect(queued.out).to.match(/executable at \d{4}-/);
    const early = await cli("--key-file", relayer, "gov", "execute", proposal);
    expect(early.code).to.equal(ExitCode.refusedByChain);
    expect(early.err).to.match(/^error: MultisigTimelocked: proposal 0x.{4}….{4} is timelocked until/);
    expect(early.err).not.to.match(/\n\s+at /); // no stack trace without --verbose
    await time.increase(MIN_DELAY);
    const executed = await cli("--key-file", relayer, "--json", "gov", "execute", proposal);
    expect(executed.code, executed.err).to.equal(ExitCode.ok);
    const statusJson = JSON.parse((await cli("--json", "gov", "status", proposal)).out) as {
      result: { state: string; lane: string; nonce: string; laneNonce: string };
    };
    expect(statusJson.result).to.deep.include({ state: "executed", lane: "3", nonce: "0", laneNonce: "1" });
    const info = await cli("gov", "info");
    expect(info.out).to.match(/3-of-5/);
  });

  it("targets every governed contract by its short name: --target ledger runs end to end, escrow decodes", async () => {
    const { cli, dir, keyFile, relayer, deployment: path } = await loadFixture(cliFixture);
    const deployment = JSON.parse(readFileSync(path, "utf8")) as Deployment;
    const propose = (target: string, call: string, args: unknown[], out: string) =>
      cli(
        ...["--json", "gov", "propose", "--target", target, "--call", call, "--args", JSON.stringify(args)],
        ...["--lane", "4", "--description", `${target}.${call}`, "--out", out],
      );
    const ack = join(dir, "ack.json");
    const proposed = await propose("ledger", "setAckWindow", [7200], ack);
    const file = jsonResult<{ proposal: { typedData: { message: { target: string } } } }>(proposed);
    expect(file.proposal.typedData.message.target).to.equal(deployment.contracts.SettlementLedger!.proxy);
    const sigs: string[] = [];
    for (const i of [0, 2, 4]) {
      const out = join(dir, `ack${i}.json`);
      const signed = await cli("gov", "sign", ack, "--key-file", await keyFile(i), "--out", out);
      expect(signed.code, signed.err).to.equal(ExitCode.ok);
      expect(signed.out).to.match(/Call: +setAckWindow\(ackWindow 7200\)/);
      sigs.push(out);
    }
    expect((await cli("--key-file", relayer, "gov", "queue", ack, ...sigs)).code).to.equal(ExitCode.ok);
    await time.increase(SENSITIVE_DELAY);
    const executed = await cli("--key-file", relayer, "gov", "execute", ack);
    expect(executed.code, executed.err).to.equal(ExitCode.ok);
    const ledger = await hre.ethers.getContractAt("SettlementLedger", deployment.contracts.SettlementLedger!.proxy);
    expect(await ledger.ackWindow()).to.equal(7200n);

    // The escrow (like the ledger, engine and verifier registry) was no --target before the manifest.
    const escrow = join(dir, "escrow.json");
    const verifiers = deployment.contracts.VerifierRegistry!.proxy;
    const wired = jsonResult<{ proposal: { typedData: { message: { target: string } } } }>(
      await propose("escrow", "setVerifierRegistry", [verifiers], escrow),
    );
    expect(wired.proposal.typedData.message.target).to.equal(deployment.contracts.ConditionalEscrow!.proxy);
    const signed = await cli("gov", "sign", escrow, "--key-file", await keyFile(1), "--out", join(dir, "e1.json"));
    expect(signed.out).to.include(`Call:      setVerifierRegistry(verifierRegistry "${verifiers}")`);
    const others = [
      ["engine", "NettingEngine", "pause", []],
      ["verifiers", "VerifierRegistry", "setConsumer", [verifiers, false]],
    ] as const;
    for (const [target, name, call, args] of others) {
      const r = jsonResult<{ proposal: { typedData: { message: { target: string } } } }>(
        await propose(target, call, [...args], join(dir, `${target}.json`)),
      );
      expect(r.proposal.typedData.message.target, target).to.equal(deployment.contracts[name]!.proxy);
    }
    const unknown = await cli(
      "gov",
      "propose",
      "--target",
      "vault",
      "--data",
      "0x",
      "--description",
      "d",
      "--out",
      escrow,
    );
    expect(unknown.code).to.equal(ExitCode.badInput);
    expect(unknown.err).to.match(
      /^error: --target vault is neither registry, token, ledger, engine, verifiers, escrow, offline or multisig nor an address\./,
    );
    const help = await cli("gov", "propose", "--help");
    expect(help.out).to.match(/--target ledger --call setAckWindow/);
  });

  it("skips a signature file from a non-signer with a warning when the others reach the threshold", async () => {
    const { cli, dir, keyFile, relayer, bank } = await loadFixture(cliFixture);
    const proposal = join(dir, "suspend.json");
    expect((await proposeSuspend(cli, bank, proposal)).code).to.equal(ExitCode.ok);
    const sign = async (key: string, out: string) => {
      const r = await cli("gov", "sign", proposal, "--key-file", key, "--out", join(dir, out));
      expect(r.code, r.err).to.equal(ExitCode.ok);
      return join(dir, out);
    };
    const outsider = await sign(relayer, "sig-outsider.json"); // Hardhat #16 is not a signer
    const sigs = [await sign(await keyFile(0), "sig-0.json"), await sign(await keyFile(1), "sig-1.json")];
    // two signers and an outsider: below the threshold once the outsider is skipped — nothing sent
    const short = await cli("--key-file", relayer, "gov", "queue", proposal, outsider, ...sigs);
    expect(short.code).to.equal(ExitCode.badInput);
    expect(short.err).to.match(/warning: skipping .*sig-outsider\.json: 0x[0-9a-fA-F]{40} is not a signer/);
    expect(short.err).to.match(/error: Only 2 of the signatures are by current signers; the multisig needs 3\./);
    sigs.push(await sign(await keyFile(2), "sig-2.json"));
    const queued = await cli("--key-file", relayer, "gov", "queue", proposal, outsider, ...sigs);
    expect(queued.code, queued.err).to.equal(ExitCode.ok);
    expect(queued.err).to.match(/warning: skipping .*sig-outsider\.json/);
    expect(queued.out).to.match(/^Queued 0x[0-9a-f]{64}/);
  });

  it("burns a stuck lane with a signed cancel file", async () => {
    const { cli, dir, keyFile, relayer } = await loadFixture(cliFixture);
    const cancel = join(dir, "cancel.json");
    expect((await cli("gov", "cancel", "--lane", "9", "--out", cancel)).code).to.equal(ExitCode.ok);
    const sigs = [];
    for (const i of [0, 2, 3]) {
      const out = join(dir, `c${i}.json`);
      await cli("gov", "sign", cancel, "--key-file", await keyFile(i), "--out", out);
      sigs.push(out);
    }
    const done = await cli("--key-file", relayer, "gov", "execute", cancel, ...sigs);
    expect(done.code, done.err).to.equal(ExitCode.ok);
    expect(done.out).to.match(/^Cancelled lane nonce with 0x/);
    expect((await cli("gov", "status", cancel)).out).to.match(/lane is at 1/);
  });

  it("exits 2 with one line for bad input and 4 for an unreachable node", async () => {
    const { cli, dir, keyFile, deployment } = await loadFixture(cliFixture);
    const missing = await cli("gov", "propose", "--target", "registry", "--out", join(dir, "x.json"));
    expect(missing.code).to.equal(ExitCode.badInput);
    expect(missing.err).to.match(/required option '--description <text>' not specified/);
    const badArgs = await cli(
      "gov",
      "propose",
      "--target",
      "registry",
      "--call",
      "setLimits",
      "--args",
      "[1,",
      "--description",
      "d",
      "--out",
      join(dir, "x.json"),
    );
    expect(badArgs.code).to.equal(ExitCode.badInput);
    expect(badArgs.err).to.match(/^error: --args is not JSON/);
    const wrongArity = await cli(
      "gov",
      "propose",
      "--target",
      "registry",
      "--call",
      "setLimits",
      "--args",
      "[1]",
      "--description",
      "d",
      "--out",
      join(dir, "x.json"),
    );
    expect(wrongArity.err).to.match(/setLimits\(address,uint128,uint128\) takes 3 arguments, not 1/);
    const unknownFn = await cli(
      "gov",
      "propose",
      "--target",
      "token",
      "--call",
      "steal",
      "--description",
      "d",
      "--out",
      join(dir, "x.json"),
    );
    expect(unknownFn.code).to.equal(ExitCode.badInput);
    expect(unknownFn.err).to.match(/SettlementToken has no function steal/);
    const noKey = await cli("gov", "sign", join(dir, "nothing.json"));
    expect(noKey.code).to.equal(ExitCode.badInput);
    writeFileSync(join(dir, "junk.json"), "{ nope");
    const junk = await cli("gov", "sign", join(dir, "junk.json"), "--key-file", await keyFile(0));
    expect(junk.err).to.match(/junk\.json: is not valid JSON/);
    const outsiderKey = join(dir, "outsider.key");
    writeFileSync(outsiderKey, generatePrivateKey());
    const notSigner = await cli("--key-file", outsiderKey, "gov", "approve", join(dir, "junk.json"));
    expect(notSigner.code).to.equal(ExitCode.badInput);
    let out = "";
    let err = "";
    const unreachable = await runCli(["--deployment", deployment, "--rpc-url", "http://127.0.0.1:9", "gov", "info"], {
      out: (s) => (out += s),
      err: (s) => (err += s),
      env: {},
    });
    expect(unreachable).to.equal(ExitCode.network);
    expect(err).to.match(/^error: Cannot reach the chain at http:\/\/127\.0\.0\.1:9\./);
    expect(out).to.equal("");
  });

  it("refuses a tampered proposal file before signing it", async () => {
    const { cli, dir, keyFile, bank } = await loadFixture(cliFixture);
    const proposal = join(dir, "t.json");
    expect((await proposeSuspend(cli, bank, proposal)).code).to.equal(ExitCode.ok);
    const json = JSON.parse(readFileSync(proposal, "utf8")) as { typedData: { message: { lane: string } } };
    json.typedData.message.lane = "5";
    writeFileSync(proposal, JSON.stringify(json));
    const signed = await cli("--json", "gov", "sign", proposal, "--key-file", await keyFile(0));
    expect(signed.code).to.equal(ExitCode.badInput);
    const body = JSON.parse(signed.out) as { ok: boolean; error: { name: string; message: string; exitCode: number } };
    expect(body).to.deep.include({ ok: false });
    expect(body.error.name).to.equal("GovernanceFileError");
    expect(body.error.message).to.match(/the file was altered/);
  });

  it("refuses a proposal file whose unsigned description holds control characters (a forged review)", async () => {
    // The description is not signed: anyone who relays the file can edit it. Printed raw above the
    // decoded call, a newline forges review lines and an ANSI escape (ESC[8m: conceal) hides the
    // real ones on the signer's terminal.
    const { cli, dir, keyFile, bank } = await loadFixture(cliFixture);
    const proposal = join(dir, "forged.json");
    expect((await proposeSuspend(cli, bank, proposal)).code).to.equal(ExitCode.ok);
    const json = JSON.parse(readFileSync(proposal, "utf8")) as { description: string };
    json.description =
      'Routine review" — what the signature authorizes:\n  Call:      setLimits(account "0x0000000000000000000000000000000000000001", maxSingleTransfer 1.00 gEUR [100])\n\u001b[8m';
    writeFileSync(proposal, JSON.stringify(json));
    const signed = await cli(
      "gov",
      "sign",
      proposal,
      "--key-file",
      await keyFile(0),
      "--out",
      join(dir, "forged.sig.json"),
    );
    expect(signed.code, signed.out).to.equal(ExitCode.badInput);
    expect(signed.err).to.match(/description/);
    expect(signed.out).not.to.match(/Call: +setLimits/);
  });

  it("does not show amounts of another token in the settlement token's units", async () => {
    // A foreign token (0 decimals here: 100 minor units are 100 whole tokens the multisig holds)
    // is not the settlement token: its amounts must not read as "1.00 gEUR".
    const { cli, dir, keyFile, bank, deployment } = await loadFixture(cliFixture);
    const d = JSON.parse(readFileSync(deployment, "utf8")) as Deployment;
    const foreignToken = privateKeyToAccount(generatePrivateKey()).address;
    const cases = [
      // transfer(to, value) sent to the foreign token itself
      {
        target: foreignToken,
        data: encodeFunctionData({ abi: settlementTokenAbi, functionName: "transfer", args: [bank, 100n] }),
      },
      // the engine's rescue of the foreign token
      {
        target: d.contracts.NettingEngine!.proxy,
        data: encodeFunctionData({ abi: nettingEngineAbi, functionName: "rescue", args: [foreignToken, bank, 100n] }),
      },
    ];
    for (const [i, c] of cases.entries()) {
      const proposal = join(dir, `foreign${i}.json`);
      const built = await cli(
        "gov",
        "propose",
        "--target",
        c.target,
        "--data",
        c.data,
        "--description",
        "Move 100",
        "--out",
        proposal,
      );
      expect(built.code, built.err).to.equal(ExitCode.ok);
      const signed = await cli(
        "gov",
        "sign",
        proposal,
        "--key-file",
        await keyFile(0),
        "--out",
        join(dir, `foreign${i}.sig.json`),
      );
      expect(signed.code, signed.err).to.equal(ExitCode.ok);
      expect(signed.out).to.match(/Call: /);
      expect(signed.out, signed.out).not.to.match(/1\.00 gEUR/);
      expect(signed.out).to.match(
        i === 0
          ? /Target: +0x[0-9a-fA-F]{40} — NOT a contract of the deployment: review the call yourself/
          : /Target: +0x[0-9a-fA-F]{40} \(NettingEngine\)/,
      );
    }
  });

  it("warns a signer whose deployment file is for another chain or multisig than the proposal", async () => {
    // The signer keeps the consortium's deployment (here: its production chain, id 1); the file they
    // are handed is for another chain's multisig (31337) where the same key is a signer. gov sign
    // signs it like any other, saying only "Authority: … on chain 31337" at the very end.
    const { cli, dir, keyFile, bank, deployment } = await loadFixture(cliFixture);
    const proposal = join(dir, "other-chain.json");
    expect((await proposeSuspend(cli, bank, proposal)).code).to.equal(ExitCode.ok);
    const production = join(dir, "production.json");
    writeFileSync(
      production,
      JSON.stringify({ ...(JSON.parse(readFileSync(deployment, "utf8")) as Deployment), chainId: 1 }),
    );
    const signed = await cliRunner(production)(
      "gov",
      "sign",
      proposal,
      "--key-file",
      await keyFile(0),
      "--out",
      join(dir, "oc.sig.json"),
    );
    expect(signed.out + signed.err).to.match(
      /not (for )?(the|your) deployment|another (chain|multisig)|does not match/i,
    );
  });

  it("works as a real process: --help and offline signing need no node", async function () {
    this.timeout(60_000);
    const { dir, keyFile, bank, cli } = await loadFixture(cliFixture);
    const bin = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");
    const help = await run("node", [bin, "gov", "sign", "--help"]);
    expect(help.stdout).to.match(/Example \(on an air-gapped machine\)/);
    const proposal = join(dir, "offline.json");
    expect((await proposeSuspend(cli, bank, proposal)).code).to.equal(ExitCode.ok);
    const out = join(dir, "offline.sig.json");
    const signed = await run("node", [bin, "gov", "sign", proposal, "--key-file", await keyFile(2), "--out", out], {
      env: { ...process.env, CLEARHOUSE_RPC_URL: "http://127.0.0.1:9" }, // unreachable: signing must not need it
    });
    expect(signed.stdout).to.match(/Signed "Suspend"/);
    const sig = JSON.parse(readFileSync(out, "utf8")) as { signer: string };
    expect(sig.signer).to.equal(privateKeyToAccount(hardhatKey(12) as `0x${string}`).address);
    const bad = await run("node", [bin, "gov", "sign", proposal]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).to.deep.include({ code: ExitCode.badInput });
    expect((bad as { stderr: string }).stderr).to.match(/^error: No signing key\./);
  });
});
