/**
 * SM2 officials from the SDK, on the in-process Hardhat chain: key files, an SM2Signer deployed for a
 * key, added to the multisig through governance and approving a proposal that executes; an SM2
 * attestor releasing a milestone; SM2 signatures over another message, keys of another curve,
 * malformed key files and a signer holding another key refused with their errors.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { concat, keccak256, numberToHex, pad, stringToHex, type Address, type Hex } from "viem";
import {
  ContractRevertError,
  GovernanceFileError,
  InvalidArgumentError,
  MissingAccountError,
  Sm2CurveError,
  Sm2KeyError,
  Sm2SignerMismatchError,
  consortiumMultisigAbi,
  consortiumRegistryAbi,
  generateSm2KeyPair,
  getSm2SignerKey,
  signGovernanceFile,
  signHashSm2,
  sm2KeyPairOf,
  sm2PublicKeyOf,
  verifyHashSm2,
  type GovernanceFile,
  type SignatureFile,
} from "../../packages/sdk/src";
import { signGovernanceFileSm2, proposalOf } from "../../packages/sdk/src/governance";
import { parseAgreement, signAttestationSm2 } from "../../packages/sdk/src/payments";
import {
  deploySm2Signer,
  parseSm2KeyText,
  readAttestationFile,
  readSm2KeyFile,
  writeAttestationFile,
  writeSm2KeyFile,
} from "../../packages/sdk/src/node";
import { leiWithCheckDigits } from "../../packages/sdk/src/registry/identifiers";
import { Role } from "../../packages/sdk/src/registry/roles";
import { blockNumber, key, rejectsWith } from "./fixture";
import { MIN_DELAY, SENSITIVE_DELAY, governanceFixture, signerKey, type GovernanceFixture } from "./governanceFixture";
import { settlementFixture } from "./settlementFixture";

/** The GB/T 32918.5 example key (docs/crypto.md's test vector). */
const STANDARD_D = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";
const STANDARD_PUB =
  "0x0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13";

const dir = mkdtempSync(join(tmpdir(), "sm2-"));

describe("SM2 keys and signatures (SDK)", () => {
  it("derives the standard's public key, signs as SM2Signer expects, verifies offline", () => {
    const k = sm2KeyPairOf(STANDARD_D);
    expect(k.publicKey.uncompressed).to.equal(STANDARD_PUB);
    const hash = keccak256(stringToHex("Clearhouse SM2Signer test vector"));
    const sig = signHashSm2(hash, k);
    expect(sig).to.have.length(130);
    expect(verifyHashSm2(hash, sig, k.publicKey)).to.equal(true);
    expect(verifyHashSm2(keccak256("0x01"), sig, k.publicKey)).to.equal(false);
    expect(verifyHashSm2(hash, sig, generateSm2KeyPair().publicKey)).to.equal(false);
  });

  it("writes a key file (0600, never overwritten) and reads it, bare hex and PEM too", () => {
    const k = generateSm2KeyPair();
    const path = join(dir, "official.sm2.json");
    writeSm2KeyFile(path, k);
    expect(readSm2KeyFile(path)).to.deep.equal(k);
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
    expect(Object.keys(json)).to.deep.equal(["format", "curve", "privateKey", "publicKey"]);
    expect(() => writeSm2KeyFile(path, k)).to.throw(Sm2KeyError, /exists already/);
    expect(parseSm2KeyText(`${STANDARD_D}\n`).publicKey.uncompressed).to.equal(STANDARD_PUB);
    // SEC 1 EC PRIVATE KEY on sm2p256v1 (OID 1.2.156.10197.1.301), as OpenSSL writes it.
    const der = `30310201010420${STANDARD_D}a00a06082a811ccf5501822d`;
    const pem = `-----BEGIN EC PRIVATE KEY-----\n${Buffer.from(der, "hex").toString("base64")}\n-----END EC PRIVATE KEY-----\n`;
    expect(parseSm2KeyText(pem).publicKey.uncompressed).to.equal(STANDARD_PUB);
  });

  it("refuses malformed key files (Sm2KeyError) and keys of another curve (Sm2CurveError)", () => {
    const k = generateSm2KeyPair();
    const file = { format: "clearhouse.sm2-key/1", curve: "sm2p256v1", privateKey: k.privateKey.slice(2) };
    const bad: [string, RegExp][] = [
      ["not a key", /is not an SM2 key file/],
      ["{", /is not valid JSON/],
      [JSON.stringify({ ...file, format: "x" }), /format must be "clearhouse.sm2-key\/1"/],
      [JSON.stringify({ ...file, privateKey: "12" }), /is not a private key of 64 hex digits/],
      [JSON.stringify({ ...file, privateKey: "00".repeat(32) }), /is not a private key in \[2, n − 2\]/],
      [
        JSON.stringify({ ...file, publicKey: generateSm2KeyPair().publicKey.uncompressed.slice(2) }),
        /publicKey is not the private key's/,
      ],
    ];
    for (const [text, message] of bad)
      expect(() => parseSm2KeyText(text, "k.json"))
        .to.throw(Sm2KeyError, message)
        .with.property("category", "input");
    // secp256k1: its public key is no sm2p256v1 point; a file or PEM naming the curve is refused as such.
    const secpPublic = key(3).publicKey;
    const wrong: [string, RegExp][] = [
      [JSON.stringify({ ...file, curve: "secp256k1" }), /is a key of curve "secp256k1"; an SM2Signer takes sm2p256v1/],
      [JSON.stringify({ ...file, publicKey: secpPublic.slice(2) }), /publicKey: is not a point of sm2p256v1/],
      [
        `-----BEGIN EC PRIVATE KEY-----\n${Buffer.from(`302e0201010420${"11".repeat(32)}a00706052b8104000a`, "hex").toString("base64")}\n-----END EC PRIVATE KEY-----`,
        /is a secp256k1 key/,
      ],
    ];
    for (const [text, message] of wrong)
      expect(() => parseSm2KeyText(text, "k.json"))
        .to.throw(Sm2CurveError, message)
        .with.property("category", "input");
    expect(() => sm2PublicKeyOf(secpPublic)).to.throw(Sm2CurveError);
  });
});

