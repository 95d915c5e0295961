/**
 * The ceremony's journal: which steps are done, with the sha256 of what each produced. A step is
 * skipped on a rerun only if it is recorded as done and its outputs are still there, unchanged;
 * outputs are written under a temporary name and renamed when complete, so an interrupted step
 * leaves nothing that looks finished.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { writeJsonAtomic } from "../../packages/sdk/src/node/fileio";
import { fileHash } from "../../packages/zk/src/sources";

export interface StepRecord {
  seconds: number;
  outputs: Record<string, string>; // path -> sha256
  /** The step's inputs when it ran (path -> sha256); absent in journals written before 0.3. */
  inputs?: Record<string, string>;
  info: Record<string, string | number>;
}

export interface JournalFile {
  format: "clearhouse.ceremony-journal/1";
  config: string; // canonical JSON of the ceremony's configuration
  steps: Record<string, StepRecord>;
}

export interface Step {
  id: string;
  title: string;
  /** Files the step produces (final names). */
  outputs: string[];
  /**
   * Files the step reads (a circuit's sources, the previous contribution): a step that ran on
   * other contents is run again, and so is every step after it that reads what it wrote.
   */
  inputs?: string[];
  /** Write each output to `tmp(output)`; return facts for the transcript. */
  run(tmp: (output: string) => string): Promise<Record<string, string | number> | void>;
}

export class Journal {
  private readonly data: JournalFile;

  constructor(
    private readonly path: string,
    config: unknown,
    fresh: boolean,
  ) {
    const canonical = JSON.stringify(config);
    mkdirSync(dirname(path), { recursive: true });
    if (!fresh && existsSync(path)) {
      const old = JSON.parse(readFileSync(path, "utf8")) as JournalFile;
      // Only what phase 1 depends on must match: circuits may be added, dropped or changed (their
      // steps are rerun when their inputs changed) without redoing the powers of tau.
      if (phase1Config(old.config) !== phase1Config(canonical)) {
        throw new Error(
          `${path} records a ceremony with another configuration (${old.config}); ` +
            "rerun with --fresh to start over, or with the same options to resume",
        );
      }
      this.data = { ...old, config: canonical };
    } else {
      this.data = { format: "clearhouse.ceremony-journal/1", config: canonical, steps: {} };
    }
  }

  record(id: string): StepRecord | undefined {
    return this.data.steps[id];
  }

  /** Done, on the inputs it has now, and every output present with the recorded hash. */
  isDone(step: Step): boolean {
    const rec = this.data.steps[step.id];
    if (!rec) return false;
    if (!step.outputs.every((o) => existsSync(o) && rec.outputs[o] === fileHash(o))) return false;
    // A record from before inputs were kept is trusted as it was (outputs only).
    if (rec.inputs === undefined) return true;
    return (step.inputs ?? []).every((i) => existsSync(i) && rec.inputs![i] === fileHash(i));
  }

  async run(step: Step, index: number, total: number): Promise<StepRecord> {
    const label = `[${String(index).padStart(2)}/${total}] ${step.title}`;
    if (this.isDone(step)) {
      const rec = this.data.steps[step.id];
      console.log(`${label} … done earlier (${rec.seconds.toFixed(1)} s), skipped`);
      return rec;
    }
    process.stdout.write(`${label} … `);
    const started = process.hrtime.bigint();
    const tmp = (o: string) => `${o}.partial`;
    for (const o of step.outputs) {
      mkdirSync(dirname(o), { recursive: true });
      rmSync(tmp(o), { force: true, recursive: true });
    }
    const info = (await step.run(tmp)) ?? {};
    for (const o of step.outputs) {
      if (!existsSync(tmp(o))) throw new Error(`step ${step.id} did not write ${o}`);
      renameSync(tmp(o), o);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rec: StepRecord = {
      seconds,
      outputs: Object.fromEntries(step.outputs.map((o) => [o, fileHash(o)])),
      inputs: Object.fromEntries((step.inputs ?? []).map((i) => [i, fileHash(i)])),
      info,
    };
    this.data.steps[step.id] = rec;
    writeJsonAtomic(this.path, this.data);
    console.log(`${seconds.toFixed(1)} s`);
    return rec;
  }
}

/** The part of a journal's configuration phase 1 depends on: the power, the members, the beacon. */
function phase1Config(config: string): string {
  const c = JSON.parse(config) as { power?: unknown; members?: unknown; beacon?: unknown };
  return JSON.stringify({ power: c.power, members: c.members, beacon: c.beacon });
}
