/**
 * `--propose` for admin commands: after the handover the owner of every contract is the multisig,
 * so `member suspend`, `token ceiling`, `cycle write-off` … run by anyone else write a governance
 * proposal file (the same call, with the same friendly arguments) for the signers to sign, instead
 * of sending a transaction the contract would refuse.
 */
import type { Command } from "commander";
import type { Abi, Address } from "viem";
import { GOVERNED_CALL_TARGETS, describeGovernanceFile } from "@clearhouse/sdk/governance";
import { contractOf, type Clearhouse } from "@clearhouse/sdk";
import { writeJsonFile } from "@clearhouse/sdk/node";
import { uint64Option } from "./batchGuards";
import { UsageError } from "./exit";
import { connect, parseDuration, parseTime, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

/** The proposal flags an admin command takes (commander's camel-cased option values). */
export interface ProposeFlags {
  propose?: boolean;
  out?: string;
  description?: string;
  lane?: string;
  notBefore?: string;
  expiresIn?: string;
}

/** A call an SDK `<action>Call` builder returns: checked, encoded on demand, not sent. */
export interface AdminCall {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

/** Add `--propose` and the proposal's options to an admin command. */
export function proposable(command: Command): Command {
  return command
    .option("--propose", "write a governance proposal (for the multisig's signers) instead of sending")
    .option("--out <file>", "with --propose: where to write the proposal JSON")
    .option("--description <text>", "with --propose: what it does, for the signers (default: said from the command)")
    .option("--lane <n>", "with --propose: nonce lane (default 0)")
    .option("--not-before <time>", "with --propose: earliest execution, unix seconds or ISO date")
    .option("--expires-in <duration>", "with --propose: how long the proposal stays valid (default 7d)");
}

/** The proposal-only flags given without `--propose` (they would be silently ignored). */
function strayFlags(o: ProposeFlags): string[] {
  const flags: [keyof ProposeFlags, string][] = [
    ["out", "--out"],
    ["description", "--description"],
    ["lane", "--lane"],
    ["notBefore", "--not-before"],
    ["expiresIn", "--expires-in"],
  ];
  return flags.filter(([k]) => o[k] !== undefined).map(([, flag]) => flag);
}

/** The short name (`registry`, `ledger`, …) of the governed contract at `address`. */
function targetName(ch: Clearhouse, address: Address): string {
  for (const name of GOVERNED_CALL_TARGETS) {
    try {
      if (contractOf(ch.context, name).address.toLowerCase() === address.toLowerCase()) return name;
    } catch {
      // not in this deployment
    }
  }
  return address;
}

export interface AdminCommand {
  /** What the command does, in words: the proposal's default description ("Suspend member 0x…"). */
  summary: string;
  /** The call, built by the SDK's `<action>Call` (checks every argument; sends nothing). */
  call: (ch: Clearhouse) => AdminCall | Promise<AdminCall>;
  /** Send it with the owner's key (without `--propose`). */
  send: (ch: Clearhouse) => Promise<void>;
}

/**
 * Run an admin command: send it with the owner's key, or with `--propose` write the proposal file
 * `--out` for `gov sign` (nothing is sent and no key is needed).
 */
export async function runAdmin(io: CliIo, g: GlobalOptions, o: ProposeFlags, command: AdminCommand): Promise<void> {
  if (!o.propose) {
    const stray = strayFlags(o);
    if (stray.length)
      throw new UsageError(`${stray.join(", ")} ${stray.length > 1 ? "apply" : "applies"} only with --propose.`);
    return command.send(connect(g, io, true));
  }
  if (!o.out) throw new UsageError("--propose needs --out <file>: where to write the proposal JSON.");
  const ch = connect(g, io, false);
  const call = await command.call(ch);
  const now = BigInt(Math.floor(Date.now() / 1000));
  const notBefore = o.notBefore ? parseTime("not-before", o.notBefore) : 0n;
  const file = await ch.governance.buildProposal({
    target: call.address,
    call: { ...call, contract: targetName(ch, call.address) },
    lane: uint64Option("lane", o.lane ?? "0"),
    notBefore,
    expiry: (notBefore > now ? notBefore : now) + parseDuration("expires-in", o.expiresIn ?? "7d"),
    description: o.description ?? command.summary,
  });
  writeJsonFile(o.out, file);
  const units = { units: file.units, unitsFrom: "the deployment", deployment: ch.deployment };
  const human = [
    `Wrote proposal ${o.out}: "${file.description}"`,
    ...describeGovernanceFile(file, units).map((l) => `  ${l}`),
    `  hash      ${file.hash}`,
    `Next: each signer runs \`clearhouse gov sign ${o.out} --key-file <key>\`, then \`clearhouse gov queue ${o.out} <signature files>\`.`,
  ].join("\n");
  print(io, g, human, { file: o.out, hash: file.hash, proposal: file });
}
