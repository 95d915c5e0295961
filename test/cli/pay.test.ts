/**
 * `clearhouse pay`: a purchase order from a template, attested offline (each kind by its own
 * attestor, before the signature's deadline), released; cancel consents and their revocation; bad input.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import { leiWithCheckDigits, Role } from "../../packages/sdk/src";
import { key } from "../sdk/fixture";
import { BANK_INDEX, settlementFixture } from "../sdk/settlementFixture";
import { cliWorkspace, expectFailure, jsonResult } from "./harness";

const run = promisify(execFile);
const BIN = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");

async function cliFixture() {
  const f = await settlementFixture();
  // The carrier (key 10) and the buyer's QA (key 11) sign offline; the escrow screens them as members.
  for (const i of [10, 11]) {
    await f.gov.registry.admitMember({
      account: key(i).address,
      roles: Role.CORPORATE,
      lei: leiWithCheckDigits(`5493000ATTEST${i}000`),
      name: `Attestor ${i}`,
      maxSingleTransfer: 1n,
      maxDailyOutflow: 1n,
    });
  }
  const ws = cliWorkspace(f.deployment, "pay");
  const sets = [
    "reference=PO-2026-118",
    `supplier=${f.addr.baltic}`,
    `arbiter=${f.addr.danube}`,
    `carrier=${key(10).address}`,
    `buyer_qa=${key(11).address}`,
    "deposit=2500.00",
    "balance=7500.00",
  ].flatMap((s) => ["--set", s]);
  return { ...f, ...ws, sets };
}

describe("CLI pay", function () {
  this.timeout(120_000);

  it("lists the templates and shows a dry run without sending", async () => {
    const { cli, sets } = await loadFixture(cliFixture);
    const t = await cli("--json", "pay", "templates");
    expect(JSON.parse(t.out).result).to.include("purchase-order");
    const dry = await cli("pay", "create", "purchase-order", ...sets, "--dry-run");
    expect(dry.code, dry.err).to.equal(ExitCode.ok);
    expect(dry.out).to.match(/Purchase order PO-2026-118: 10,000.00 in 2 milestones \(not sent\)/);
  });

  it("fund: allows the escrow an amount in currency units (10,000.00 is 1,000,000 minor units)", async () => {
    const f = await loadFixture(cliFixture);
    const funded = await f.cli("--key-file", f.keyFile(BANK_INDEX.alpine), "pay", "fund", "--amount", "10000.00");
    expect(funded.code, funded.err).to.equal(ExitCode.ok);
    const escrow = f.gov.deployment.contracts.ConditionalEscrow!.proxy;
    const allowance = await f.gov.token.getAllowance({ owner: f.addr.alpine, spender: escrow });
    expect(allowance).to.equal(1_000_000n);
    const bad = await f.cli("--key-file", f.keyFile(BANK_INDEX.alpine), "pay", "fund", "--amount", "12.345");
    expect(bad.code).to.not.equal(ExitCode.ok);
    expect(bad.err).to.include("more than 2 decimal places");
  });

  it("create → release deposit → offline attestations → submit → release balance → status", async () => {
    const f = await loadFixture(cliFixture);
    const { cli, keyFile, sets, dir } = f;
    const alpine = keyFile(BANK_INDEX.alpine);
    const created = await cli("--json", "--key-file", alpine, "pay", "create", "purchase-order", ...sets);
    expect(created.code, created.err).to.equal(ExitCode.ok);
    expect(JSON.parse(created.out).result.agreementId).to.equal("1");
    expect((await cli("--key-file", keyFile(BANK_INDEX.celtic), "pay", "release", "1", "0")).code).to.equal(
      ExitCode.ok,
    );

    const early = await cli("--key-file", keyFile(BANK_INDEX.celtic), "pay", "release", "1", "1");
    expect(early.code).to.equal(ExitCode.refusedByChain);
    expect(early.err).to.match(/does not hold yet/);

    writeFileSync(join(dir, "pod.txt"), "CMR 7781-22: 40 pallets delivered");
    // Offline signers count from their own clock; earlier tests moved this chain's clock ahead of it.
    const chainAhead = Number((await f.gov.context.publicClient.getBlock()).timestamp) - Math.floor(Date.now() / 1000);
    const validFor = `${Math.max(0, chainAhead) + 7_200}s`;
    // Offline: the carrier signs with only the deployment file and its key; the RPC is unreachable.
    const signed = await run(
      "node",
      [
        BIN,
        "--deployment",
        f.deployment,
        "--key-file",
        keyFile(10),
        "pay",
        "attest",
        "1",
        "1",
        "--kind",
        "delivered",
        "--evidence",
        join(dir, "pod.txt"),
        "--out",
        join(dir, "d.json"),
        "--valid-for",
        validFor,
      ],
      { env: { ...process.env, CLEARHOUSE_RPC_URL: "http://127.0.0.1:9" } },
    );
    expect(signed.stdout).to.match(/Signed "delivered" for agreement 1 milestone 1 as 0x\w+, submittable until \d{4}-/);
    // The carrier cannot attest acceptance too: the template binds it to the buyer's QA.
    const overreach = await cli(
      "--key-file",
      keyFile(10),
      "pay",
      "attest",
      "1",
      "1",
      "--kind",
      "accepted",
      "--evidence",
      "x",
    );
    expect(overreach.code).to.equal(ExitCode.refusedByChain);
    expect(overreach.err).to.match(/may not attest "accepted" for milestone 1 of agreement 1/);
    const qa = await cli(
      "--key-file",
      keyFile(11),
      "pay",
      "attest",
      "1",
      "1",
      "--kind",
      "accepted",
      "--evidence",
      "QA ok",
      "--out",
      join(dir, "a.json"),
      "--valid-for",
      validFor,
    );
    expect(qa.code, qa.err).to.equal(ExitCode.ok);
    const baltic = keyFile(BANK_INDEX.baltic);
    const submitted = await cli("--key-file", baltic, "pay", "submit", join(dir, "d.json"), join(dir, "a.json"));
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
    expect((await cli("--key-file", baltic, "pay", "release", "1", "1")).code).to.equal(ExitCode.ok);
    const status = await cli("pay", "status", "1");
    expect(status.out).to.match(/Agreement 1: Closed, total 10,000.00, released 10,000.00/);
    expect(status.out).to.match(
      /✓ delivered attested by 1 of 1 needed \(by 0x\w+…\); ✓ accepted attested by 1 of 1 needed/,
    );
  });

  it("submit is idempotent: only what the escrow has not recorded is sent, a conflict is refused", async () => {
    const f = await loadFixture(cliFixture);
    const { cli, keyFile, sets, dir } = f;
    expect(
      (await cli("--key-file", keyFile(BANK_INDEX.alpine), "pay", "create", "purchase-order", ...sets)).code,
    ).to.equal(ExitCode.ok);
    const chainAhead = Number((await f.gov.context.publicClient.getBlock()).timestamp) - Math.floor(Date.now() / 1000);
    const validFor = `${Math.max(0, chainAhead) + 7_200}s`;
    const sign = async (signer: number, kind: string, evidence: string, file: string) => {
      const r = await cli(
        "--key-file",
        keyFile(signer),
        "pay",
        "attest",
        "1",
        "1",
        "--kind",
        kind,
        "--evidence",
        evidence,
        "--out",
        join(dir, file),
        "--valid-for",
        validFor,
      );
      expect(r.code, r.err).to.equal(ExitCode.ok);
      return join(dir, file);
    };
    const pod = await sign(10, "delivered", "CMR 7781-22", "pod.json");
    const qa = await sign(11, "accepted", "QA ok", "qa.json");
    const otherPod = await sign(10, "delivered", "CMR 7781-23", "pod-other.json");
    const baltic = keyFile(BANK_INDEX.baltic);
    const nonce = () => f.gov.context.publicClient.getTransactionCount({ address: f.addr.baltic });
    const submit = (...argv: string[]) => cli("--key-file", baltic, ...argv);

    // Two different attestations by one attestor of one kind: the escrow would keep only one.
    let n = await nonce();
    const twice = await submit("pay", "submit", pod, otherPod);
    expect(twice.code).to.equal(ExitCode.badInput);
    expect(twice.err).to.match(
      /two attestations by 0x\w+ of "delivered" for milestone 1 of agreement 1 with different/,
    );
    expect(await nonce()).to.equal(n);

    const first = jsonResult<{ sent: { files: string[]; tx: { hash: string; blockNumber: string } }[] }>(
      await submit("--json", "pay", "submit", pod),
    );
    expect(first.sent.map((s) => s.files)).to.deep.equal([[pod]]);
    const podTx = first.sent[0].tx;

    // A partly submitted set: only the missing attestation is sent, in one transaction.
    n = await nonce();
    const partial = jsonResult<{
      sent: { files: string[]; signers: string[]; kind: string }[];
      skipped: { file: string; reason: string; blockNumber: string; transactionHash: string }[];
    }>(await submit("--json", "pay", "submit", pod, qa));
    expect(await nonce()).to.equal(n + 1);
    expect(partial.sent).to.have.length(1);
    expect(partial.sent[0]).to.deep.include({ files: [qa], signers: [key(11).address], kind: "accepted" });
    expect(partial.skipped).to.deep.equal([
      {
        file: pod,
        signer: key(10).address,
        agreementId: "1",
        milestone: 1,
        kind: "delivered",
        reason: "recorded",
        blockNumber: podTx.blockNumber,
        transactionHash: podTx.hash,
      },
    ]);

    // The same files again: nothing is sent, and the output says where each was recorded.
    n = await nonce();
    const again = await submit("pay", "submit", pod, qa);
    expect(again.code, again.err).to.equal(ExitCode.ok);
    expect(await nonce()).to.equal(n);
    const lines = again.out.trim().split("\n");
    expect(lines[0]).to.equal(
      `${pod}: already recorded (block ${podTx.blockNumber}, tx ${podTx.hash}), "delivered" by ${key(10).address} for agreement 1 milestone 1`,
    );
    expect(lines[1]).to.match(/qa\.json: already recorded \(block \d+, tx 0x[0-9a-f]{64}\), "accepted"/);
    expect(lines[2]).to.equal("Nothing sent: all 2 attestations are already recorded.");

    // Other evidence than the escrow recorded for that attestor and kind: refused, nothing sent.
    const conflict = await submit("pay", "submit", otherPod);
    expectFailure(
      conflict,
      ExitCode.refusedByChain,
      /already attested "delivered" for milestone 1 of agreement 1 with evidence 0x\w+ \(block \d+, tx 0x\w+\), not 0x\w+; nothing was sent/,
    );
    expect(await nonce()).to.equal(n);

    // Still nothing to send once the milestone is paid and the agreement closed.
    expect((await submit("pay", "release", "1", "0")).code).to.equal(ExitCode.ok);
    expect((await submit("pay", "release", "1", "1")).code).to.equal(ExitCode.ok);
    n = await nonce();
    const closed = await submit("pay", "submit", qa);
    expect(closed.code, closed.err).to.equal(ExitCode.ok);
    expect(closed.out).to.match(/Nothing sent: the attestation is already recorded\./);
    expect(await nonce()).to.equal(n);
  });

  it("cancel: a consent for a while, revoked; the cancellation needs live consents", async () => {
    const { cli, keyFile, sets } = await loadFixture(cliFixture);
    const alpine = keyFile(BANK_INDEX.alpine);
    const baltic = keyFile(BANK_INDEX.baltic);
    expect((await cli("--key-file", alpine, "pay", "create", "purchase-order", ...sets)).code).to.equal(ExitCode.ok);
    const given = await cli("--key-file", baltic, "pay", "cancel", "1", "--valid-for", "1d");
    expect(given.code, given.err).to.equal(ExitCode.ok);
    expect(given.out).to.match(/Consent to cancel agreement 1 recorded until \d{4}-/);
    const revoked = await cli("--key-file", baltic, "pay", "cancel", "1", "--revoke");
    expect(revoked.code, revoked.err).to.equal(ExitCode.ok);
    const again = await cli("--key-file", baltic, "pay", "cancel", "1", "--revoke");
    expect(again.code).to.equal(ExitCode.refusedByChain);
    expect(again.err).to.match(/has no live cancel consent on agreement 1/);
    await cli("--key-file", alpine, "pay", "cancel", "1");
    expect((await cli("pay", "status", "1")).out).to.match(/Agreement 1: Active/);
    // The deposit (releasable at once) is due to the supplier: the cancellation refunds only the balance.
    await cli("--key-file", baltic, "pay", "cancel", "1");
    expect((await cli("pay", "status", "1")).out).to.match(/Agreement 1: Active, .*released 0.00, refunded 7,500.00/);
    expect((await cli("--key-file", baltic, "pay", "release", "1", "0")).code).to.equal(ExitCode.ok);
    expect((await cli("pay", "status", "1")).out).to.match(/Agreement 1: Closed/);
    const tooLong = await cli("--key-file", alpine, "pay", "cancel", "1", "--valid-for", "31d");
    expect(tooLong.code).to.equal(ExitCode.badInput);
  });

  it("bad input is exit 2 with the problem named; nothing is sent", async () => {
    const { cli, keyFile, sets } = await loadFixture(cliFixture);
    const alpine = keyFile(BANK_INDEX.alpine);
    const missing = await cli("--key-file", alpine, "pay", "create", "purchase-order", "--set", "reference=X");
    expect(missing.code).to.equal(ExitCode.badInput);
    expect(missing.err).to.match(/needs values for .*supplier/);
    const unknown = await cli("--key-file", alpine, "pay", "create", "no-such-template");
    expect(unknown.code).to.equal(ExitCode.badInput);
    expect(unknown.err).to.match(/neither a file nor a template/);
    const kind = await cli("--key-file", alpine, "pay", "attest", "1", "0", "--kind", "signed", "--evidence", "x");
    expect(kind.code).to.equal(ExitCode.badInput);
    expect(kind.err).to.match(/kind.*not one of delivered, accepted, invoice_approved/);
    const share = await cli("--key-file", alpine, "pay", "resolve", "1", "0", "--payee-share", "120%");
    expect(share.code).to.equal(ExitCode.badInput);
    const id = await cli("pay", "status", "abc");
    expect(id.code).to.equal(ExitCode.badInput);
    const amount = await cli(
      "--key-file",
      alpine,
      "pay",
      "create",
      "purchase-order",
      ...sets.map((s) => s.replace("deposit=2500.00", "deposit=25.001")),
    );
    expect(amount.code).to.equal(ExitCode.badInput);
    expect(amount.err).to.match(/amount/);
  });
});
