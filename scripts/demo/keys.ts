/**
 * Keys as banks hold them: a new bank, a member account whose first key is generated inside an HSM
 * (a temporary SoftHSM2 token; a file key when SoftHSM2 is absent), admitted through governance,
 * submits a batch signed in the token, rotates to a new key (the old one refused at once, the
 * bank's index and history kept); and an SM2 official — an SM2Signer added to the multisig through governance
 * — approves a proposal with an SM2 signature, beside the same change approved by ECDSA keys.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, parseEther, stringToHex, type Address, type Hex, type LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  Role,
  buildBatch,
  consortiumMultisigAbi,
  consortiumRegistryAbi,
  generateSm2KeyPair,
  leiWithCheckDigits,
  signGovernanceFile,
  type Clearhouse,
  type GovernanceFile,
  type PaymentRecord,
  type SignatureFile,
} from "../../packages/sdk/src";
import { signGovernanceFileSm2 } from "../../packages/sdk/src/governance";
import { leiHash } from "../../packages/sdk/src/registry/identifiers";
import { accountHash } from "../../packages/sdk/src/settlement/record";
import {
  DEFAULT_PKCS11_MODULE,
  deploySm2Signer,
  generatePkcs11Key,
  pkcs11Account,
  readSm2KeyFile,
  writeSm2KeyFile,
} from "../../packages/sdk/src/node";
import { waitAndExecute, type Queued } from "./governed";
import { EUR, account, participant } from "./participants";

export interface KeysContext {
  /** The deployer's client: `as` gives any participant's. */
  governance: Clearhouse;
  relayer: Clearhouse;
  addr: (key: string) => Address;
  log: (line: string) => void;
  valueDate: string;
}

interface HsmKeys {
  account: LocalAccount;
  uri: string;
  /** Another key generated in the same token. */
  another: (label: string) => { account: LocalAccount; uri: string };
}

/** A key in a temporary SoftHSM2 token, or why SoftHSM2 cannot be used. */
function hsmKey(dir: string): HsmKeys | string {
  const module = process.env.CLEARHOUSE_PKCS11_MODULE || DEFAULT_PKCS11_MODULE;
  try {
    execFileSync("sh", ["-c", "command -v softhsm2-util"], { stdio: "ignore" });
  } catch {
    return "softhsm2-util is not on PATH";
  }
  if (!existsSync(module)) return `the PKCS#11 module ${module} is missing`;
  mkdirSync(join(dir, "tokens"), { recursive: true });
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf; // read when this process initialises the module
  const pin = "4711-demo";
  execFileSync("softhsm2-util", ["--init-token", "--free", "--label", "demo-bank", "--pin", pin, "--so-pin", "98765"], {
    env: process.env,
    stdio: "ignore",
  });
  try {
    const make = (label: string) => {
      const key = generatePkcs11Key({ token: "demo-bank", label, pin, module });
      return { account: pkcs11Account({ uri: key.uri, pin, module }), uri: key.uri };
    };
    return { ...make("settlement-1"), another: make };
  } catch (e) {
    return `the PKCS#11 module does not load (${(e as Error).message.split("\n")[0]})`;
  }
}

/** Propose `change`, sign it offline with `sign`, queue it. */
async function queueSigned(
  c: KeysContext,
  change: {
    target: Address;
    abi: typeof consortiumRegistryAbi | typeof consortiumMultisigAbi;
    functionName: string;
    args: readonly unknown[];
    lane: bigint;
    description: string;
  },
  sign: (file: GovernanceFile) => Promise<SignatureFile[]>,
): Promise<Queued> {
  const file = await c.relayer.governance.buildProposal({
    target: change.target,
    call: { abi: change.abi, functionName: change.functionName, args: change.args } as never,
    lane: change.lane,
    description: change.description,
  });
  const signatures = await sign(JSON.parse(JSON.stringify(file)) as GovernanceFile);
  const gas = (await c.relayer.governance.queueProposal({ file, signatures })).gasUsed;
  const status = await c.relayer.governance.getProposalStatus({ file });
  return { file, delay: status.delay, gas };
}

