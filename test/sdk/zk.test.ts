/**
 * The SDK's zk module: proving and verifying from the committed artifacts, input validation that
 * names the wrong input, interoperability with the snarkjs CLI, and the on-chain side through a
 * real deployment (VerifierRegistry registered by the deploy code, private-mode declaration).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as snarkjs from "snarkjs";
import { keccak256, toHex } from "viem";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { ContractRevertError } from "../../packages/sdk/src/errors/revert";
import { artifactPaths, TRANSCRIPT_PATH } from "../../packages/zk/src/artifacts";
import { buildPrivateChunks } from "../../packages/zk/src/chunk";
import { amountInputs, kycInputs, nettingInputs, validateInputs } from "../../packages/zk/src/inputs";
import { identityCommitment, KycTree } from "../../packages/zk/src/kyc";
import { prove, releaseProver, verify } from "../../packages/zk/src/prover";
import { checkBundle, toCalldata, type ProofBundle } from "../../packages/sdk/src/zk/proof";
import { vkHashOf } from "../../packages/sdk/src/zk/vk";
import { verificationKey } from "../../packages/zk/src/prover";
import { amountProof, BANK, CPS, kycProof, KYC_SECRETS, sampleRecords } from "../zk/proofs";
import { rejectsWith } from "./fixture";
import { BANK_NAMES, settlementFixture, type BankName } from "./settlementFixture";

const run = promisify(execFile);
const SNARKJS = join(__dirname, "..", "..", "node_modules", "snarkjs", "build", "cli.cjs");

function invalid(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect((error as Error).message).to.match(pattern);
    return;
  }
  throw new Error("expected an InvalidArgumentError");
}

describe("SDK zk", function () {
  this.timeout(180_000);
  let kyc: { tree: KycTree; bundle: ProofBundle };
  let amount: ProofBundle;

  before(async () => {
    kyc = await kycProof();
    amount = await amountProof();
  });
  after(releaseProver);

  describe("prove / verify / toCalldata", () => {
    it("proves concurrently with one witness calculator per circuit: each proof carries its own inputs", async () => {
      // The calculator is one wasm instance awaited between computing and reading a witness; without
      // taking turns, concurrent proofs read each other's (found by the escrow tests under load).
      const messages = [11n, 22n, 33n, 44n];
      const bundles = await Promise.all(
        messages.map((message) =>
          prove("amount_limit", amountInputs({ amount: 5n, blinding: 7n + message, limit: 10n, message })),
        ),
      );
      expect(bundles.map((b) => BigInt(b.publicSignals[2]))).to.deep.equal(messages);
      for (const b of bundles) expect(await verify(b)).to.equal(true);
    });

    it("proves and verifies kyc_membership, amount_limit and batch_netting_16", async () => {
      expect(await verify(kyc.bundle)).to.equal(true);
      expect(await verify(amount)).to.equal(true);
      const chunk = buildPrivateChunks(sampleRecords(16), { submitter: BANK, keyPrefix: "sdk" })[0];
      const netting = await prove("batch_netting_16", nettingInputs(chunk));
      expect(await verify(netting)).to.equal(true);
      expect(BigInt(netting.publicSignals[0])).to.equal(BigInt(chunk.header.root));
      expect(BigInt(netting.publicSignals[5])).to.equal(BigInt(BANK));
    });

    it("a proof with a changed public signal does not verify", async () => {
      const bad = structuredClone(amount);
      bad.publicSignals[1] = String(BigInt(bad.publicSignals[1]) + 1n);
      expect(await verify(bad)).to.equal(false);
    });

    it("toCalldata is snarkjs's exportSolidityCallData", async () => {
      const text = await snarkjs.groth16.exportSolidityCallData(
        kyc.bundle.proof as snarkjs.Groth16Proof,
        kyc.bundle.publicSignals,
      );
      const words = (JSON.parse(`[${text}]`) as unknown[]).flat(3).map((x) => BigInt(x as string));
      const c = toCalldata(kyc.bundle);
      expect([...c.proof, ...c.publicSignals]).to.deep.equal(words);
    });

    it("the committed verification keys hash to what the transcript records", () => {
      const transcript = JSON.parse(readFileSync(TRANSCRIPT_PATH, "utf8")) as {
        circuits: Record<string, { vkHash: string }>;
      };
      for (const id of ["kyc_membership", "amount_limit", "batch_netting_16"] as const) {
        expect(vkHashOf(verificationKey(id))).to.equal(transcript.circuits[id].vkHash);
      }
    });

    it("checkBundle names what is wrong with a proof file", () => {
      invalid(() => checkBundle({ ...amount, format: "x" }), /proof\.format/);
      invalid(() => checkBundle({ ...amount, circuit: "nope" }), /not a Clearhouse circuit/);
      invalid(() => checkBundle({ ...amount, publicSignals: ["1"] }), /has 1 values; amount_limit has 3/);
      invalid(() => checkBundle({ ...amount, proof: { pi_a: [] } }), /not a Groth16 proof/);
    });
  });

  describe("interoperability with the snarkjs CLI", () => {
    it("an SDK proof verifies with `snarkjs groth16 verify`", async () => {
      const dir = mkdtempSync(join(tmpdir(), "zk-"));
      writeFileSync(join(dir, "proof.json"), JSON.stringify(amount.proof));
      writeFileSync(join(dir, "public.json"), JSON.stringify(amount.publicSignals));
      const { stdout } = await run("node", [
        SNARKJS,
        "groth16",
        "verify",
        artifactPaths("amount_limit").verificationKey,
        join(dir, "public.json"),
        join(dir, "proof.json"),
      ]);
      expect(stdout).to.match(/OK!/);
    });

    it("a `snarkjs groth16 fullprove` proof verifies with the SDK", async () => {
      const dir = mkdtempSync(join(tmpdir(), "zk-"));
      writeFileSync(
        join(dir, "input.json"),
        JSON.stringify(amountInputs({ amount: 5n, blinding: 6n, limit: 7n, message: 8n })),
      );
      const paths = artifactPaths("amount_limit");
      await run("node", [
        SNARKJS,
        "groth16",
        "fullprove",
        join(dir, "input.json"),
        paths.wasm,
        paths.zkey,
        join(dir, "proof.json"),
        join(dir, "public.json"),
      ]);
      const bundle = checkBundle({
        format: "clearhouse.proof/1",
        circuit: "amount_limit",
        proof: JSON.parse(readFileSync(join(dir, "proof.json"), "utf8")),
        publicSignals: JSON.parse(readFileSync(join(dir, "public.json"), "utf8")),
      });
      expect(await verify(bundle)).to.equal(true);
    });
  });

  describe("input validation names the wrong input", () => {
    it("kyc: a path that does not lead to the root", () => {
      const secret = KYC_SECRETS[0];
      const path = kyc.tree.path(identityCommitment(secret));
      const wrong = { ...path, siblings: path.siblings.map((s, i) => (i === 0 ? s + 1n : s)) };
      invalid(
        () => kycInputs({ secret, path: wrong, scope: 1n, message: 1n }),
        /Merkle path does not lead to root 0x[0-9a-f]{64}/,
      );
      invalid(
        () => kycInputs({ secret: secret + 1n, path, scope: 1n, message: 1n }),
        /Merkle path does not lead to root/,
      );
      invalid(() => kyc.tree.path(identityCommitment(999n)), /is not in this KYC tree/);
      invalid(
        () => kycInputs({ secret, path: { ...path, depth: 21 }, scope: 1n, message: 1n }),
        /depth.*above the circuit's maximum 20/,
      );
    });

    it("amount: over 64 bits, zero, over the limit", () => {
      invalid(
        () => amountInputs({ amount: 1n << 64n, blinding: 1n, limit: 1n, message: 0n }),
        /amount.*exceeds 64 bits/,
      );
      invalid(() => amountInputs({ amount: 0n, blinding: 1n, limit: 1n, message: 0n }), /amount.*is 0/);
      invalid(
        () => amountInputs({ amount: 11n, blinding: 1n, limit: 10n, message: 0n }),
        /amount.*exceeds the limit 10/,
      );
      invalid(() => amountInputs({ amount: 1n, blinding: -1n, limit: 10n, message: 0n }), /blinding/);
    });

    it("netting: wrong debtor, totals off by one, wrong root, too many counterparties", () => {
      const chunk = buildPrivateChunks(sampleRecords(6), { submitter: BANK, keyPrefix: "v" })[0];
      const raw = nettingInputs(chunk);
      const debtor = structuredClone(raw);
      ((debtor.records as string[][])[2] as string[])[1] = String(BigInt(CPS[0]));
      invalid(() => validateInputs("batch_netting_16", debtor), /records\[2\]\.debtorBank.*not the submitting bank/);
      const totals = structuredClone(raw);
      (totals.total as string[])[0] = String(BigInt((totals.total as string[])[0]) + 1n);
      invalid(() => validateInputs("batch_netting_16", totals), /total\[0\].*sum to/);
      invalid(() => validateInputs("batch_netting_16", { ...raw, root: "5" }), /not the anchored root/);
      invalid(() => validateInputs("batch_netting_16", { ...raw, extra: "1" }), /extra.*not an input/);
      const five = Array.from({ length: 5 }, (_, i) => toHex(BigInt(i + 1), { size: 20 }));
      invalid(
        () => nettingInputs({ ...chunk, header: { ...chunk.header, counterparties: five } }),
        /5 counterparties; a proof covers at most 4/,
      );
    });

    it("chunks: at most 16 payments and 4 creditors each, all the submitter's", () => {
      const creditors = Array.from({ length: 6 }, (_, i) => toHex(BigInt(0xc0 + i), { size: 20 }));
      const chunks = buildPrivateChunks(sampleRecords(40, BANK, creditors), { submitter: BANK, keyPrefix: "many" });
      expect(chunks.reduce((n, c) => n + c.records.length, 0)).to.equal(40);
      for (const c of chunks) {
        expect(c.records.length).to.be.at.most(16);
        expect(c.header.counterparties.length).to.be.at.most(4);
      }
      expect(new Set(chunks.map((c) => c.batchId)).size).to.equal(chunks.length);
      invalid(
        () => buildPrivateChunks(sampleRecords(2, CPS[0], [BANK]), { submitter: BANK, keyPrefix: "x" }),
        /records\[0\]\.debtorBank/,
      );
    });
  });

  describe("on chain (deployed by the deploy code)", () => {
    const fixture = () => settlementFixture();

    it("registers every circuit with its vk hash and the transcript hash; verifies on chain", async () => {
      const f = await loadFixture(fixture);
      const c = await f.gov.zk.getCircuit({ circuit: "kyc_membership" });
      expect(c.vkHash).to.equal(vkHashOf(verificationKey("kyc_membership")));
      expect(c.transcriptHash).to.equal(keccak256(readFileSync(TRANSCRIPT_PATH)));
      expect(c.verifier).to.equal(f.deployment.verifiers!.kyc_membership);
      expect(c.version).to.equal(1);
      expect(await f.gov.zk.getCircuit({ circuit: "kyc_membership", version: 1 })).to.deep.equal(c);
      expect(await f.gov.zk.verifyOnChain({ proof: kyc.bundle })).to.equal(true);
      const bad = structuredClone(kyc.bundle);
      bad.publicSignals[3] = "1";
      expect(await f.gov.zk.verifyOnChain({ proof: bad })).to.equal(false);
      expect(
        await f.gov.zk.isNullifierSpent({ circuit: "kyc_membership", nullifier: BigInt(kyc.bundle.publicSignals[1]) }),
      ).to.equal(false);
    });

    it("a bank anchors a private-mode chunk and declares it with its proof", async () => {
      const f = await loadFixture(fixture);
      const [alpine, baltic, celtic] = BANK_NAMES as readonly BankName[];
      const records = sampleRecords(10, f.addr[alpine], [f.addr[baltic], f.addr[celtic]]);
      const [chunk] = buildPrivateChunks(records, { submitter: f.addr[alpine], keyPrefix: "private-day" });
      const bundle = await prove("batch_netting_16", nettingInputs(chunk));
      const ch = f.bank[alpine];
      const submitted = await ch.settlement.submitBatch({ key: chunk.key, header: chunk.header });
      expect(submitted.batchId).to.equal(chunk.batchId);
      await f.bank[baltic].settlement.acknowledgeBatch({ batchId: chunk.batchId });
      await f.bank[celtic].settlement.acknowledgeBatch({ batchId: chunk.batchId });
      await f.operator.settlement.openCycle();
      const without = await rejectsWith(
        ch.settlement.declareBatch({ key: chunk.key, header: chunk.header }),
        ContractRevertError,
      );
      expect(without.message).to.match(/NettingTotalsMismatch|totals/i);
      const tampered = [...toCalldata(bundle).proof] as [
        bigint,
        bigint,
        bigint,
        bigint,
        bigint,
        bigint,
        bigint,
        bigint,
      ];
      tampered[0] += 1n;
      const refused = await rejectsWith(
        ch.settlement.declareProvedBatch({ key: chunk.key, header: chunk.header, proof: tampered }),
        ContractRevertError,
      );
      expect(refused.message).to.match(/batch_netting_16 proof does not verify/);
      await ch.settlement.declareProvedBatch({ key: chunk.key, header: chunk.header, proof: toCalldata(bundle).proof });
      await f.operator.settlement.closeCycle();
      expect(await ch.settlement.isBatchSettled({ batchId: chunk.batchId, debtor: f.addr[alpine] })).to.equal(true);
    });
  });
});