/** A proposal to raise the governance fixture's bank limits (lane `lane`). */
const limitsProposal = (f: GovernanceFixture, lane: bigint, daily: bigint): Promise<GovernanceFile> =>
  f.anyone.governance.buildProposal({
    target: f.deployment.contracts.ConsortiumRegistry.proxy,
    call: { abi: consortiumRegistryAbi, functionName: "setLimits", args: [f.bank, 500n, daily] },
    lane,
    description: `Gov Bank's daily limit ${daily}`,
  });

/** Governance with one more signer: an SM2Signer for `official`, added through the multisig. */
async function sm2GovernanceFixture() {
  const f = await governanceFixture();
  const official = sm2KeyPairOf(STANDARD_D);
  const deployed = await deploySm2Signer(f.anyone.context, { publicKey: official.publicKey });
  const multisig = f.deployment.contracts.ConsortiumMultisig!.address;
  const add = await f.anyone.governance.buildProposal({
    target: multisig,
    call: { abi: consortiumMultisigAbi, functionName: "addSigner", args: [deployed.address, 3] },
    description: "Add the SM2 official as a signer",
  });
  const sigs = await Promise.all([0, 1, 2].map((i) => signGovernanceFile(add, signerKey(i))));
  await f.anyone.governance.queueProposal({ file: add, signatures: sigs });
  await time.increase(SENSITIVE_DELAY);
  await f.anyone.governance.executeProposal({ file: add });
  return { ...f, official, sm2Signer: deployed.address, deployGas: deployed.gasUsed };
}

