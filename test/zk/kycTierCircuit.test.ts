/**
 * kyc_tier on its own, from the committed wasm and zkey: a credential of tier t proves tier ≥ k for
 * every k ≤ t; the circuit itself (inputs fed to the wasm, bypassing the SDK's checks) refuses a
 * tier below the minimum, a tier or minimum of 256, and a "negative" tier; a claimed tier other than
 * the enrolled one, or another path, leads to another root; public signals come in the order
 * root, nullifier, scope, message, minTier.
 */
import { expect } from "chai";
import { poseidon2 } from "poseidon-lite/poseidon2";
import { FIELD_MODULUS } from "../../packages/sdk/src/zk/field";
import { type CircuitInputs } from "../../packages/zk/src/inputs";
import { kycTierInputs } from "../../packages/zk/src/inputs";
import { KycTree, nullifierOf, tierCommitment } from "../../packages/zk/src/kyc";
import { prove, releaseProver, verify } from "../../packages/zk/src/prover";
import { outputs, refused } from "./witness";

describe("kyc_tier circuit", function () {
  this.timeout(180_000);
  after(releaseProver);

  // three customers: tier 1 (phone-only), tier 2 (ID + bank account), tier 3
  const customers = [
    { secret: 11n, tier: 1 },
    { secret: 22n, tier: 2 },
    { secret: 33n, tier: 3 },
  ];
  const tree = new KycTree(customers.map((c) => tierCommitment(c.secret, c.tier)));
  const input = (
    c: { secret: bigint; tier: number },
    minTier: number | string,
    over: Partial<Record<string, string>> = {},
  ): CircuitInputs => {
    const p = tree.path(tierCommitment(c.secret, c.tier));
    return {
      secret: String(c.secret),
      tier: String(c.tier),
      depth: String(p.depth),
      index: String(p.index),
      siblings: p.siblings.map(String),
      scope: "7",
      message: "99",
      minTier: String(minTier),
      ...over,
    };
  };

  it("outputs the tree's root and Poseidon(secret, scope) for tier = minTier and tier > minTier", async () => {
    for (const c of customers) {
      for (let k = 1; k <= c.tier; k++) {
        const [root, nullifier] = await outputs("kyc_tier", input(c, k), 2);
        expect(root).to.equal(tree.root);
        expect(nullifier).to.equal(nullifierOf(c.secret, 7n));
        expect(nullifier).to.equal(poseidon2([c.secret, 7n]));
      }
    }
    // the top of the range: tier 255 proves minTier 255
    const top = new KycTree([tierCommitment(5n, 255)]);
    const p = top.path(tierCommitment(5n, 255));
    const [root] = await outputs(
      "kyc_tier",
      { ...input(customers[0], 255), secret: "5", tier: "255", depth: String(p.depth), index: "0" },
      1,
    );
    expect(root).to.equal(top.root);
  });

  it("refuses a tier below the minimum (no witness exists)", async () => {
    await refused("kyc_tier", input(customers[0], 2));
    await refused("kyc_tier", input(customers[1], 3));
    await refused("kyc_tier", input(customers[2], 255));
  });

  it("refuses a tier of 256 and a minimum of 256 (8-bit range checks)", async () => {
    const t256 = { secret: 44n, tier: 256 };
    const inputs = { ...input(customers[0], 1), secret: "44", tier: "256" };
    await refused("kyc_tier", inputs);
    expect(() => tierCommitment(t256.secret, t256.tier)).to.throw(/not a KYC tier/);
    await refused("kyc_tier", input(customers[2], 256));
    // 256 + 1 would pass a comparator on its low 8 bits alone (256 + 1 ≡ 1): the range check refuses it
    await refused("kyc_tier", { ...input(customers[0], 1), tier: "257" });
  });

  it("refuses a 'negative' tier or minimum (p − 1 wraps to a huge field element)", async () => {
    await refused("kyc_tier", { ...input(customers[0], 1), tier: String(FIELD_MODULUS - 1n) });
    await refused("kyc_tier", input(customers[0], String(FIELD_MODULUS - 1n)));
  });

  it("a claimed tier other than the enrolled one, or a wrong path, leads to another root", async () => {
    // customer 0 enrolled at tier 1 claims tier 3: the circuit runs, but the root is not the tree's
    const [claimed] = await outputs("kyc_tier", input(customers[0], 3, { tier: "3" }), 1);
    expect(claimed).to.not.equal(tree.root);
    const bad = input(customers[1], 1);
    (bad.siblings as string[])[0] = "12345";
    expect((await outputs("kyc_tier", bad, 1))[0]).to.not.equal(tree.root);
    const stranger = input(customers[1], 1, { secret: "999" });
    expect((await outputs("kyc_tier", stranger, 1))[0]).to.not.equal(tree.root);
    // the right siblings, the wrong side at level 0
    const flipped = input(customers[2], 1, { index: "0" });
    expect((await outputs("kyc_tier", flipped, 1))[0]).to.not.equal(tree.root);
  });

  it("proves tier = minTier and tier > minTier; public signals are root, nullifier, scope, message, minTier", async () => {
    const c = customers[1];
    const path = tree.path(tierCommitment(c.secret, c.tier));
    for (const minTier of [2, 1]) {
      const bundle = await prove(
        "kyc_tier",
        kycTierInputs({ secret: c.secret, tier: c.tier, path, scope: 7n, message: 99n, minTier }),
      );
      expect(bundle.publicSignals).to.deep.equal(
        [tree.root, nullifierOf(c.secret, 7n), 7n, 99n, BigInt(minTier)].map(String),
      );
      expect(await verify(bundle)).to.equal(true);
      // the proof says "tier ≥ minTier" for its minTier only: another minTier does not verify
      const raised = { ...bundle, publicSignals: bundle.publicSignals.map((s, i) => (i === 4 ? "3" : s)) };
      expect(await verify(raised)).to.equal(false);
      const otherRoot = { ...bundle, publicSignals: bundle.publicSignals.map((s, i) => (i === 0 ? "1" : s)) };
      expect(await verify(otherRoot)).to.equal(false);
    }
  });
});
