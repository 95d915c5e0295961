/**
 * `npm run fuzz -- [--campaign NAME|all] [--seed N] [--steps N]` (through scripts/run-fuzz.js):
 * runs the stateful fuzz campaigns of test/fuzz/campaigns/ on Hardhat's embedded chain, printing
 * the seed and step count first so that any run can be replayed, and a table of what was done.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Campaign, CampaignResult } from "../test/fuzz/campaign";

const DIR = join(__dirname, "..", "test", "fuzz", "campaigns");

function names(): string[] {
  return (existsSync(DIR) ? readdirSync(DIR) : [])
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<Campaign> {
  const mod = (await import(join(DIR, `${name}.ts`))) as { campaign?: Campaign };
  if (!mod.campaign) throw new Error(`test/fuzz/campaigns/${name}.ts exports no campaign`);
  return mod.campaign;
}

function table(results: CampaignResult[]): string {
  const rows = [["campaign", "seed", "steps", "checks", "actions (refused)"]];
  for (const r of results) {
    const acts = Object.keys(r.actions)
      .sort()
      .map((k) => `${k} ${r.actions[k]}${r.refused[k] ? ` (${r.refused[k]})` : ""}`)
      .join(", ");
    rows.push([r.campaign, String(r.seed), String(r.steps), String(r.checks), acts]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const available = names();
  const wanted = process.env.FUZZ_CAMPAIGN ?? "all";
  const chosen = wanted === "all" ? available : [wanted];
  for (const name of chosen) {
    if (!available.includes(name)) {
      console.error(`error: no campaign "${name}"; campaigns: ${available.join(", ")}, all`);
      process.exitCode = 2;
      return;
    }
  }
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
  const steps = process.env.FUZZ_STEPS !== undefined ? Number(process.env.FUZZ_STEPS) : 2000;
  console.log(`fuzz: campaigns ${chosen.join(", ")}; seed ${seed}; steps ${steps}`);
  const results: CampaignResult[] = [];
  for (const name of chosen) {
    const campaign = await load(name);
    const started = Date.now();
    let last = 0;
    const result = await campaign.run({
      seed,
      steps,
      onProgress: (done) => {
        if (Date.now() - last < 5000) return;
        last = Date.now();
        console.log(`  ${name}: ${done}/${steps} steps (${Math.round((Date.now() - started) / 1000)} s)`);
      },
    });
    console.log(`  ${name}: done, ${steps} steps in ${Math.round((Date.now() - started) / 1000)} s`);
    results.push(result);
  }
  console.log(table(results));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
