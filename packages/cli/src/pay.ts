import { existsSync, readFileSync } from "node:fs";
import { Command } from "commander";
import { isHex, keccak256, stringToHex, type Hex } from "viem";
import { contractOf, fromMinorUnits, toMinorUnits } from "@clearhouse/sdk";
import { loadDeployment, readAttestationFile, readSm2KeyFile, writeAttestationFile } from "@clearhouse/sdk/node";
import { signAttestation, signAttestationSm2, evidenceHashOf } from "@clearhouse/sdk/payments";
import { agreementFromTemplate, templateNames } from "@clearhouse/sdk/node";
import { parseAttestationKind, parseDuration, type AgreementSpec } from "@clearhouse/sdk/payments";
import { readBundle } from "./zk";
import { UsageError } from "./exit";
import { submitJson, submitReport } from "./paySubmit";
import { connect, DEFAULT_DEPLOYMENT, loadKey, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";
import { signerOption } from "./sm2";
import { renderTable } from "@clearhouse/sdk";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function vars(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const i = s.indexOf("=");
    if (i <= 0) throw new UsageError(`--set ${JSON.stringify(s)} is not name=value.`);
    out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

function uintArg(name: string, v: string): bigint {
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} "${v}" is not a non-negative integer.`);
  return BigInt(v);
}

/** A 32-byte hex as is; a readable file's keccak256; other text hashed. */
function hashArg(value: string): Hex {
  if (isHex(value) && value.length === 66) return value;
  if (existsSync(value)) return evidenceHashOf(readFileSync(value));
  return keccak256(stringToHex(value));
}

/** "60%" or "6000" (basis points) → basis points. */
function shareArg(value: string): number {
  const pct = /^(\d{1,3}(?:\.\d{1,2})?)%$/.exec(value);
  const bps = pct ? Math.round(Number(pct[1]) * 100) : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000)
    throw new UsageError(`--payee-share "${value}" is not 0–100% or 0–10000 basis points.`);
  return bps;
}

interface AttestOptions {
  kind: string;
  evidence: string;
  out?: string;
  validFor: string;
  sm2Key?: string;
  signer?: string;
}

export function payCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const pay = new Command("pay").description(
    "conditional payments: milestone escrow on attestations, dates and zk proofs",
  );
  const money = (v: bigint) => fromMinorUnits(v, 2);

  pay
    .command("templates")
    .description("list the agreement templates (templates/)")
    .addHelpText("after", "\nExample:\n  clearhouse pay templates")
    .action(() => {
      const names = templateNames();
      print(io, globals(), names.join("\n"), names);
    });

  pay
    .command("create <template>")
    .description("create and fund an agreement from a template name or an agreement file (you are the payer)")
    .option("--set <name=value>", "fill a template variable (repeatable)", collect, [])
    .option("--dry-run", "show the terms without sending anything")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse pay create purchase-order --set reference=PO-2026-118 --set supplier=0x… --set arbiter=0x… \\\n    --set carrier=0x… --set buyer_qa=0x… --set deposit=2500.00 --set balance=7500.00 --key-file buyer.key",
    )
    .action(async (template: string, o: { set: string[]; dryRun?: boolean }) => {
      const g = globals();
      const ch = connect(g, io, !o.dryRun);
      const block = await ch.context.publicClient.getBlock().catch(() => undefined);
      const now = block?.timestamp ?? BigInt(Math.floor(Date.now() / 1000));
      const spec: AgreementSpec = agreementFromTemplate(template, vars(o.set), {
        now,
        decimals: ch.deployment.token.decimals,
      });
      const total = spec.milestones.reduce((s, m) => s + m.amount, 0n);
      const lines = spec.milestones.map(
        (m, i) =>
          `  ${i}. ${m.name}: ${money(m.amount)} to ${m.payee}, ${m.combine} of [${m.conditions.map((c) => (c.type === "attestation" ? c.kind : c.type === "time" ? `time ≥ ${c.notBefore}` : c.circuit)).join(", ")}]`,
      );
      if (o.dryRun) {
        print(
          io,
          g,
          `${spec.name}: ${money(total)} in ${spec.milestones.length} milestones (not sent)\n${lines.join("\n")}`,
          { spec, total },
        );
        return;
      }
      const r = await ch.payments.createAgreement({ spec });
      print(
        io,
        g,
        `Agreement ${r.agreementId} created and funded with ${money(r.total)} (tx ${r.tx.hash}, gas ${r.tx.gasUsed})\n${lines.join("\n")}`,
        r,
      );
    });

  pay
    .command("fund")
    .description("allow the escrow to pull up to an amount from you (create uses a permit when this is missing)")
    .addHelpText("after", "\nExample:\n  clearhouse pay fund --amount 10000.00 --key-file buyer.key")
    .requiredOption("--amount <units>", "amount in currency units, e.g. 10000.00")
    .action(async (o: { amount: string }) => {
      const g = globals();
      const ch = connect(g, io, true);
      const spender = contractOf(ch.context, "ConditionalEscrow").address;
      const amount = toMinorUnits("--amount", o.amount, ch.deployment.token.decimals);
      const tx = await ch.token.approve({ spender, amount });
      print(io, g, `The escrow may now pull up to ${o.amount} from you (tx ${tx.hash})`, tx);
    });

  pay
    .command("attest <agreementId> <milestone>")
    .description("attest a milestone on chain, or sign offline with --out (no node needed)")
    .requiredOption("--kind <kind>", "delivered | accepted | invoice_approved")
    .requiredOption("--evidence <file|hash|text>", "the evidence: a file (hashed), a 32-byte hex, or text")
    .option("--out <file>", "sign offline and write the attestation file here")
    .option("--valid-for <duration>", "with --out: how long the signature may be submitted (local clock)", "7d")
    .option("--sm2-key <file>", "with --out: sign with this SM2 key file instead of --key-file/--key (needs --signer)")
    .option("--signer <address>", "with --sm2-key: the SM2Signer contract, an attestor, that holds the key")
    .addHelpText(
      "after",
      "\nExamples:\n  clearhouse pay attest 7 1 --kind delivered --evidence pod.pdf --key-file carrier.key\n  clearhouse pay attest 7 1 --kind accepted --evidence qa.pdf --key-file qa.key --out qa.att.json --valid-for 3d\n" +
        "  clearhouse pay attest 7 1 --kind accepted --evidence qa.pdf --sm2-key inspector.sm2.json --signer 0x5FbDB2315678afecb367f032d93F642f64180aa3 --out qa.att.json",
    )
    .action(async (id: string, m: string, o: AttestOptions) => {
      const g = globals();
      if (o.signer !== undefined && o.sm2Key === undefined)
        throw new UsageError("--signer names an SM2Signer: pass the SM2 key with --sm2-key <file>.");
      if (o.sm2Key !== undefined && !o.out)
        throw new UsageError(
          "--sm2-key signs offline: pass --out <file>.",
          "An SM2Signer sends no transactions; anyone submits the file with `clearhouse pay submit`.",
        );
      const kind = parseAttestationKind(o.kind);
      const evidenceHash = hashArg(o.evidence);
      const agreementId = uintArg("agreementId", id);
      const milestone = Number(uintArg("milestone", m));
      if (o.out) {
        const deployment = loadDeployment(g.deployment ?? io.env.CLEARHOUSE_DEPLOYMENT ?? DEFAULT_DEPLOYMENT);
        const escrow = contractOf({ deployment }, "ConditionalEscrow").address;
        const validFor = parseDuration(o.validFor, "--valid-for");
        if (validFor === 0n) throw new UsageError("--valid-for must be longer than 0s.");
        const request = {
          escrow,
          chainId: deployment.chainId,
          agreementId,
          milestone,
          kind,
          evidenceHash,
          deadline: BigInt(Math.floor(Date.now() / 1000)) + validFor,
        };
        const signed =
          o.sm2Key !== undefined
            ? signAttestationSm2(readSm2KeyFile(o.sm2Key), signerOption(o.signer), request)
            : await signAttestation(loadKey(g, io), request);
        writeAttestationFile(o.out, signed);
        print(
          io,
          g,
          `Signed "${kind}" for agreement ${agreementId} milestone ${milestone} as ${signed.signer}, submittable until ${new Date(Number(signed.deadline) * 1000).toISOString()} → ${o.out}`,
          signed,
        );
        return;
      }
      const tx = await connect(g, io, true).payments.attest({ agreementId, milestone, kind, evidenceHash });
      print(io, g, `Attested "${kind}" for agreement ${agreementId} milestone ${milestone} (tx ${tx.hash})`, tx);
    });

  pay
    .command("submit <files...>")
    .description(
      "submit attestation files signed offline (by anyone): what the escrow already recorded is skipped, the rest sent in one transaction per milestone, kind and evidence",
    )
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse pay submit pod.att.json qa.att.json --key-file supplier.key\n\nSubmitting the same files again sends nothing. An attestation the escrow recorded with other\nevidence is refused (exit 3) before anything is sent.",
    )
    .action(async (files: string[]) => {
      const g = globals();
      const attestations = await Promise.all(files.map((f) => readAttestationFile(f)));
      const r = await connect(g, io, true).payments.submitMissingAttestations({ attestations });
      print(io, g, submitReport(files, r), submitJson(files, r));
    });

  pay
    .command("prove <agreementId> <milestone> <condition> <proofFile>")
    .description("satisfy a proof condition with a proof made by `clearhouse kyc prove` or `clearhouse zk prove`")
    .addHelpText("after", "\nExample:\n  clearhouse pay prove 7 1 2 supplier-kyc.proof.json --key-file supplier.key")
    .action(async (id: string, m: string, c: string, file: string) => {
      const g = globals();
      const proof = readBundle(file, {});
      const tx = await connect(g, io, true).payments.submitProof({
        agreementId: uintArg("agreementId", id),
        milestone: Number(uintArg("milestone", m)),
        condition: Number(uintArg("condition", c)),
        proof,
      });
      print(io, g, `Proof accepted for condition ${c} of milestone ${m} (tx ${tx.hash})`, tx);
    });

  pay
    .command("binding <agreementId> <milestone>")
    .description("the value a proof's message (and KYC scope) must have for a milestone")
    .addHelpText("after", "\nExample:\n  clearhouse pay binding 7 1")
    .action(async (id: string, m: string) => {
      const g = globals();
      const b = await connect(g, io, false).payments.bindingOf({
        agreementId: uintArg("agreementId", id),
        milestone: Number(uintArg("milestone", m)),
      });
      print(io, g, `0x${b.toString(16)}`, { binding: `0x${b.toString(16)}` });
    });

  for (const [name, what] of [
    ["release", "pay a milestone to its payee once its condition holds (anyone)"],
    ["refund", "refund a milestone to the payer after its deadline (anyone)"],
  ] as const) {
    pay
      .command(`${name} <agreementId> <milestone>`)
      .description(what)
      .addHelpText("after", `\nExample:\n  clearhouse pay ${name} 7 1 --key-file supplier.key`)
      .action(async (id: string, m: string) => {
        const g = globals();
        const ch = connect(g, io, true);
        const p = { agreementId: uintArg("agreementId", id), milestone: Number(uintArg("milestone", m)) };
        const tx = name === "release" ? await ch.payments.release(p) : await ch.payments.refund(p);
        print(
          io,
          g,
          `${name === "release" ? "Released" : "Refunded"} milestone ${m} of agreement ${id} (tx ${tx.hash})`,
          tx,
        );
      });
  }

  pay
    .command("dispute <agreementId> <milestone>")
    .description("freeze a pending milestone until the arbiter resolves it (payer or payee)")
    .addHelpText(
      "after",
      '\nExample:\n  clearhouse pay dispute 7 1 --reason "short delivery: 38 of 40 pallets" --key-file buyer.key',
    )
    .requiredOption("--reason <file|hash|text>", "the grounds (hashed)")
    .action(async (id: string, m: string, o: { reason: string }) => {
      const g = globals();
      const tx = await connect(g, io, true).payments.dispute({
        agreementId: uintArg("agreementId", id),
        milestone: Number(uintArg("milestone", m)),
        reason: hashArg(o.reason),
      });
      print(io, g, `Disputed milestone ${m} of agreement ${id} (tx ${tx.hash})`, tx);
    });

  pay
    .command("resolve <agreementId> <milestone>")
    .description("split a disputed milestone between payee and payer (the arbiter)")
    .addHelpText("after", "\nExample:\n  clearhouse pay resolve 7 1 --payee-share 95% --key-file arbiter.key")
    .requiredOption("--payee-share <share>", "the payee's share: 60% or 6000 (basis points); the payer gets the rest")
    .action(async (id: string, m: string, o: { payeeShare: string }) => {
      const g = globals();
      const payeeBps = shareArg(o.payeeShare);
      const tx = await connect(g, io, true).payments.resolveDispute({
        agreementId: uintArg("agreementId", id),
        milestone: Number(uintArg("milestone", m)),
        payeeBps,
      });
      print(io, g, `Resolved milestone ${m} of agreement ${id}: ${payeeBps / 100}% to the payee (tx ${tx.hash})`, tx);
    });

  pay
    .command("cancel <agreementId>")
    .description(
      "consent to cancel for a while (or --revoke it); once the payer and the payees of what is not yet due all consented, that goes back to the payer",
    )
    .option("--valid-for <duration>", "how long the consent counts (at most 30d)", "7d")
    .option("--revoke", "withdraw your consent instead")
    .addHelpText(
      "after",
      "\nExamples:\n  clearhouse pay cancel 7 --valid-for 2d --key-file buyer.key\n  clearhouse pay cancel 7 --revoke --key-file supplier.key\n\nA milestone whose condition already holds is never refunded by a cancellation: it stays releasable to its payee.",
    )
    .action(async (id: string, o: { validFor: string; revoke?: boolean }) => {
      const g = globals();
      const agreementId = uintArg("agreementId", id);
      if (o.revoke) {
        const tx = await connect(g, io, true).payments.revokeCancel({ agreementId });
        print(io, g, `Consent to cancel agreement ${id} withdrawn (tx ${tx.hash})`, tx);
        return;
      }
      const validFor = parseDuration(o.validFor, "--valid-for");
      const tx = await connect(g, io, true).payments.cancelAgreement({ agreementId, validFor });
      print(
        io,
        g,
        `Consent to cancel agreement ${id} recorded until ${new Date(Number(tx.expiresAt) * 1000).toISOString()} (tx ${tx.hash})`,
        tx,
      );
    });

  pay
    .command("status <agreementId>")
    .description("an agreement's milestones, conditions and balances")
    .addHelpText("after", "\nExample:\n  clearhouse pay status 7")
    .action(async (id: string) => {
      const g = globals();
      const a = await connect(g, io, false).payments.getAgreement({ agreementId: uintArg("agreementId", id) });
      const table = renderTable(a.milestones, [
        { header: "#", value: (r) => String(r.index), align: "right" },
        { header: "payee", value: (r) => `${r.payee.slice(0, 10)}…` },
        { header: "amount", value: (r) => money(r.amount), align: "right" },
        { header: "status", value: (r) => (r.releasable ? "Pending (releasable)" : r.status) },
        {
          header: "conditions",
          value: (r) => `${r.combine}: ${r.conditions.map((c) => `${c.met ? "✓" : "✗"} ${c.description}`).join("; ")}`,
        },
      ]);
      print(
        io,
        g,
        `Agreement ${id}: ${a.status}, total ${money(a.total)}, released ${money(a.released)}, refunded ${money(a.refunded)}, locked ${money(a.locked)}\n${table}`,
        a,
      );
    });
  return pay;
}
