/**
 * The ceremony script on a tiny configuration (2^10, two members, amount_limit only, not
 * installed): interrupted by SIGKILL mid-way, a rerun skips the finished steps and completes; the
 * journal refuses a rerun with other options; `--add` merges into an installed transcript. The real
 * ceremony (2^16, four members) is never run by `npm test`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { mergeTranscript, phase1Of, type Transcript } from "../../scripts/ceremony/transcript";

const ROOT = join(__dirname, "..", "..");
const SCRIPT = join(ROOT, "scripts", "ceremony", "run.ts");
const TS_NODE = join(ROOT, "node_modules", "ts-node", "dist", "bin.js");

function ceremony(args: string[], killWhen?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    let out = "";
    const child = spawn(process.execPath, [TS_NODE, "--transpile-only", SCRIPT, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const onData = (d: Buffer) => {
      out += d.toString();
      if (killWhen && killWhen.test(out)) child.kill("SIGKILL");
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("ceremony script", function () {
  this.timeout(180_000);
  const work = join(mkdtempSync(join(tmpdir(), "ceremony-")), "work");
  const args = [
    "--power",
    "10",
    "--members",
    "alice,bob",
    "--circuits",
    "amount_limit",
    "--work",
    work,
    "--no-install",
  ];

  it("resumes after being killed mid-way, skipping what was done", async () => {
    const first = await ceremony([...args, "--fresh"], /\[ 6\/12\] phase 1: prepare phase 2/);
    expect(first.code, first.out).to.equal(null); // killed
    expect(first.out).to.match(/\[ 2\/12\] phase 1: contribution 1\/2 \(alice\) … [\d.]+ s/);
    const second = await ceremony(args);
    expect(second.code, second.out).to.equal(0);
    expect(second.out).to.match(/\[ 1\/12\] phase 1: new powers of tau.*done earlier .* skipped/);
    expect(second.out).to.match(/\[ 3\/12\] phase 1: contribution 2\/2 \(bob\) … done earlier/);
    expect(second.out).to.match(/Ceremony complete/);
    const transcript = JSON.parse(readFileSync(join(work, "transcript.json"), "utf8")) as {
      phase1: { contributions: { member: string; hash: string }[] };
      circuits: { amount_limit: { contributions: { member: string }[]; constraints: number } };
    };
    expect(transcript.phase1.contributions.map((c) => c.member)).to.deep.equal(["alice", "bob"]);
    expect(transcript.circuits.amount_limit.contributions.map((c) => c.member)).to.deep.equal(["alice", "bob"]);
    expect(existsSync(join(work, "circuits", "amount_limit", "amount_limit_final.zkey"))).to.equal(true);
    const again = await ceremony(args);
    expect(again.out.match(/done earlier/g)?.length).to.equal(12);
  });

  it("reruns a step whose input changed, and the steps that read what it wrote; keeps phase 1 for other circuits", async () => {
    const path = join(work, "journal.json");
    const journal = JSON.parse(readFileSync(path, "utf8")) as {
      config: string;
      steps: Record<string, { inputs?: Record<string, string> }>;
    };
    // As if alice's contribution had read another file; and as if it was run for another circuit list.
    const alice = journal.steps["amount_limit/contribute/alice"];
    const [input] = Object.keys(alice.inputs!);
    alice.inputs![input] = "0".repeat(64);
    journal.config = journal.config.replace('"circuits":["amount_limit"]', '"circuits":["kyc_membership"]');
    writeFileSync(path, JSON.stringify(journal));
    const rerun = await ceremony(args);
    expect(rerun.code, rerun.out).to.equal(0);
    expect(rerun.out).to.match(/phase 1: prepare phase 2.*done earlier/);
    expect(rerun.out).to.match(/amount_limit: groth16 setup … done earlier/);
    for (const step of ["contribution 1/2 \\(alice\\)", "contribution 2/2 \\(bob\\)", "beacon", "zkey verify"])
      expect(rerun.out).to.match(new RegExp(`amount_limit: ${step}[^\\n]* … [\\d.]+ s`));
    expect(rerun.out.match(/done earlier/g)?.length).to.equal(8);
  });

  it("--add merges the run's circuits into an existing transcript (--transcript), keeping its entries", async () => {
    const installed = join(work, "..", "installed.json");
    const own = JSON.parse(readFileSync(join(work, "transcript.json"), "utf8")) as Transcript;
    const before = { ...own, power: 16, phase1: { ...own.phase1, finalPtauSha256: "f".repeat(64) } };
    before.circuits = { other_circuit: { constraints: 1 } };
    writeFileSync(installed, JSON.stringify(before));
    const missing = await ceremony([...args, "--add", "--transcript", join(work, "..", "none.json")]);
    expect(missing.code).to.equal(1);
    expect(missing.out).to.match(/--add: there is no transcript/);
    expect(missing.out).to.not.match(/done earlier/); // refused before any step
    const added = await ceremony([...args, "--add", "--transcript", installed]);
    expect(added.code, added.out).to.equal(0);
    const after = JSON.parse(readFileSync(installed, "utf8")) as Transcript;
    expect(after.phase1).to.deep.equal(before.phase1);
    expect(after.circuits.other_circuit).to.deep.equal({ constraints: 1 });
    expect(after.circuits.amount_limit.phase1).to.deep.include({ power: 10 });
    expect(after.circuits.amount_limit.phase1?.finalPtauSha256).to.equal(own.phase1.finalPtauSha256);
    expect(after.circuits.amount_limit.contributions).to.deep.equal(own.circuits.amount_limit.contributions);
  });

  it("refuses to resume with other options unless --fresh", async () => {
    const other = await ceremony([
      "--power",
      "10",
      "--members",
      "alice,carol",
      "--circuits",
      "amount_limit",
      "--work",
      work,
      "--no-install",
    ]);
    expect(other.code).to.equal(1);
    expect(other.out).to.match(/records a ceremony with another configuration/);
  });
});

describe("ceremony --add: merging into an installed transcript", () => {
  const base = (): Transcript => ({
    format: "clearhouse.ceremony-transcript/1",
    curve: "bn128",
    power: 16,
    members: ["a", "b"],
    beacon: { hash: "00", iterationsExp: 10 },
    tools: { snarkjs: "0.7.6" },
    phase1: { contributions: [], beacon: "p1", finalPtauSha256: "ptau16", seconds: 1, prepareSeconds: 1 },
    circuits: { amount_limit: { constraints: 434 } },
  });

  it("keeps every installed entry; an added circuit on another phase 1 records it", () => {
    const run = { ...base(), power: 13, circuits: { kyc_tier: { constraints: 5429 } } };
    run.phase1 = { ...run.phase1, finalPtauSha256: "ptau13" };
    const merged = mergeTranscript(base(), run);
    expect(merged.phase1).to.deep.equal(base().phase1);
    expect(merged.circuits.amount_limit).to.deep.equal({ constraints: 434 });
    expect(merged.circuits.kyc_tier.phase1).to.deep.include({ power: 13, finalPtauSha256: "ptau13" });
    expect(phase1Of(merged, "kyc_tier").power).to.equal(13);
    expect(phase1Of(merged, "amount_limit").power).to.equal(16);
  });

  it("an added circuit on the same phase 1 gets a plain entry", () => {
    const merged = mergeTranscript(base(), { ...base(), circuits: { kyc_tier: { constraints: 5429 } } });
    expect(merged.circuits.kyc_tier).to.deep.equal({ constraints: 5429 });
  });

  it("refuses other members, another beacon or other tools", () => {
    expect(() => mergeTranscript(base(), { ...base(), members: ["a", "c"] })).to.throw(/members/);
    expect(() => mergeTranscript(base(), { ...base(), beacon: { hash: "01", iterationsExp: 10 } })).to.throw(/beacon/);
    expect(() => mergeTranscript(base(), { ...base(), tools: { snarkjs: "0.7.5" } })).to.throw(/tools/);
  });
});
