import { Command } from "commander";
import { isAddress, isHex, type Address, type Hex } from "viem";
import { GOVERNED_CALL_SHORT_NAMES, encodeGovernedCall, governedContractNamed } from "@clearhouse/sdk/governance";
import { contractOf, type Clearhouse } from "@clearhouse/sdk";
import {
  parseGovernanceFile,
  parseSignatureFile,
  signGovernanceFile,
  signGovernanceFileSm2,
  type GovernanceFile,
  type SignatureFile,
} from "@clearhouse/sdk/governance";
import { existsSync } from "node:fs";
import { loadDeployment, readSm2KeyFile, writeJsonFile } from "@clearhouse/sdk/node";
import { readJsonFile } from "@clearhouse/sdk/node";
import type { ProposalStatus } from "@clearhouse/sdk/governance";
import { uint64Option } from "./batchGuards";
import { UsageError } from "./exit";
import {
  DEFAULT_DEPLOYMENT,
  connect,
  loadKey,
  parseDuration,
  parseTime,
  type CliIo,
  type GlobalOptions,
} from "./options";
import { print } from "./output";
import { signerOption } from "./sm2";
import { describeGovernanceFile, type DescribeGovernanceFileOptions } from "@clearhouse/sdk/governance";

/** The short names `--target` takes: every contract a proposal may target (from the manifest). */
const TARGET_NAMES = GOVERNED_CALL_SHORT_NAMES;
const TARGET_LIST = `${TARGET_NAMES.slice(0, -1).join(", ")} or ${TARGET_NAMES[TARGET_NAMES.length - 1]}`;

/** `--value`: native value in wei, a whole number (the SDK checks it fits uint256). */
function weiOption(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new UsageError(`--value ${value} is not a whole number of wei.`);
  return BigInt(value);
}

/** `--args`: a JSON array (the SDK's encodeGovernedCall converts its values to the ABI's types). */
function parseArgs(raw: string): unknown[] {
  let args: unknown;
  try {
    args = JSON.parse(raw);
  } catch {
    throw new UsageError(`--args is not JSON: ${raw}`, `Example: --args '["0xAbc…", "50000", "200000"]'`);
  }
  if (!Array.isArray(args)) throw new UsageError(`--args must be a JSON array, not ${raw}`);
  return args;
}

/**
 * The signature files of current signers only: a file signed by anyone else (a former or never
 * signer) is skipped with a warning instead of making the multisig refuse the whole set; fewer than
 * the threshold left is an error before anything is sent.
 */
async function signerSignatures(
  ch: Clearhouse,
  io: CliIo,
  file: GovernanceFile,
  paths: string[],
): Promise<SignatureFile[]> {
  const all = await readSignatures(file, paths);
  if (file.typedData.primaryType !== "Proposal" && file.typedData.primaryType !== "Cancel") return all;
  const { signers, threshold } = await ch.governance.getGovernance();
  const current = new Set(signers.map((a) => a.toLowerCase()));
  const kept = all.filter((sig, i) => {
    if (current.has(sig.signer.toLowerCase())) return true;
    io.err(`warning: skipping ${paths[i]}: ${sig.signer} is not a signer of the multisig`);
    return false;
  });
  if (kept.length < all.length && kept.length < threshold)
    throw new UsageError(
      `Only ${kept.length} of the signatures are by current signers; the multisig needs ${threshold}.`,
      "Collect more signatures from current signers (clearhouse gov info lists them).",
    );
  return kept;
}

async function readSignatures(file: GovernanceFile, paths: string[]): Promise<SignatureFile[]> {
  const out: SignatureFile[] = [];
  for (const path of paths) out.push(await parseSignatureFile(readJsonFile(path), file, path));
  return out;
}

const readProposal = (path: string): GovernanceFile => parseGovernanceFile(readJsonFile(path), path);

/**
 * The currency units a signer reviews amounts in: the deployment file's token when that deployment
 * is the multisig the proposal is for (trusted: the signer's own copy), else the units the proposal
 * file states (not signed: said so), else none (integers as signed).
 */
