/**
 * `clearhouse kyc issue --tier` and `kyc prove --min-tier`: tier credentials proven with kyc_tier,
 * verified by `zk verify`; a tier below the minimum refused before proving; membership credentials
 * (format /1) in the same tree keep proving kyc_membership.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ExitCode } from "../../packages/cli/src/exit";
import { releaseProver } from "../../packages/zk/src/prover";
import { cliRunner } from "./harness";

describe("CLI kyc tiers", function () {
  this.timeout(180_000);
  const cli = cliRunner("deployments/none.json");
  const dir = mkdtempSync(join(tmpdir(), "cli-kyctier-"));
  const f = (name: string) => join(dir, name);
  const tree = f("bank.kyc.json");
  after(releaseProver);
  const prove = (credential: string, ...more: string[]) =>
    cli(
      "--json",
      "kyc",
      "prove",
      "--tree",
      tree,
      "--credential",
      f(credential),
      "--scope",
      "escrow-7",
      "--message",
      "0x2a",
      ...more,
    );

  before(async () => {
    for (const [name, tier] of [
      ["alice", "1"],
      ["bob", "2"],
    ]) {
      const r = await cli("kyc", "issue", "--tree", tree, "--credential-out", f(`${name}.cred.json`), "--tier", tier);
      expect(r.code, r.err).to.equal(ExitCode.ok);
      expect(r.out).to.match(new RegExp(`enrolled 0x[0-9a-f]{64} \\(tier ${tier}\\) at index \\d`));
    }
    const carol = await cli("kyc", "issue", "--tree", tree, "--credential-out", f("carol.cred.json"));
    expect(carol.code, carol.err).to.equal(ExitCode.ok);
  });

  it("writes tier credentials as clearhouse.kyc-credential/2 and membership ones as /1", () => {
    const bob = JSON.parse(readFileSync(f("bob.cred.json"), "utf8")) as { format: string; tier: number };
    expect(bob.format).to.equal("clearhouse.kyc-credential/2");
    expect(bob.tier).to.equal(2);
    const carol = JSON.parse(readFileSync(f("carol.cred.json"), "utf8")) as { format: string; tier?: number };
    expect(carol.format).to.equal("clearhouse.kyc-credential/1");
    expect(carol.tier).to.equal(undefined);
  });

  it("kyc prove --min-tier → kyc_tier proof that zk verify accepts", async () => {
    const proved = await prove("bob.cred.json", "--min-tier", "2", "--out", f("bob.proof.json"));
    expect(proved.code, proved.err).to.equal(ExitCode.ok);
    const result = (JSON.parse(proved.out) as { result: { circuit: string; publicSignals: Record<string, string> } })
      .result;
    expect(result.circuit).to.equal("kyc_tier");
    expect(Object.keys(result.publicSignals)).to.deep.equal(["root", "nullifier", "scope", "message", "minTier"]);
    expect(BigInt(result.publicSignals.minTier)).to.equal(2n);
    const root = (JSON.parse(readFileSync(tree, "utf8")) as { root: string }).root;
    expect(BigInt(result.publicSignals.root)).to.equal(BigInt(root));
    const ok = await cli("zk", "verify", f("bob.proof.json"));
    expect(ok.code, ok.err).to.equal(ExitCode.ok);
    expect(ok.out).to.match(/^valid kyc_tier proof/);
    // the membership credential in the same tree still proves kyc_membership
    const carol = await prove("carol.cred.json", "--out", f("carol.proof.json"));
    expect(carol.code, carol.err).to.equal(ExitCode.ok);
    expect((JSON.parse(carol.out) as { result: { circuit: string } }).result.circuit).to.equal("kyc_membership");
  });

  it("refuses a tier below --min-tier before proving", async () => {
    const r = await cli(
      "kyc",
      "prove",
      "--tree",
      tree,
      "--credential",
      f("alice.cred.json"),
      "--min-tier",
      "2",
      "--scope",
      "escrow-7",
      "--message",
      "0x2a",
      "--out",
      f("alice.proof.json"),
    );
    expect(r.code).to.equal(ExitCode.badInput);
    expect(r.err).to.match(/KYC tier 1 is below the required minimum tier 2/);
    expect(r.err).to.not.match(/proving kyc_tier/);
  });

  it("refuses tiers outside 1–255, --min-tier with a membership credential, a tier credential without it", async () => {
    for (const tier of ["0", "256", "two"]) {
      const r = await cli("kyc", "issue", "--tree", tree, "--credential-out", f(`t${tier}.cred.json`), "--tier", tier);
      expect(r.code, tier).to.equal(ExitCode.badInput);
      expect(r.err).to.match(/is not a KYC tier \(an integer from 1 to 255\)/);
    }
    const high = await prove("bob.cred.json", "--min-tier", "256", "--out", f("x.json"));
    expect(high.code).to.equal(ExitCode.badInput);
    const membership = await prove("carol.cred.json", "--min-tier", "1", "--out", f("x.json"));
    expect(membership.code).to.equal(ExitCode.badInput);
    expect(membership.out + membership.err).to.match(/has no KYC tier/);
    const none = await prove("bob.cred.json", "--out", f("x.json"));
    expect(none.code).to.equal(ExitCode.badInput);
    expect(none.out + none.err).to.match(/give --min-tier/);
    const commitment = await cli("kyc", "issue", "--tree", tree, "--commitment", "0x1234", "--tier", "2");
    expect(commitment.code).to.equal(ExitCode.badInput);
  });
});