describe("An SM2Signer as a multisig signer (real Hardhat network)", function () {
  this.timeout(120_000);

  it("deploys for the key, is added through governance, and its SM2 approval executes a proposal", async () => {
    const f = await loadFixture(sm2GovernanceFixture);
    expect((await f.anyone.governance.getGovernance()).signers).to.include(f.sm2Signer);
    // The SM2 official and two key holders reach the 3-of-6 threshold.
    const file = await limitsProposal(f, 1n, 7_000n);
    const offline = JSON.parse(JSON.stringify(file)) as GovernanceFile;
    const sm2Sig = signGovernanceFileSm2(offline, f.official, f.sm2Signer);
    expect(sm2Sig).to.include({ scheme: "sm2", publicKey: STANDARD_PUB, signer: f.sm2Signer });
    const sigs = [sm2Sig, ...(await Promise.all([3, 4].map((i) => signGovernanceFile(file, signerKey(i)))))];
    const status = await f.anyone.governance.getProposalStatus({ file, signatures: sigs });
    expect(status.state).to.equal("ready-to-queue");
    const sm2Queue = await f.anyone.governance.queueProposal({ file, signatures: sigs });
    await time.increase(MIN_DELAY);
    await f.anyone.governance.executeProposal({ file });
    expect((await f.anyone.registry.getMember({ account: f.bank })).maxDailyOutflow).to.equal(7_000n);
    // The same kind of proposal approved by three ECDSA keys, for the gas comparison.
    const other = await limitsProposal(f, 2n, 8_000n);
    const ecdsa = await Promise.all([0, 3, 4].map((i) => signGovernanceFile(other, signerKey(i))));
    const ecdsaQueue = await f.anyone.governance.queueProposal({ file: other, signatures: ecdsa });
    console.log(
      `      gas: queue with 2 ECDSA + 1 SM2 approvals ${sm2Queue.gasUsed}, with 3 ECDSA ${ecdsaQueue.gasUsed}: the SM2 approval costs ${sm2Queue.gasUsed - ecdsaQueue.gasUsed} more than an ECDSA one; SM2Signer deployment ${f.deployGas}`,
    );
    expect(sm2Queue.gasUsed - ecdsaQueue.gasUsed).to.be.within(250_000n, 400_000n);
  });

  it("refuses an SM2 signature over another message: offline (GovernanceFileError) and on chain (MultisigInvalidSignature)", async () => {
    const f = await loadFixture(sm2GovernanceFixture);
    const file = await limitsProposal(f, 1n, 7_000n);
    const decoy = await limitsProposal(f, 3n, 1n);
    const forged: SignatureFile = {
      ...signGovernanceFileSm2(file, f.official, f.sm2Signer),
      signature: signGovernanceFileSm2(decoy, f.official, f.sm2Signer).signature,
    };
    const offline = await rejectsWith(
      f.anyone.governance.queueProposal({ file, signatures: [forged] }),
      GovernanceFileError,
    );
    expect(offline.message).to.match(
      /signature is not the SM2 key 0x0409f9df311e…'s signature of 0x[0-9a-f]{64} \(it signs another message/,
    );
    // Past the SDK's check, the multisig itself refuses the entry.
    const ecdsa = await Promise.all([3, 4].map((i) => signGovernanceFile(file, signerKey(i))));
    const entry = concat([pad(f.sm2Signer), numberToHex(64, { size: 32 }), "0x00", forged.signature]);
    const blob = concat([entry, ...ecdsa.map((s) => s.signature)]);
    const n = await blockNumber();
    const onChain = await rejectsWith(
      f.anyone.context.publicClient.simulateContract({
        address: f.deployment.contracts.ConsortiumMultisig!.address,
        abi: consortiumMultisigAbi,
        functionName: "queue",
        args: [proposalOf(file), blob],
        account: key(16).address,
      }),
      Error,
    );
    expect(onChain.message).to.match(/MultisigInvalidSignature/);
    expect(await blockNumber()).to.equal(n);
  });

  it("deploySm2Signer needs an account (MissingAccountError); the deployed signer holds the key", async () => {
    const f = await loadFixture(sm2GovernanceFixture);
    const readOnly = { ...f.anyone.context, walletClient: undefined };
    await rejectsWith(deploySm2Signer(readOnly, { publicKey: f.official.publicKey }), MissingAccountError);
    expect((await getSm2SignerKey(f.anyone.context, f.sm2Signer)).uncompressed).to.equal(STANDARD_PUB);
  });

  it("refuses, before sending, a signature naming an SM2Signer that holds another key", async () => {
    const f = await loadFixture(sm2GovernanceFixture);
    const stranger = generateSm2KeyPair();
    const file = await limitsProposal(f, 1n, 7_000n);
    const sigs = [
      signGovernanceFileSm2(file, stranger, f.sm2Signer),
      ...(await Promise.all([3, 4].map((i) => signGovernanceFile(file, signerKey(i))))),
    ];
    const n = await blockNumber();
    const error = await rejectsWith(
      f.anyone.governance.queueProposal({ file, signatures: sigs }),
      Sm2SignerMismatchError,
    );
    expect(error.message).to.match(
      new RegExp(`^${f.sm2Signer} holds the SM2 key 0x0409f9df311e…2da9ad13, not the signing key`),
    );
    expect(error.category).to.equal("input");
    const eoa = await rejectsWith(
      f.anyone.governance.queueProposal({ file, signatures: [signGovernanceFileSm2(file, stranger, key(3).address)] }),
      Sm2SignerMismatchError,
    );
    expect(eoa.message).to.match(/is not a contract \(no SM2Signer there\)/);
    expect(await blockNumber()).to.equal(n);
  });
});