function reviewUnits(g: GlobalOptions, io: CliIo, file: GovernanceFile): DescribeGovernanceFileOptions {
  const path = g.deployment ?? io.env.CLEARHOUSE_DEPLOYMENT ?? DEFAULT_DEPLOYMENT;
  const { chainId, verifyingContract } = file.typedData.domain;
  if (existsSync(path)) {
    try {
      const deployment = loadDeployment(path);
      const multisig = contractOf({ deployment }, "ConsortiumMultisig").address;
      if (deployment.chainId === chainId && multisig.toLowerCase() === verifyingContract.toLowerCase())
        return { units: deployment.token, unitsFrom: `the deployment ${path}`, deployment };
      // The same key may sign for several chains: say loudly that this file is not for this one.
      io.err(
        `warning: ${path} is the multisig ${multisig} on chain ${deployment.chainId}; this proposal is for another chain or multisig (${verifyingContract} on chain ${chainId}): make sure you meant to sign for that one`,
      );
    } catch {
      // not this consortium's deployment, or incomplete: fall back to the file's units
    }
  }
  return file.units ? { units: file.units, unitsFrom: "the proposal file, not signed: check them" } : {};
}

function describeStatus(s: ProposalStatus): string {
  const lines = [
    `${s.kind} ${s.hash}`,
    `  state       ${s.state}`,
    `  lane/nonce  ${s.lane}/${s.nonce} (lane is at ${s.laneNonce})`,
    `  approvals   ${s.approvers.length} of ${s.threshold}${s.approvers.length ? `: ${s.approvers.join(", ")}` : ""}`,
  ];
  if (s.notSigners.length) lines.push(`  not signers ${s.notSigners.join(", ")} (their signatures do not count)`);
  if (s.kind === "Proposal") {
    lines.push(`  timelock    ${s.delay} s`);
    if (s.executableAt) lines.push(`  executable  ${new Date(Number(s.executableAt) * 1000).toISOString()}`);
    lines.push(`  expires     ${new Date(Number(s.expiry) * 1000).toISOString()}`);
  }
  return lines.join("\n");
}