const ecdsa = (signers: readonly string[]) => (file: GovernanceFile) =>
  Promise.all(signers.map((k) => signGovernanceFile(file, account(participant(k).index))));

export async function keysStep(c: KeysContext): Promise<{ gas: bigint; proposals: number }> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-demo-keys-"));
  const registry = c.relayer.deployment.contracts.ConsortiumRegistry.proxy;
  const multisig = c.relayer.deployment.contracts.ConsortiumMultisig!.address;
  let gas = 0n;
  try {
    // (a) the new bank's submitting key, generated where it stays
    const hsm = hsmKey(join(dir, "hsm"));
    let bankKey: LocalAccount;
    const where = typeof hsm === "string" ? "in a file" : "in its HSM";
    if (typeof hsm === "string") {
      c.log(`SoftHSM2 not found: this step uses a file key (${hsm})`);
      const keyPath = join(dir, "vistula.key");
      writeFileSync(keyPath, generatePrivateKey(), { mode: 0o600 });
      bankKey = privateKeyToAccount(readFileSync(keyPath, "utf8").trim() as Hex);
    } else {
      c.log(
        `Vistula Bank's key generated inside a SoftHSM2 token (${hsm.uri}), not extractable: ${hsm.account.address}`,
      );
      bankKey = hsm.account;
    }
    // (b) an SM2 official of the regulator: an SM2 key file, and the SM2Signer that stands for it
    const keyFile = join(dir, "official.sm2.json");
    writeSm2KeyFile(keyFile, generateSm2KeyPair());
    const official = readSm2KeyFile(keyFile);
    const signer = await deploySm2Signer(c.relayer.context, { publicKey: official.publicKey });
    gas += signer.gasUsed;
    c.log(
      `an SM2 official's key (sm2p256v1) ${official.publicKey.uncompressed.slice(0, 14)}…: SM2Signer ${signer.address} deployed (gas ${signer.gasUsed})`,
    );

    // Vistula Bank is a member account: its identity stays while its keys rotate (decision 045)
    await c.governance.context.walletClient!.sendTransaction({
      to: bankKey.address,
      value: parseEther("1"),
      chain: null,
    });
    const created = await c.relayer.accounts.createMemberAccount({
      firstKey: bankKey.address,
      salt: keccak256(stringToHex("vistula-bank")),
    });
    const vistula = created.account;
    gas += created.gasUsed;
    c.log(`Vistula Bank's member account ${vistula}, its first key the one ${where} (all roles)`);

    const round1 = [
      await queueSigned(
        c,
        {
          target: registry,
          abi: consortiumRegistryAbi,
          functionName: "admitMember",
          args: [
            vistula,
            Role.MEMBER_BANK,
            leiHash(leiWithCheckDigits("5493000VISTULABNK0")),
            "Vistula Bank",
            EUR(100_000),
            EUR(500_000),
          ],
          lane: 5n,
          description: `Admit Vistula Bank (its key ${where})`,
        },
        ecdsa(["operator", "alpine", "celtic"]),
      ),
      await queueSigned(
        c,
        {
          target: multisig,
          abi: consortiumMultisigAbi,
          functionName: "addSigner",
          args: [signer.address, 3],
          lane: 6n,
          description: "Add the SM2 official's SM2Signer as a multisig signer",
        },
        ecdsa(["operator", "baltic", "danube"]),
      ),
    ];
    c.log("governance admits Vistula Bank's account and adds the SM2Signer as a signer (two lanes)");
    gas += await waitAndExecute(c.relayer, round1, c.log);

    const bank = c.governance.as(bankKey, vistula);
    gas += (await bank.settlement.enroll()).tx?.gasUsed ?? 0n;
    const records: PaymentRecord[] = ["alpine", "baltic", "alpine"].map((to, i) => ({
      paymentId: `VIST-${i + 1}`,
      debtorBank: vistula,
      creditorBank: c.addr(to),
      amount: EUR(1_000 * (i + 1)),
      currency: "EUR",
      valueDate: c.valueDate,
      endToEndId: `VIST-E2E-${i + 1}`,
      debtorAccountHash: accountHash(`PL61VIST${String(i).padStart(16, "0")}`),
      creditorAccountHash: accountHash(`CH93ALPN${String(i).padStart(13, "0")}`),
    }));
    const batch = buildBatch(records, { submitter: vistula, key: `${c.valueDate}-vistula` });
    const anchored = await bank.settlement.submitBatch({ key: batch.key, header: batch.header });
    gas += anchored.tx?.gasUsed ?? 0n;
    c.log(
      `Vistula Bank enrolls and anchors a batch of ${records.length} payments, every transaction signed ${typeof hsm === "string" ? "with its file key" : "inside the token"}: batch ${anchored.batchId.slice(0, 10)}… (gas ${anchored.tx?.gasUsed})`,
    );

    // rotation: a new key, the old one revoked; the account keeps its index, sequence and batches
    const next =
      typeof hsm === "string" ? privateKeyToAccount(generatePrivateKey()) : hsm.another("settlement-2").account;
    await c.governance.context.walletClient!.sendTransaction({ to: next.address, value: parseEther("1"), chain: null });
    gas += (
      await bank.accounts.authorizeKey({ account: vistula, key: next.address, roles: ["submit", "approve", "operate"] })
    ).gasUsed;
    const rotated = c.governance.as(next, vistula);
    gas += (await rotated.accounts.revokeKey({ account: vistula, key: bankKey.address })).gasUsed;
    const second = buildBatch(
      records.map((r) => ({ ...r, paymentId: `${r.paymentId}-b`, endToEndId: `${r.endToEndId}-b` })),
      { submitter: vistula, key: `${c.valueDate}-vistula-2` },
    );
    const refused = await bank.settlement
      .submitBatch({ key: second.key, header: second.header })
      .then(() => "accepted")
      .catch((e: Error) => e.message.split("\n")[0]);
    if (!/MemberAccountUnauthorized/.test(refused)) throw new Error(`the revoked key was not refused: ${refused}`);
    const sent = await rotated.settlement.submitBatch({ key: second.key, header: second.header });
    gas += sent.tx?.gasUsed ?? 0n;
    const ledgerBank = await c.relayer.settlement.getLedgerBank({ bank: vistula });
    const check = await c.relayer.registry.checkTransaction({ sender: bankKey.address, target: vistula });
    c.log(
      `key rotated (${bankKey.address.slice(0, 10)}… → ${next.address.slice(0, 10)}…, ${typeof hsm === "string" ? "file keys" : "both in the token"}): the old key is refused by the account (${refused.slice(0, 60)}…) and by the chain (${check.reason.name}); the new one anchors batch ${sent.batchId.slice(0, 10)}…; Vistula keeps ledger index ${ledgerBank.index}, sequence now ${ledgerBank.sequence}`,
    );

    // one change approved by the SM2 official and two key holders, the same change by three key holders
    const limits = (who: Address, lane: bigint, what: string) => ({
      target: registry,
      abi: consortiumRegistryAbi,
      functionName: "setLimits",
      args: [who, EUR(200_000), EUR(800_000)],
      lane,
      description: `Raise ${what}'s limits to €200,000 / €800,000`,
    });
    const bySm2 = await queueSigned(c, limits(vistula, 5n, "Vistula Bank"), async (file) => [
      signGovernanceFileSm2(file, official, signer.address),
      ...(await ecdsa(["operator", "alpine"])(file)),
    ]);
    const byEcdsa = await queueSigned(
      c,
      limits(c.addr("acme"), 6n, "Acme Logistics"),
      ecdsa(["operator", "alpine", "celtic"]),
    );
    c.log(
      `signed offline by the SM2 official (SM2, SM3, default ID) + 2 ECDSA keys: queued, gas ${bySm2.gas}; the same change by 3 ECDSA keys: gas ${byEcdsa.gas} — the SM2 approval costs ${bySm2.gas - byEcdsa.gas} gas more than an ECDSA one`,
    );
    gas += await waitAndExecute(c.relayer, [bySm2, byEcdsa], c.log);
    const m = await c.relayer.registry.getMember({ account: vistula });
    c.log(
      `Vistula Bank's daily limit is now €${Number(m.maxDailyOutflow / 100n).toLocaleString("en")}: the SM2 official's approval counted (step: ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return { gas, proposals: 4 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
