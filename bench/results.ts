/** Where every benchmark writes its figures: bench/results/<name>.json, atomically. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../packages/sdk/src/node/fileio";

/** Write `data` to bench/results/<name>.json and say so; returns the path. */
export function writeResult(name: string, data: unknown): string {
  const dir = join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}.json`);
  writeJsonAtomic(out, data);
  console.log(`wrote ${out}`);
  return out;
}
