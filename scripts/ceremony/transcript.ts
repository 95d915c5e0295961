/**
 * Adding circuits to an installed ceremony transcript (`npm run ceremony -- --add …`).
 *
 * A circuit set up on the transcript's own phase 1 (same final ptau) simply gets its entry. A
 * circuit set up on another phase 1 — the shipped 2^16 phase-1 file is not kept after a ceremony,
 * and redoing it (81 min here) would re-key every shipped circuit — gets an entry that carries that
 * phase 1 (`phase1`: power, contributions, beacon, final ptau hash), run by the same members with
 * the same beacon. Every other circuit's entry and the top-level phase 1 stay as they were, byte
 * for byte, so what was verifiable stays verifiable.
 */

export interface Contribution {
  member: string;
  hash: string;
}

export interface Phase1Record {
  contributions: Contribution[];
  beacon: string;
  finalPtauSha256: string;
  seconds: number;
  prepareSeconds: number;
}

/** A circuit's entry; `phase1` only when it was set up on a phase 1 other than the transcript's. */
export interface CircuitRecord {
  phase1?: Phase1Record & { power: number };
  [field: string]: unknown;
}

export interface Transcript {
  format: string;
  curve: string;
  power: number;
  members: string[];
  beacon: { hash: string; iterationsExp: number };
  tools: Record<string, string>;
  phase1: Phase1Record;
  circuits: Record<string, CircuitRecord>;
}

/**
 * `installed` with `run`'s circuits added (or replaced). Refuses a run by other members, with
 * another beacon or other tool versions: the transcript must describe one ceremony's parties.
 */
export function mergeTranscript(installed: Transcript, run: Transcript): Transcript {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const mismatch = (what: string, a: unknown, b: unknown): Error =>
    new Error(
      `--add: this run's ${what} (${JSON.stringify(b)}) is not the installed transcript's (${JSON.stringify(a)}); ` +
        "add circuits with the same members, beacon and tools, or rerun the whole ceremony",
    );
  if (!same(installed.members, run.members)) throw mismatch("members", installed.members, run.members);
  if (!same(installed.beacon, run.beacon)) throw mismatch("beacon", installed.beacon, run.beacon);
  if (!same(installed.tools, run.tools)) throw mismatch("tools", installed.tools, run.tools);
  const ownPhase1 = run.phase1.finalPtauSha256 !== installed.phase1.finalPtauSha256;
  const circuits = { ...installed.circuits };
  for (const [id, entry] of Object.entries(run.circuits)) {
    circuits[id] = ownPhase1 ? { phase1: { power: run.power, ...run.phase1 }, ...entry } : entry;
  }
  return { ...installed, circuits };
}

/** The phase 1 a circuit of `t` was set up on: its own, or the transcript's. */
export function phase1Of(t: Transcript, id: string): Phase1Record & { power: number } {
  return t.circuits[id]?.phase1 ?? { power: t.power, ...t.phase1 };
}
