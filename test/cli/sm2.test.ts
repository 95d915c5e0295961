/**
 * `clearhouse sm2 …` and SM2 offline signing in `gov sign` / `pay attest` against the in-process
 * chain: a key file made, its SM2Signer deployed and added to the multisig, its signature queuing a
 * proposal that executes; malformed and wrong-curve key files, a missing --signer and a signer
 * holding another key each exit 2 with one line, nothing sent.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { consortiumMultisigAbi, consortiumRegistryAbi, signGovernanceFile } from "../../packages/sdk/src";
import { readAttestationFile } from "../../packages/sdk/src/node";
import { blockNumber } from "../sdk/fixture";
import { MIN_DELAY, SENSITIVE_DELAY, governanceFixture, signerKey } from "../sdk/governanceFixture";
import { cliWorkspace, expectFailure, jsonResult } from "./harness";

async function fixture() {
  const f = await governanceFixture();
  const w = cliWorkspace(f.deployment, "sm2");
  const limits = await f.anyone.governance.buildProposal({
    target: f.deployment.contracts.ConsortiumRegistry.proxy,
    call: { abi: consortiumRegistryAbi, functionName: "setLimits", args: [f.bank, 500n, 9_000n] },
    lane: 1n,
    description: "Gov Bank's daily limit 90.00",
  });
  const proposal = join(w.dir, "limits.json");
  writeFileSync(proposal, JSON.stringify(limits));
  return { f, w, limits, proposal };
}

describe("CLI: SM2 officials", function () {
  this.timeout(120_000);

  it("keygen → address → deploy-signer → added as a signer → gov sign --sm2-key queues and executes", async () => {
    const { f, w, limits, proposal } = await loadFixture(fixture);
    const keyFile = join(w.dir, "official.sm2.json");
    const made = jsonResult<{ publicKey: string }>(await w.cli("--json", "sm2", "keygen", "--out", keyFile));
    expect(made.publicKey).to.match(/^0x04[0-9a-f]{128}$/);
    expectFailure(await w.cli("sm2", "keygen", "--out", keyFile), 2, /official\.sm2\.json: exists already\./);
    const shown = await w.cli("sm2", "address", "--key-file", keyFile);
    expect(shown.out).to.match(new RegExp(`^public key ${made.publicKey}\\n  x 0x[0-9a-f]{64}\\n  y 0x[0-9a-f]{64}`));
    const deployed = jsonResult<{ address: `0x${string}`; gasUsed: string }>(
      await w.cli("--json", "sm2", "deploy-signer", "--sm2-key", keyFile, "--key-file", w.keyFile(16)),
    );
    const checked = await w.cli("sm2", "address", "--key-file", keyFile, "--signer", deployed.address);
    expect(checked.out).to.include(`signer     ${deployed.address} holds this key`);
    // governance adds the SM2Signer as a sixth signer, threshold 3
    const add = await f.anyone.governance.buildProposal({
      target: f.deployment.contracts.ConsortiumMultisig!.address,
      call: { abi: consortiumMultisigAbi, functionName: "addSigner", args: [deployed.address, 3] },
      description: "Add the SM2 official",
    });
    const sigs = await Promise.all([0, 1, 2].map((i) => signGovernanceFile(add, signerKey(i))));
    await f.anyone.governance.queueProposal({ file: add, signatures: sigs });
    await time.increase(SENSITIVE_DELAY);
    await f.anyone.governance.executeProposal({ file: add });
    // the official signs offline with the SM2 key; two key holders sign with theirs
    const sm2Sig = join(w.dir, "sm2.sig.json");
    const signed = await w.cli(
      "gov",
      "sign",
      proposal,
      "--sm2-key",
      keyFile,
      "--signer",
      deployed.address,
      "--out",
      sm2Sig,
    );
    expect(signed.code, signed.err).to.equal(0);
    expect(signed.out).to.include(`signer    ${deployed.address} (SM2Signer; SM2 key ${made.publicKey.slice(0, 14)}…)`);
    expect(JSON.parse(readFileSync(sm2Sig, "utf8"))).to.include({ scheme: "sm2", publicKey: made.publicKey });
    const others: string[] = [];
    for (const i of [3, 4]) {
      const out = join(w.dir, `s${i}.sig.json`);
      writeFileSync(out, JSON.stringify(await signGovernanceFile(limits, signerKey(i))));
      others.push(out);
    }
    const queued = await w.cli("gov", "queue", proposal, sm2Sig, ...others, "--key-file", w.keyFile(16));
    expect(queued.code, queued.err).to.equal(0);
    expect(queued.out).to.match(/^Queued 0x[0-9a-f]{64}/);
    await time.increase(MIN_DELAY);
    const executed = await w.cli("gov", "execute", proposal, "--key-file", w.keyFile(16));
    expect(executed.code, executed.err).to.equal(0);
    expect((await f.anyone.registry.getMember({ account: f.bank })).maxDailyOutflow).to.equal(9_000n);
    // an attestation signed offline with the SM2 key names the SM2Signer and carries the key
    const att = join(w.dir, "pod.att.json");
    const attested = await w.cli(
      ...["pay", "attest", "1", "0", "--kind", "delivered", "--evidence", "pod"],
      ...["--sm2-key", keyFile, "--signer", deployed.address, "--out", att],
    );
    expect(attested.code, attested.err).to.equal(0);
    const read = await readAttestationFile(att);
    expect(read).to.include({ signer: deployed.address, publicKey: made.publicKey });
  });

  it("refuses malformed and wrong-curve key files, a missing --signer and a signer holding another key: exit 2, nothing sent", async () => {
    const { f, w, proposal } = await loadFixture(fixture);
    const keyFile = join(w.dir, "a.sm2.json");
    const otherKey = join(w.dir, "b.sm2.json");
    expect((await w.cli("sm2", "keygen", "--out", keyFile)).code).to.equal(0);
    expect((await w.cli("sm2", "keygen", "--out", otherKey)).code).to.equal(0);
    const other = jsonResult<{ address: string }>(
      await w.cli("--json", "sm2", "deploy-signer", "--sm2-key", otherKey, "--key-file", w.keyFile(16)),
    );
    const malformed = join(w.dir, "malformed.json");
    writeFileSync(malformed, '{"format":"clearhouse.sm2-key/1","curve":"sm2p256v1","privateKey":"12"}');
    const secp = join(w.dir, "secp.json");
    const json = JSON.parse(readFileSync(keyFile, "utf8")) as Record<string, string>;
    writeFileSync(secp, JSON.stringify({ ...json, curve: "secp256k1" }));
    const n = await blockNumber();
    const sign = (key: string, ...extra: string[]) => w.cli("gov", "sign", proposal, "--sm2-key", key, ...extra);
    expectFailure(
      await sign(malformed, "--signer", other.address),
      2,
      /privateKey: is not a private key of 64 hex digits\./,
    );
    expectFailure(
      await sign(secp, "--signer", other.address),
      2,
      /is a key of curve "secp256k1"; an SM2Signer takes sm2p256v1 keys only\./,
    );
    expectFailure(
      await sign(keyFile),
      2,
      /--signer is missing: an SM2 key signs for the SM2Signer contract that holds it\./,
    );
    expectFailure(await sign(keyFile, "--signer", "0x12"), 2, /--signer 0x12 is not an address\./);
    expectFailure(
      await w.cli(
        "pay",
        "attest",
        "1",
        "0",
        "--kind",
        "delivered",
        "--evidence",
        "x",
        "--sm2-key",
        keyFile,
        "--signer",
        other.address,
      ),
      2,
      /--sm2-key signs offline: pass --out <file>\./,
    );
    expectFailure(
      await w.cli("sm2", "address", "--key-file", keyFile, "--signer", other.address),
      2,
      new RegExp(`${other.address} holds the SM2 key 0x04[0-9a-f]{10}…[0-9a-f]{8}, not the signing key`),
    );
    expectFailure(await w.cli("sm2", "deploy-signer", "--sm2-key", secp, "--key-file", w.keyFile(16)), 2, /secp256k1/);
    expect(await blockNumber()).to.equal(n);
    // signed with a key its named signer (a multisig signer) does not hold: refused before queueing
    const add = await f.anyone.governance.buildProposal({
      target: f.deployment.contracts.ConsortiumMultisig!.address,
      call: { abi: consortiumMultisigAbi, functionName: "addSigner", args: [other.address as `0x${string}`, 3] },
      description: "Add the SM2 official",
    });
    const sigs = await Promise.all([0, 1, 2].map((i) => signGovernanceFile(add, signerKey(i))));
    await f.anyone.governance.queueProposal({ file: add, signatures: sigs });
    await time.increase(SENSITIVE_DELAY);
    await f.anyone.governance.executeProposal({ file: add });
    const before = await blockNumber();
    const sig = join(w.dir, "wrong.sig.json");
    expect((await sign(keyFile, "--signer", other.address, "--out", sig)).code).to.equal(0);
    expectFailure(
      await w.cli("gov", "queue", proposal, sig, "--key-file", w.keyFile(16)),
      2,
      /holds the SM2 key .*, not the signing key/,
    );
    expect(await blockNumber()).to.equal(before);
  });
});
