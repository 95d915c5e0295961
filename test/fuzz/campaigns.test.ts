/**
 * Every stateful fuzz campaign (test/fuzz/campaigns/) run short in `npm test`, with a seed printed
 * so that a failure can be replayed with `npm run fuzz -- --campaign NAME --seed N`.
 * FUZZ_SEED fixes the seed; FUZZ_TEST_STEPS sets the step count (default 150 each).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Campaign } from "./campaign";

const DIR = join(__dirname, "campaigns");
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const STEPS = Number(process.env.FUZZ_TEST_STEPS ?? 150);

describe("stateful fuzz campaigns (short)", function () {
  this.timeout(300_000);
  const files = (existsSync(DIR) ? readdirSync(DIR) : []).filter((f) => f.endsWith(".ts"));
  for (const file of files) {
    it(`${file.slice(0, -3)}: ${STEPS} random steps, seed ${SEED}`, async () => {
      const { campaign } = (await import(join(DIR, file))) as { campaign: Campaign };
      const result = await campaign.run({ seed: SEED, steps: STEPS });
      expect(result.steps).to.equal(STEPS);
      expect(result.checks).to.be.greaterThan(STEPS);
    });
  }
});
