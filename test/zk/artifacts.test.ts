/**
 * The committed ceremony outputs belong to the committed circuit sources: the transcript's source
 * hash is today's, a fresh compile gives the r1cs and wasm the ceremony set up, and every committed
 * file (wasm, zkey, verification key, Solidity verifier) has the hash the transcript records.
 * Change a circuit without rerunning `npm run ceremony` and this fails. A circuit added later on its
 * own phase 1 (`--add`, scripts/ceremony/transcript.ts) records that phase 1 in its entry: the same
 * members, one contribution each, and a power above its constraints.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { compileCircuit } from "../../scripts/lib/circom";
import { CIRCUITS, CIRCUIT_IDS } from "../../packages/sdk/src/zk/circuits";
import { TRANSCRIPT_PATH, artifactPaths } from "../../packages/zk/src/artifacts";
import { fileHash, sourceHash } from "../../packages/zk/src/sources";

interface Phase1 {
  contributions: { member: string; hash: string }[];
  beacon: string;
  finalPtauSha256: string;
}
interface TranscriptCircuit {
  phase1?: Phase1 & { power: number };
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
  phase1: Phase1;
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
      const phase1 = c.phase1 ?? { ...transcript.phase1, power: transcript.power };
      expect(phase1.contributions.map((x) => x.member)).to.deep.equal(transcript.members);
      expect(phase1.beacon).to.match(/^[0-9a-f]{128}$/);
      expect(phase1.finalPtauSha256).to.match(/^[0-9a-f]{64}$/);
      expect(c.constraints + c.publicInputs).to.be.below(2 ** phase1.power);
    }
  });

  it("kyc_tier and private_traced_32 were added on phase 1s of their own (2^13, 2^16); the others share one", () => {
    for (const id of CIRCUIT_IDS) {
      if (id === "kyc_tier") expect(transcript.circuits[id].phase1?.power).to.equal(13);
      else if (id === "private_traced_32") expect(transcript.circuits[id].phase1?.power).to.equal(16);
      else expect(transcript.circuits[id].phase1).to.equal(undefined);
    }
    for (const id of ["kyc_tier", "private_traced_32"] as const)
      expect(transcript.circuits[id].phase1?.finalPtauSha256).to.not.equal(transcript.phase1.finalPtauSha256);
    // issue 23: 32 slots under the 2^16 phase 1
    expect(transcript.circuits.private_traced_32.constraints).to.equal(49_410);
    // issue 22's bound: at most kyc_membership's constraints + 10% (5,378 → 5,915)
    expect(transcript.circuits.kyc_tier.constraints).to.equal(5_429);
    expect(transcript.circuits.kyc_tier.constraints).to.be.at.most(
      Math.floor(transcript.circuits.kyc_membership.constraints * 1.1),
    );
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