/** The settlement fixture with an SM2Signer admitted as a corporate member (attestors are members). */
async function sm2EscrowFixture() {
  const f = await settlementFixture();
  const official = generateSm2KeyPair();
  const { address: signer } = await deploySm2Signer(f.gov.context, { publicKey: official.publicKey });
  await f.gov.registry.admitMember({
    account: signer,
    roles: Role.CORPORATE,
    lei: leiWithCheckDigits("5493000SM2ATTEST00"),
    name: "SM2 inspector",
    maxSingleTransfer: 1n,
    maxDailyOutflow: 1n,
  });
  const now = (await f.gov.context.publicClient.getBlock()).timestamp;
  const spec = parseAgreement(
    {
      format: "clearhouse.agreement/1",
      reference: "PO-SM2",
      arbiter: f.addr.danube,
      attestors: [signer],
      threshold: 1,
      milestones: [
        {
          payee: f.addr.baltic,
          amount: "10.00",
          deadline: "+10d",
          combine: "all",
          conditions: [{ attestation: { kind: "delivered", by: [signer] } }],
        },
      ],
    },
    "test",
    { now, decimals: 2 },
  );
  const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec });
  return { f, official, signer, agreementId, now };
}

const attest = (
  x: { f: { deployment: { chainId: number; contracts: { ConditionalEscrow?: { proxy: Address } } } }; now: bigint },
  agreementId: bigint,
  evidenceHash: Hex,
) => ({
  escrow: x.f.deployment.contracts.ConditionalEscrow!.proxy,
  chainId: x.f.deployment.chainId,
  agreementId,
  milestone: 0,
  kind: "delivered" as const,
  evidenceHash,
  deadline: x.now + 86_400n,
});

describe("An SM2 attestor (real Hardhat network)", function () {
  this.timeout(120_000);

  it("signs an attestation offline with its SM2 key; submitted, it releases the milestone", async () => {
    const x = await loadFixture(sm2EscrowFixture);
    const signed = signAttestationSm2(x.official, x.signer, attest(x, x.agreementId, keccak256(stringToHex("pod"))));
    const path = join(dir, "sm2.att.json");
    writeAttestationFile(path, signed);
    const read = await readAttestationFile(path);
    expect(read).to.deep.equal(signed);
    const tx = await x.f.bank.baltic.payments.submitAttestations({ attestations: [read] });
    console.log(`      gas: an SM2 attestation submitted ${tx.gasUsed}`);
    await x.f.bank.baltic.payments.release({ agreementId: x.agreementId, milestone: 0 });
    expect((await x.f.gov.payments.getAgreement({ agreementId: x.agreementId })).milestones[0].status).to.equal(
      "Released",
    );
  });

  it("refuses an SM2 attestation over another message: reading the file, and in the escrow (EscrowInvalidSignature)", async () => {
    const x = await loadFixture(sm2EscrowFixture);
    const evidence = keccak256(stringToHex("pod"));
    const real = signAttestationSm2(x.official, x.signer, attest(x, x.agreementId, evidence));
    const other = signAttestationSm2(x.official, x.signer, attest(x, x.agreementId, keccak256("0x02")));
    const forged = { ...real, signature: other.signature };
    const path = join(dir, "forged.att.json");
    writeAttestationFile(path, forged);
    const read = await rejectsWith(readAttestationFile(path), InvalidArgumentError);
    expect(read.message).to.match(
      /forged\.att\.json: signature.*is not the SM2 key 0x04.*'s signature of this attestation/,
    );
    const n = await blockNumber();
    const onChain = await rejectsWith(
      x.f.bank.baltic.payments.submitAttestations({ attestations: [forged] }),
      ContractRevertError,
    );
    expect(onChain.errorName).to.equal("EscrowInvalidSignature");
    expect(await blockNumber()).to.equal(n);
    // A file whose key is not the signer's is refused before sending.
    const stranger = signAttestationSm2(generateSm2KeyPair(), x.signer, attest(x, x.agreementId, evidence));
    await rejectsWith(
      x.f.bank.baltic.payments.submitAttestations({ attestations: [stranger] }),
      Sm2SignerMismatchError,
    );
    await rejectsWith(
      x.f.bank.baltic.payments.submitMissingAttestations({ attestations: [stranger] }),
      Sm2SignerMismatchError,
    );
    expect(await blockNumber()).to.equal(n);
  });
});