/** `clearhouse gov …`: build, sign, approve, queue, execute and cancel governance proposals. */
export function govCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const gov = new Command("gov").description("Governance: multisig proposals signed offline, timelocked, executed");

  gov
    .command("propose")
    .description("Build a proposal file for the signers to sign")
    .requiredOption("--target <name|address>", `${TARGET_LIST}, or an address (then --data)`)
    .option("--call <function>", "function of the target's ABI, e.g. setLimits")
    .option("--args <json>", "its arguments as a JSON array", "[]")
    .option("--data <hex>", "raw calldata instead of --call/--args")
    .option("--value <wei>", "native value to send", "0")
    .option("--lane <n>", "nonce lane (unrelated proposals in different lanes never block each other)", "0")
    .option("--not-before <time>", "earliest execution: unix seconds or ISO date")
    .option("--expires-in <duration>", "how long the proposal stays valid", "7d")
    .requiredOption("--description <text>", "what the proposal does, for the signers")
    .requiredOption("--out <file>", "where to write the proposal JSON")
    .addHelpText(
      "after",
      `\nExample:\n  clearhouse gov propose --target registry --call setLimits \\\n    --args '["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC","50000000","200000000"]' \\\n    --lane 1 --description "Raise Alpine Bank's limits" --out proposal.json\n` +
        `  clearhouse gov propose --target ledger --call setAckWindow --args '[7200]' \\\n` +
        `    --lane 2 --description "Two-hour acknowledgement window" --out ack.json\n` +
        `Targets: ${TARGET_LIST} (the contract in the deployment), or an address with --data.`,
    )
    .action(async (o: Record<string, string>) => {
      const g = globals();
      const ch = connect(g, io, false);
      const known = governedContractNamed(o.target);
      let target: Address;
      let call: Parameters<typeof ch.governance.buildProposal>[0]["call"];
      if (known) {
        const contract = contractOf(ch.context, known);
        target = contract.address;
        if (o.data) call = { data: o.data as Hex };
        else {
          if (!o.call) throw new UsageError("Pass --call <function> (or --data <hex>).");
          const encoded = encodeGovernedCall({ contract: known, functionName: o.call, args: parseArgs(o.args) });
          call = { ...encoded, contract: o.target };
        }
      } else {
        if (!isAddress(o.target))
          throw new UsageError(`--target ${o.target} is neither ${TARGET_LIST} nor an address.`);
        if (!o.data || !isHex(o.data)) throw new UsageError("A raw --target address needs --data <hex calldata>.");
        target = o.target;
        call = { data: o.data };
      }
      const now = BigInt(Math.floor(Date.now() / 1000));
      const notBefore = o.notBefore ? parseTime("not-before", o.notBefore) : 0n;
      const file = await ch.governance.buildProposal({
        target,
        call,
        value: weiOption(o.value),
        lane: uint64Option("lane", o.lane),
        notBefore,
        expiry: (notBefore > now ? notBefore : now) + parseDuration("expires-in", o.expiresIn),
        description: o.description,
      });
      writeJsonFile(o.out, file);
      print(
        io,
        g,
        `Wrote ${o.out}\n  hash ${file.hash}\n  Next: each signer runs \`clearhouse gov sign ${o.out} --key-file <key>\``,
        {
          file: o.out,
          hash: file.hash,
          proposal: file,
        },
      );
    });

  gov
    .command("cancel")
    .description("Build a cancel file that, signed by the threshold, burns a lane's next nonce")
    .requiredOption("--lane <n>", "the stuck lane")
    .option("--nonce <n>", "the nonce to burn (default: the lane's next)")
    .requiredOption("--out <file>", "where to write the cancel JSON")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse gov cancel --lane 1 --out cancel.json   # then gov sign, then gov execute cancel.json sig*.json",
    )
    .action(async (o: Record<string, string>) => {
      const g = globals();
      const ch = connect(g, io, false);
      const file = await ch.governance.buildCancel({
        lane: uint64Option("lane", o.lane),
        nonce: o.nonce === undefined ? undefined : uint64Option("nonce", o.nonce),
      });
      writeJsonFile(o.out, file);
      print(io, g, `Wrote ${o.out}\n  hash ${file.hash}`, { file: o.out, hash: file.hash, proposal: file });
    });

  gov
    .command("sign <proposal>")
    .description("Sign a proposal or cancel file offline (no network needed)")
    .option("--out <file>", "signature file (default: <proposal>.<signer>.sig.json)")
    .option("--sm2-key <file>", "sign with this SM2 key file instead of --key-file/--key (needs --signer)")
    .option("--signer <address>", "with --sm2-key: the SM2Signer contract, a multisig signer, that holds the key")
    .addHelpText(
      "after",
      "\nExample (on an air-gapped machine):\n  clearhouse gov sign proposal.json --key-file ~/keys/signer1.key --out sig-1.json\n" +
        "  clearhouse gov sign proposal.json --sm2-key official.sm2.json --signer 0x5FbDB2315678afecb367f032d93F642f64180aa3 --out sig-sm2.json\n" +
        "\nAn SM2 signature's key is checked against its SM2Signer when the signatures are submitted (gov queue/execute).",
    )
    .action(async (path: string, o: Record<string, string | undefined>) => {
      const g = globals();
      const file = readProposal(path);
      if (o.signer !== undefined && o.sm2Key === undefined)
        throw new UsageError("--signer names an SM2Signer: pass the SM2 key with --sm2-key <file>.");
      const sig =
        o.sm2Key !== undefined
          ? signGovernanceFileSm2(file, readSm2KeyFile(o.sm2Key), signerOption(o.signer))
          : await signGovernanceFile(file, loadKey(g, io));
      const out = o.out ?? `${path.replace(/\.json$/, "")}.${sig.signer.slice(2, 10)}.sig.json`;
      writeJsonFile(out, sig);
      const what = describeGovernanceFile(file, reviewUnits(g, io, file)).map((l) => `  ${l}`);
      const summary = [
        `Signed "${file.description}" — what the signature authorizes:`,
        ...what,
        `  hash      ${file.hash}`,
        `  signer    ${sig.signer}${sig.scheme === "sm2" ? ` (SM2Signer; SM2 key ${sig.publicKey!.slice(0, 14)}…)` : ""}`,
        `  wrote     ${out}`,
      ].join("\n");
      print(io, g, summary, { file: out, hash: file.hash, signer: sig.signer });
    });

  gov
    .command("approve <proposal>")
    .description("Approve a proposal or cancel on-chain with your signer key (instead of a signature file)")
    .addHelpText("after", "\nExample:\n  clearhouse gov approve proposal.json --key-file signer2.key")
    .action(async (path: string) => {
      const g = globals();
      const file = readProposal(path);
      const tx = await connect(g, io, true).governance.approveOnChain({ hash: file.hash });
      print(io, g, `Approved ${file.hash} on-chain (tx ${tx.hash})`, { hash: file.hash, tx });
    });

  gov
    .command("status <proposal> [signatures...]")
    .description("Show approvals, queue time, executable time and state")
    .addHelpText("after", "\nExample:\n  clearhouse gov status proposal.json sig-*.json")
    .action(async (path: string, sigPaths: string[]) => {
      const g = globals();
      const file = readProposal(path);
      const status = await connect(g, io, false).governance.getProposalStatus({
        file,
        signatures: await readSignatures(file, sigPaths),
      });
      print(io, g, describeStatus(status), status);
    });

  gov
    .command("queue <proposal> <signatures...>")
    .description("Queue a proposal with enough signatures; its timelock starts")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse gov queue proposal.json sig-1.json sig-3.json sig-4.json --key-file relayer.key",
    )
    .action(async (path: string, sigPaths: string[]) => {
      const g = globals();
      const file = readProposal(path);
      const ch = connect(g, io, true);
      const signatures = await signerSignatures(ch, io, file, sigPaths);
      const tx = await ch.governance.queueProposal({ file, signatures });
      const status = await ch.governance.getProposalStatus({ file });
      const at = new Date(Number(status.executableAt) * 1000).toISOString();
      print(io, g, `Queued ${file.hash} (tx ${tx.hash})\n  executable at ${at}`, { hash: file.hash, tx, status });
    });

  gov
    .command("execute <proposal> [signatures...]")
    .description("Execute a matured proposal (or a zero-delay one with signatures), or submit a signed cancel")
    .addHelpText("after", "\nExample:\n  clearhouse gov execute proposal.json --key-file relayer.key")
    .action(async (path: string, sigPaths: string[]) => {
      const g = globals();
      const file = readProposal(path);
      const ch = connect(g, io, true);
      const signatures = sigPaths.length ? await signerSignatures(ch, io, file, sigPaths) : [];
      const tx = await ch.governance.executeProposal({ file, signatures });
      const verb = file.typedData.primaryType === "Cancel" ? "Cancelled lane nonce with" : "Executed";
      print(io, g, `${verb} ${file.hash} (tx ${tx.hash}, gas ${tx.gasUsed})`, { hash: file.hash, tx });
    });

  gov
    .command("info")
    .description("Show signers, threshold, timelocks and guardian")
    .addHelpText("after", "\nExample:\n  clearhouse --json gov info")
    .action(async () => {
      const g = globals();
      const info = await connect(g, io, false).governance.getGovernance();
      const text = [
        `Multisig ${info.address}: ${info.threshold}-of-${info.signers.length} (signer set #${info.epoch})`,
        ...info.signers.map((s) => `  signer   ${s}`),
        `  timelock ${info.minDelay} s minimum, ${info.sensitiveDelay} s for upgrades/ownership/signers`,
        `  guardian ${info.guardian} (pauses ${info.pausables.length} contracts)`,
      ].join("\n");
      print(io, g, text, info);
    });

  return gov;
}
