/**
 * The kyc_tier off-chain API: tier credentials and their files (format /2 beside the old /1),
 * proveKycTier / verifyKycTier, the typed refusals before proving, and escrow terms with a kyc_tier
 * proof condition (limit = minTier on chain).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { getAddress } from "viem";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { parseAgreement } from "../../packages/sdk/src/payments/terms";
import { toOnChainTerms } from "../../packages/sdk/src/payments/onChainTerms";
import { KycTierBelowMinimumError, KycTierOutOfRangeError, kycTier } from "../../packages/sdk/src/zk/kycTier";
import {
  issueKycCredential,
  kycCredential,
  readKycCredential,
  writeKycCredential,
} from "../../packages/zk/src/credentials";
import { kycTierInputs } from "../../packages/zk/src/inputs";
import { identityCommitment, KycTree, tierCommitment } from "../../packages/zk/src/kyc";
import { kycTierSignals, proveKycTier, verifyKycTier } from "../../packages/zk/src/kycTier";
import { releaseProver } from "../../packages/zk/src/prover";

describe("kyc_tier: credentials, proving, terms", function () {
  this.timeout(120_000);
  after(releaseProver);
  const dir = mkdtempSync(join(tmpdir(), "kyctier-"));
  const bob = kycCredential(0xb0bn, 2);
  const alice = kycCredential(0xa11cen, 1);
  const carol = kycCredential(0xca201n); // a membership credential, no tier
  const tree = new KycTree([alice.commitment, bob.commitment, carol.commitment]);

  it("kycTier accepts 1..255 only, as numbers, bigints and decimal or hex text", () => {
    expect([kycTier(1, "t"), kycTier(255n, "t"), kycTier("2", "t"), kycTier("0xff", "t")]).to.deep.equal([
      1, 255, 2, 255,
    ]);
    for (const bad of [0, 256, -1, 1.5, "two", "", null, undefined, 2n ** 64n]) {
      expect(() => kycTier(bad, "tier"), String(bad)).to.throw(
        KycTierOutOfRangeError,
        /is not a KYC tier \(an integer from 1 to 255\)/,
      );
    }
    expect(new KycTierOutOfRangeError("tier", 0)).to.be.instanceOf(InvalidArgumentError);
  });

  it("a tier credential's commitment is Poseidon(secret, tier); files /2 with a tier, /1 without", () => {
    expect(bob.commitment).to.equal(tierCommitment(0xb0bn, 2));
    expect(bob.commitment).to.not.equal(identityCommitment(0xb0bn));
    expect(carol.commitment).to.equal(identityCommitment(0xca201n));
    const fresh = issueKycCredential(3);
    expect(fresh.tier).to.equal(3);
    expect(fresh.commitment).to.equal(tierCommitment(fresh.secret, 3));
    expect(issueKycCredential().tier).to.equal(undefined);
    expect(issueKycCredential(3).secret).to.not.equal(fresh.secret);
    writeKycCredential(join(dir, "bob.json"), bob);
    writeKycCredential(join(dir, "carol.json"), carol);
    expect(readKycCredential(join(dir, "bob.json"))).to.deep.equal(bob);
    expect(readKycCredential(join(dir, "carol.json"))).to.deep.equal(carol);
  });

  it("reads a credential file of format /1 written before tiers", () => {
    const old = join(dir, "old.json");
    writeFileSync(old, JSON.stringify({ format: "clearhouse.kyc-credential/1", secret: "0x0ca201" }));
    expect(readKycCredential(old)).to.deep.equal(carol);
  });

  it("refuses a /2 file without a tier, with a tier out of range, or whose commitment is not its tier's", () => {
    const write = (name: string, body: Record<string, unknown>) => {
      writeFileSync(
        join(dir, name),
        JSON.stringify({ format: "clearhouse.kyc-credential/2", secret: "0x0b0b", ...body }),
      );
      return join(dir, name);
    };
    expect(() => readKycCredential(write("a.json", {}))).to.throw(InvalidArgumentError, /has no tier/);
    expect(() => readKycCredential(write("b.json", { tier: 300 }))).to.throw(KycTierOutOfRangeError);
    const otherTier = `0x${tierCommitment(0xb0bn, 3).toString(16)}`;
    expect(() => readKycCredential(write("c.json", { tier: 2, commitment: otherTier }))).to.throw(
      /not Poseidon\(secret, tier\)/,
    );
  });

  it("refuses before proving: a tier below minTier, a tier out of range, no tier, a credential not in the tree", async () => {
    const scope = 5n;
    const message = 6n;
    let error: unknown;
    await proveKycTier({ credential: alice, tree, minTier: 2, scope, message }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(KycTierBelowMinimumError);
    expect((error as KycTierBelowMinimumError).message).to.match(
      /KYC tier 1 is below the required minimum tier 2: no proof of tier ≥ 2 exists\.\nAsk the bank for a credential of tier 2 or higher/,
    );
    expect((error as KycTierBelowMinimumError).category).to.equal("input");
    for (const minTier of [0, 256]) {
      error = undefined;
      await proveKycTier({ credential: bob, tree, minTier, scope, message }).catch((e: unknown) => (error = e));
      expect(error, String(minTier)).to.be.instanceOf(KycTierOutOfRangeError);
    }
    error = undefined;
    await proveKycTier({ credential: carol, tree, minTier: 1, scope, message }).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/has no KYC tier/);
    error = undefined;
    const stranger = kycCredential(0x5n, 3);
    await proveKycTier({ credential: stranger, tree, minTier: 1, scope, message }).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/is not in this KYC tree/);
    // the raw inputs: a tier claimed above the enrolled one leads to another root
    expect(() =>
      kycTierInputs({ secret: 0xa11cen, tier: 3, path: tree.path(alice.commitment), scope, message, minTier: 2 }),
    ).to.throw(/Merkle path does not lead to root/);
  });

  it("proveKycTier / verifyKycTier: tier 2 proves minTier 2 and 1; the verifier checks what it expects", async () => {
    const bundle = await proveKycTier({ credential: bob, tree, minTier: 2, scope: 5n, message: 6n });
    expect(bundle.circuit).to.equal("kyc_tier");
    const s = kycTierSignals(bundle);
    expect(s).to.deep.include({ root: tree.root, scope: 5n, message: 6n, minTier: 2 });
    expect(await verifyKycTier(bundle, { root: tree.root, scope: 5n, message: 6n, minTier: 2 })).to.equal(true);
    expect(await verifyKycTier(bundle, { minTier: 1 })).to.equal(true); // tier ≥ 2 implies tier ≥ 1
    expect(await verifyKycTier(bundle, { minTier: 3 })).to.equal(false);
    expect(await verifyKycTier(bundle, { root: tree.root + 1n })).to.equal(false);
    expect(await verifyKycTier(bundle, { message: 7n })).to.equal(false);
  });

  it("escrow terms: proof { circuit: kyc_tier, root, minTier } → circuitId kyc_tier, expected root, limit minTier", () => {
    const a = getAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    const spec = parseAgreement(
      {
        format: "clearhouse.agreement/1",
        reference: "r",
        arbiter: a,
        milestones: [
          {
            payee: a,
            amount: "1.00",
            deadline: "+1d",
            conditions: [{ proof: { circuit: "kyc_tier", root: "0x12", minTier: 2 } }],
          },
        ],
      },
      "t",
      { now: 0n, decimals: 2 },
    );
    expect(spec.milestones[0].conditions[0]).to.deep.equal({
      type: "proof",
      circuit: "kyc_tier",
      root: 0x12n,
      minTier: 2,
    });
    const c = toOnChainTerms(spec, a).milestones[0].conditions[0];
    expect(c).to.deep.include({ kind: 2, expected: 0x12n, limit: 2n });
    expect(c.circuitId).to.equal(`0x${Buffer.from("kyc_tier").toString("hex").padEnd(64, "0")}`);
  });
});
