/**
 * The committed ceremony outputs belong to the committed circuit sources: the transcript's source
 * hash is today's, a fresh compile gives the r1cs and wasm the ceremony set up, and every committed
 * file (wasm, zkey, verification key, Solidity verifier) has the hash the transcript records.
 * Change a circuit without rerunning `npm run ceremony` and this fails.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { compileCircuit } from "../../scripts/lib/circom";
import { CIRCUITS, CIRCUIT_IDS } from "../../packages/sdk/src/zk/circuits";
import { TRANSCRIPT_PATH, artifactPaths } from "../../packages/zk/src/artifacts";
import { fileHash, sourceHash } from "../../packages/zk/src/sources";

interface TranscriptCircuit {
  sourceHash: string;
  constraints: number;
  publicInputs: number;
  contract: string;
  contributions: { member: string; hash: string }[];
  beacon: string;
  sha256: { r1cs: string; wasm: string; zkey: string; verificationKey: string; verifier: string };
}
interface Transcript {
  power: number;
  members: string[];
  phase1: { contributions: { member: string; hash: string }[]; beacon: string };
  circuits: Record<string, TranscriptCircuit>;
}

describe("ceremony artifacts", function () {
  this.timeout(120_000);
  const transcript = JSON.parse(readFileSync(TRANSCRIPT_PATH, "utf8")) as Transcript;

  it("the transcript lists one phase-1 and one phase-2 contribution per member, and the beacons", () => {
    expect(transcript.phase1.contributions.map((c) => c.member)).to.deep.equal(transcript.members);
    expect(transcript.phase1.beacon).to.match(/^[0-9a-f]{128}$/);
    for (const id of CIRCUIT_IDS) {
      const c = transcript.circuits[id];
      expect(c.contributions.map((x) => x.member)).to.deep.equal(transcript.members);
      for (const x of c.contributions) expect(x.hash).to.match(/^[0-9a-f]{128}$/);
      expect(c.beacon).to.match(/^[0-9a-f]{128}$/);
      expect(c.contract).to.equal(CIRCUITS[id].contract);
      expect(c.publicInputs).to.equal(CIRCUITS[id].publicSignals.length);
      expect(c.constraints).to.be.below(2 ** transcript.power);
    }
  });

  for (const id of CIRCUIT_IDS) {
    it(`${id}: sources, a fresh compile and the committed files match the transcript`, () => {
      const c = transcript.circuits[id];
      expect(
        sourceHash(CIRCUITS[id].main),
        "circuit sources changed since the ceremony: run npm run ceremony",
      ).to.equal(c.sourceHash);
      const out = mkdtempSync(join(tmpdir(), `circom-${id}-`));
      const compiled = compileCircuit(CIRCUITS[id].main, out, { wasm: true });
      expect(fileHash(compiled.r1cs)).to.equal(c.sha256.r1cs);
      expect(fileHash(compiled.wasm)).to.equal(c.sha256.wasm);
      const paths = artifactPaths(id);
      expect(fileHash(paths.wasm)).to.equal(c.sha256.wasm);
      expect(fileHash(paths.zkey)).to.equal(c.sha256.zkey);
      expect(fileHash(paths.verificationKey)).to.equal(c.sha256.verificationKey);
      expect(fileHash(join(__dirname, "..", "..", "contracts", "zk", `${CIRCUITS[id].contract}.sol`))).to.equal(
        c.sha256.verifier,
      );
    });
  }
});
