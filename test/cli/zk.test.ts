/** `clearhouse zk` and `clearhouse kyc`: the KYC flow from a bank's tree to a verified proof. */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { ExitCode } from "../../packages/cli/src/exit";
import { releaseProver } from "../../packages/zk/src/prover";
import { cliRunner } from "./harness";

const run = promisify(execFile);
const BIN = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");

describe("CLI zk and kyc", function () {
  this.timeout(180_000);
  const cli = cliRunner("deployments/none.json"); // offline commands never read the deployment
  const dir = mkdtempSync(join(tmpdir(), "cli-zk-"));
  const f = (name: string) => join(dir, name);
  after(releaseProver);

  it("zk circuits lists each circuit with its public signals (--json)", async () => {
    const r = await cli("--json", "zk", "circuits");
    expect(r.code).to.equal(ExitCode.ok);
    const body = JSON.parse(r.out) as { ok: boolean; result: { id: string; publicSignals: string[] }[] };
    expect(body.result.map((c) => c.id)).to.deep.equal([
      "kyc_membership",
      "kyc_tier",
      "amount_limit",
      "batch_netting_16",
      "private_netting_256",
      "private_traced_32",
    ]);
    expect(body.result[0].publicSignals).to.deep.equal(["root", "nullifier", "scope", "message"]);
    expect(body.result[1].publicSignals).to.deep.equal(["root", "nullifier", "scope", "message", "minTier"]);
    expect(body.result[4].publicSignals).to.deep.equal(["root", "word0", "word1"]);
  });

  it("kyc issue → kyc prove → zk verify, and a tampered proof is reported invalid", async () => {
    for (const name of ["alice", "bob", "carol"]) {
      const r = await cli("kyc", "issue", "--tree", f("bank.kyc.json"), "--credential-out", f(`${name}.cred.json`));
      expect(r.code, r.err).to.equal(ExitCode.ok);
      expect(r.out).to.match(/enrolled 0x[0-9a-f]{64} at index \d; tree .* has \d members/);
    }
    const proved = await cli(
      "--json",
      "kyc",
      "prove",
      "--tree",
      f("bank.kyc.json"),
      "--credential",
      f("bob.cred.json"),
      "--scope",
      "escrow-42",
      "--message",
      "0x2a",
      "--out",
      f("bob.proof.json"),
    );
    expect(proved.code, proved.err).to.equal(ExitCode.ok);
    const result = (JSON.parse(proved.out) as { result: { publicSignals: Record<string, string> } }).result;
    const tree = JSON.parse(readFileSync(f("bank.kyc.json"), "utf8")) as { root: string };
    expect(BigInt(result.publicSignals.root)).to.equal(BigInt(tree.root));
    expect(BigInt(result.publicSignals.message)).to.equal(42n);

    const ok = await cli("zk", "verify", f("bob.proof.json"));
    expect(ok.code).to.equal(ExitCode.ok);
    expect(ok.out).to.match(/^valid kyc_membership proof/);

    const bundle = JSON.parse(readFileSync(f("bob.proof.json"), "utf8")) as { publicSignals: string[] };
    bundle.publicSignals[3] = "43"; // another message
    writeFileSync(f("tampered.json"), JSON.stringify(bundle));
    const bad = await cli("zk", "verify", f("tampered.json"));
    expect(bad.code).to.equal(ExitCode.badInput);
    expect(bad.out).to.match(/INVALID kyc_membership proof/);
  });

  it("kyc issue refuses a duplicate commitment, an existing credential file, and both/neither options", async () => {
    const cred = JSON.parse(readFileSync(f("alice.cred.json"), "utf8")) as { commitment: string };
    const dup = await cli("kyc", "issue", "--tree", f("bank.kyc.json"), "--commitment", cred.commitment);
    expect(dup.code).to.equal(ExitCode.badInput);
    expect(dup.err).to.match(/already in the tree/);
    const again = await cli("kyc", "issue", "--tree", f("bank.kyc.json"), "--credential-out", f("alice.cred.json"));
    expect(again.code).to.equal(ExitCode.badInput);
    expect(again.err).to.match(/never overwritten/);
    const neither = await cli("kyc", "issue", "--tree", f("bank.kyc.json"));
    expect(neither.code).to.equal(ExitCode.badInput);
  });

  it("kyc prove refuses a credential that is not in the tree, and an edited tree", async () => {
    await cli("kyc", "issue", "--tree", f("other.kyc.json"), "--credential-out", f("dave.cred.json"));
    const stranger = await cli(
      "kyc",
      "prove",
      "--tree",
      f("bank.kyc.json"),
      "--credential",
      f("dave.cred.json"),
      "--scope",
      "1",
      "--message",
      "1",
      "--out",
      f("x.json"),
    );
    expect(stranger.code).to.equal(ExitCode.badInput);
    expect(stranger.err).to.match(/is not in this KYC tree/);
    const tree = JSON.parse(readFileSync(f("bank.kyc.json"), "utf8")) as { root: string };
    tree.root = "0x" + "11".repeat(32);
    writeFileSync(f("edited.kyc.json"), JSON.stringify({ ...tree, format: "clearhouse.kyc-tree/1" }));
    const edited = await cli(
      "kyc",
      "prove",
      "--tree",
      f("edited.kyc.json"),
      "--credential",
      f("alice.cred.json"),
      "--scope",
      "1",
      "--message",
      "1",
      "--out",
      f("x.json"),
    );
    expect(edited.code).to.equal(ExitCode.badInput);
    expect(edited.err).to.match(/root that its commitments do not give/);
  });

  it("zk prove validates inputs and names the wrong one; missing files are bad input", async () => {
    writeFileSync(f("amount.json"), JSON.stringify({ amount: "2000", blinding: "7", limit: "1000", message: "1" }));
    const over = await cli("zk", "prove", "amount_limit", "--input", f("amount.json"), "--out", f("a.json"));
    expect(over.code).to.equal(ExitCode.badInput);
    expect(over.err).to.match(/^error: Invalid argument `amount`: exceeds the limit 1000\./);
    writeFileSync(
      f("amount.json"),
      JSON.stringify({ amount: String(1n << 64n), blinding: "7", limit: "1000", message: "1" }),
    );
    expect((await cli("zk", "prove", "amount_limit", "--input", f("amount.json"), "--out", f("a.json"))).err).to.match(
      /exceeds 64 bits/,
    );
    const unknown = await cli("zk", "prove", "nope", "--input", f("amount.json"), "--out", f("a.json"));
    expect(unknown.code).to.equal(ExitCode.badInput);
    expect(unknown.err).to.match(/not a Clearhouse circuit/);
    const missing = await cli("zk", "verify", f("does-not-exist.json"));
    expect(missing.code).to.equal(ExitCode.badInput);
    expect(missing.err).to.match(/Cannot read a proof/);
  });

  it("zk prove writes snarkjs files that `zk verify --proof --public` accepts", async () => {
    writeFileSync(f("amount.json"), JSON.stringify({ amount: "999", blinding: "7", limit: "1000", message: "1" }));
    const r = await cli(
      "zk",
      "prove",
      "amount_limit",
      "--input",
      f("amount.json"),
      "--out",
      f("amount.proof.json"),
      "--snarkjs-dir",
      f("snarkjs"),
    );
    expect(r.code, r.err).to.equal(ExitCode.ok);
    const v = await cli(
      "zk",
      "verify",
      "--circuit",
      "amount_limit",
      "--proof",
      f("snarkjs/proof.json"),
      "--public",
      f("snarkjs/public.json"),
    );
    expect(v.code).to.equal(ExitCode.ok);
  });

  it("as a real process: proves, verifies, exits (snarkjs workers terminated)", async () => {
    const help = await run("node", [BIN, "kyc", "prove", "--help"]);
    expect(help.stdout).to.match(/Example:/);
    const proved = await run(
      "node",
      [
        BIN,
        "kyc",
        "prove",
        "--tree",
        f("bank.kyc.json"),
        "--credential",
        f("carol.cred.json"),
        "--scope",
        "s",
        "--message",
        "m",
        "--out",
        f("carol.proof.json"),
      ],
      { timeout: 60_000 },
    );
    expect(proved.stdout).to.match(/kyc_membership proof written/);
    const verified = await run("node", [BIN, "zk", "verify", f("carol.proof.json")], { timeout: 60_000 });
    expect(verified.stdout).to.match(/^valid kyc_membership proof/);
  });
});
