import { Command } from "commander";
import { getAddress, isAddress, type Address } from "viem";
import type { Clearhouse } from "@clearhouse/sdk";
import { renderTable } from "@clearhouse/sdk";
import type { MemberInfo } from "@clearhouse/sdk/registry";
import {
  Role,
  addSanctionCall,
  admitMemberCall,
  namesToRoles,
  reinstateMemberCall,
  removeMemberCall,
  removeSanctionCall,
  rolesToNames,
  setLimitsCall,
  setRolesCall,
  suspendMemberCall,
  type RoleName,
} from "@clearhouse/sdk/registry";
import { UNLIMITED, fromMinorUnits, isUncheckedAddress, toMinorUnits } from "@clearhouse/sdk";
import { ExitCode, UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print, toJson } from "./output";
import { proposable, runAdmin, type ProposeFlags } from "./propose";

const ROLE_NAMES = Object.keys(Role) as RoleName[];
const EXAMPLE_BANK = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

/**
 * An address flag or argument, checked before anything is read or sent: a mixed-case address must
 * carry a valid EIP-55 checksum (a typo is refused); a single-case one carries none and is
 * accepted with a warning on stderr.
 */
export function addressArg(name: string, value: string, io: Pick<CliIo, "err">): Address {
  if (!isAddress(value, { strict: false })) {
    throw new UsageError(`${name} "${value}" is not an address (0x + 40 hex digits).`);
  }
  if (!isUncheckedAddress(value) && !isAddress(value, { strict: true }))
    throw new UsageError(
      `${name} ${value} has a wrong EIP-55 checksum: a character is probably mistyped.`,
      "Copy the address again from its source; do not fix the case by hand.",
    );
  if (isUncheckedAddress(value))
    io.err(`warning: ${name} ${value} has no EIP-55 checksum (all one case): check it is the right address`);
  return getAddress(value);
}

/** "OPERATOR,MEMBER_BANK" (any case) → bitmask. */
export function parseRoles(value: string): number {
  const names = value
    .split(",")
    .map((r) => r.trim().toUpperCase())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--roles is empty: list one or more of ${ROLE_NAMES.join(", ")}.`);
  for (const name of names) {
    if (!ROLE_NAMES.includes(name as RoleName)) {
      throw new UsageError(`--roles: ${name} is not a role (${ROLE_NAMES.join(", ")}).`);
    }
  }
  return namesToRoles(names as RoleName[]);
}

/** A limit in currency units, or "unlimited" → minor units. */
function parseLimit(name: string, value: string, decimals: number): bigint {
  if (value.trim().toLowerCase() === "unlimited") return UNLIMITED;
  return toMinorUnits(`--${name}`, value, decimals);
}

/** A limit as currency units, or "unlimited". */
const limitText = (value: bigint, decimals: number) =>
  value === UNLIMITED ? "unlimited" : fromMinorUnits(value, decimals);

/** "-" when not sanctioned, else the reason code. */
const sanctionText = (m: MemberInfo) => (m.sanction === 0 ? "-" : `reason ${m.sanction}`);

/** A reason code ≥ 1 that fits uint16. */
function reasonOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65_535) {
    throw new UsageError(`--reason "${value}" is not a reason code from 1 to 65535.`);
  }
  return Number(value);
}

/** `clearhouse member …`: the consortium registry's members, roles, limits and sanctions. */
export function memberCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const member = new Command("member").description(
    "consortium members: list, admit, suspend, reinstate, remove, sanction, preflight check",
  );
  const decimalsOf = (ch: Clearhouse) => ch.deployment.token.decimals;

  member
    .command("list")
    .description("list every member ever admitted (removed ones included) with roles, status and limits")
    .addHelpText("after", "\nExample:\n  clearhouse member list\n  clearhouse --json member list")
    .action(async () => {
      const g = globals();
      const ch = connect(g, io, false);
      const members = await ch.registry.listMembers();
      const d = decimalsOf(ch);
      const table = renderTable(members, [
        { header: "name", value: (m) => m.name },
        { header: "address", value: (m) => m.account },
        { header: "roles", value: (m) => m.roleNames.join("|") },
        { header: "status", value: (m) => m.status },
        { header: "sanction", value: (m) => sanctionText(m) },
        { header: "max single", value: (m) => limitText(m.maxSingleTransfer, d), align: "right" },
        { header: "max daily", value: (m) => limitText(m.maxDailyOutflow, d), align: "right" },
      ]);
      print(io, g, members.length ? table : "No members.", members);
    });

  member
    .command("show <address>")
    .description("show one member: status, roles, LEI hash, limits, sanction")
    .addHelpText("after", `\nExample:\n  clearhouse member show ${EXAMPLE_BANK}`)
    .action(async (address: string) => {
      const g = globals();
      const account = addressArg("<address>", address, io);
      const ch = connect(g, io, false);
      const m = await ch.registry.getMember({ account });
      const d = decimalsOf(ch);
      const human =
        m.status === "None"
          ? `${m.account} is not a member${m.sanction ? ` (sanctioned, reason ${m.sanction})` : ""}`
          : [
              `${m.name} (${m.account})`,
              `  status               ${m.status} since block ${m.statusSince}`,
              `  roles                ${m.roleNames.join("|")}`,
              `  LEI hash             ${m.leiHash}`,
              `  max single transfer  ${limitText(m.maxSingleTransfer, d)}`,
              `  max daily outflow    ${limitText(m.maxDailyOutflow, d)}`,
              `  sanction             ${m.sanction === 0 ? "none" : `reason ${m.sanction}`}`,
            ].join("\n");
      print(io, g, human, m);
    });

  proposable(
    member
      .command("admit")
      .description("admit a member (registry owner; anyone else: --propose writes a governance proposal)")
      .requiredOption("--account <address>", "the member's address")
      .requiredOption("--roles <list>", `comma-separated roles: ${ROLE_NAMES.join(", ")}`)
      .requiredOption("--lei <lei>", "the member's ISO 17442 legal-entity identifier (20 characters)")
      .requiredOption("--name <text>", "display name, 1–64 bytes")
      .requiredOption("--max-single <units|unlimited>", "largest single transfer, in currency units")
      .requiredOption("--max-daily <units|unlimited>", "largest total outflow per UTC day, in currency units"),
  )
    .addHelpText(
      "after",
      `\nExamples:\n  clearhouse member admit --account ${EXAMPLE_BANK} --roles MEMBER_BANK \\\n    --lei 529900T8BM49AURSDO55 --name "Baltic Bank" --max-single 1,000,000.00 --max-daily 5,000,000.00 --key-file owner.key\n` +
        `  clearhouse member admit … --propose --out admit-baltic.json   # after the handover: a proposal to sign`,
    )
    .action(async (o: Record<string, string> & ProposeFlags) => {
      const g = globals();
      const account = addressArg("--account", o.account, io);
      const roles = parseRoles(o.roles);
      const params = (ch: Clearhouse) => {
        const d = decimalsOf(ch);
        return {
          account,
          roles,
          lei: o.lei,
          name: o.name,
          maxSingleTransfer: parseLimit("max-single", o.maxSingle, d),
          maxDailyOutflow: parseLimit("max-daily", o.maxDaily, d),
        };
      };
      await runAdmin(io, g, o, {
        summary: `Admit ${o.name} (${account}) as ${rolesToNames(roles).join("|")}`,
        call: (ch) => admitMemberCall(ch.context, params(ch)),
        send: async (ch) => {
          const p = params(ch);
          const tx = await ch.registry.admitMember(p);
          const roleNames = rolesToNames(roles);
          print(io, g, `Admitted ${o.name} (${account}) as ${roleNames.join("|")} (tx ${tx.hash})`, {
            ...p,
            roleNames,
            tx,
          });
        },
      });
    });

  proposable(
    member
      .command("limits <address>")
      .description("replace a member's transfer limits (registry owner; anyone else: --propose)")
      .requiredOption("--max-single <units|unlimited>", "largest single transfer, in currency units")
      .requiredOption("--max-daily <units|unlimited>", "largest total outflow per UTC day, in currency units"),
  )
    .addHelpText(
      "after",
      `\nExample:\n  clearhouse member limits ${EXAMPLE_BANK} --max-single 500,000.00 --max-daily 2,000,000.00 \\\n    --propose --out limits.json`,
    )
    .action(async (address: string, o: { maxSingle: string; maxDaily: string } & ProposeFlags) => {
      const g = globals();
      const account = addressArg("<address>", address, io);
      const params = (ch: Clearhouse) => ({
        account,
        maxSingleTransfer: parseLimit("max-single", o.maxSingle, decimalsOf(ch)),
        maxDailyOutflow: parseLimit("max-daily", o.maxDaily, decimalsOf(ch)),
      });
      await runAdmin(io, g, o, {
        summary: `Set the limits of ${account}: ${o.maxSingle} single, ${o.maxDaily} daily`,
        call: (ch) => setLimitsCall(ch.context, params(ch)),
        send: async (ch) => {
          const p = params(ch);
          const tx = await ch.registry.setLimits(p);
          const d = decimalsOf(ch);
          const text = `${limitText(p.maxSingleTransfer, d)} single, ${limitText(p.maxDailyOutflow, d)} daily`;
          print(io, g, `Limits of ${account} are now ${text} (tx ${tx.hash})`, { ...p, tx });
        },
      });
    });

  proposable(
    member
      .command("roles <address>")
      .description("replace a member's roles (registry owner; anyone else: --propose)")
      .requiredOption("--roles <list>", `comma-separated roles: ${ROLE_NAMES.join(", ")}`),
  )
    .addHelpText(
      "after",
      `\nExample:\n  clearhouse member roles ${EXAMPLE_BANK} --roles MEMBER_BANK,OPERATOR --propose --out roles.json`,
    )
    .action(async (address: string, o: { roles: string } & ProposeFlags) => {
      const g = globals();
      const account = addressArg("<address>", address, io);
      const roles = parseRoles(o.roles);
      const roleNames = rolesToNames(roles);
      await runAdmin(io, g, o, {
        summary: `Give ${account} the roles ${roleNames.join("|")}`,
        call: (ch) => setRolesCall(ch.context, { account, roles }),
        send: async (ch) => {
          const tx = await ch.registry.setRoles({ account, roles });
          print(io, g, `${account} now has the roles ${roleNames.join("|")} (tx ${tx.hash})`, {
            account,
            roles,
            roleNames,
            tx,
          });
        },
      });
    });

  const lifecycle = [
    ["suspend", "suspend an active member: it can no longer transact", "Suspend", "Suspended", "suspendMember"],
    ["reinstate", "reinstate a suspended member", "Reinstate", "Reinstated", "reinstateMember"],
    ["remove", "remove a member; it may be re-admitted later", "Remove", "Removed", "removeMember"],
  ] as const;
  const lifecycleCalls = {
    suspendMember: suspendMemberCall,
    reinstateMember: reinstateMemberCall,
    removeMember: removeMemberCall,
  };
  for (const [name, description, verb, done, action] of lifecycle) {
    proposable(
      member
        .command(`${name} <address>`)
        .description(`${description} (registry owner; anyone else: --propose writes a governance proposal)`),
    )
      .addHelpText(
        "after",
        `\nExamples:\n  clearhouse member ${name} ${EXAMPLE_BANK} --key-file owner.key\n` +
          `  clearhouse member ${name} ${EXAMPLE_BANK} --propose --out ${name}.json   # after the handover`,
      )
      .action(async (address: string, o: ProposeFlags) => {
        const g = globals();
        const account = addressArg("<address>", address, io);
        await runAdmin(io, g, o, {
          summary: `${verb} member ${account}`,
          call: (ch) => lifecycleCalls[action](ch.context, { account }),
          send: async (ch) => {
            const tx = await ch.registry[action]({ account });
            print(io, g, `${done} ${account} (tx ${tx.hash})`, { account, tx });
          },
        });
      });
  }

  const sanctions = [
    ["sanction", "put an address on the sanctions list", "Sanction", "Sanctioned", "addSanction"],
    [
      "unsanction",
      "take an address off the sanctions list, recording why",
      "Lift the sanction on",
      "Lifted the sanction on",
      "removeSanction",
    ],
  ] as const;
  const sanctionCalls = { addSanction: addSanctionCall, removeSanction: removeSanctionCall };
  for (const [name, description, verb, done, action] of sanctions) {
    proposable(
      member
        .command(`${name} <address>`)
        .description(`${description} (registry owner; anyone else: --propose)`)
        .requiredOption("--reason <code>", "reason code, 1–65535 (your compliance code list)"),
    )
      .addHelpText("after", `\nExample:\n  clearhouse member ${name} ${EXAMPLE_BANK} --reason 7 --key-file owner.key`)
      .action(async (address: string, o: { reason: string } & ProposeFlags) => {
        const g = globals();
        const account = addressArg("<address>", address, io);
        const reasonCode = reasonOption(o.reason);
        await runAdmin(io, g, o, {
          summary: `${verb} ${account}, reason ${reasonCode}`,
          call: (ch) => sanctionCalls[action](ch.context, { account, reasonCode }),
          send: async (ch) => {
            const tx = await ch.registry[action]({ account, reasonCode });
            print(io, g, `${done} ${account}, reason ${reasonCode} (tx ${tx.hash})`, { account, reasonCode, tx });
          },
        });
      });
  }

  member
    .command("check")
    .description("would a token transfer from one address to another go through now, and if not why")
    .requiredOption("--from <address>", "the sender")
    .requiredOption("--to <address>", "the recipient (with --transaction: the contract called; zero address: creation)")
    .option("--amount <amount>", "in currency units (limits and balance are checked only with an amount)")
    .option("--transaction", "ask the registry's transaction rule instead (what Besu's permissioning hook asks)")
    .addHelpText(
      "after",
      "\nThe transfer check simulates the token's own transfer from --from, so it agrees with the token\n" +
        "on every rule (membership, suspension, sanctions, pause, limits, balance). A refusal exits 3.\n" +
        `\nExample:\n  clearhouse member check --from ${EXAMPLE_BANK} --to 0x90F79bf6EB2c4f870365E785982E1f101E93b906 --amount 1,250.00`,
    )
    .action(async (o: { from: string; to: string; amount?: string; transaction?: boolean }) => {
      const g = globals();
      /** Print the verdict; a refusal exits 3 (with --json: `ok: false` and the same result). */
      const refusedOr = (allowed: boolean, human: string, result: Record<string, unknown>): void => {
        if (allowed) return print(io, g, human, result);
        if (g.json)
          io.out(toJson({ ok: false, result, error: { name: "Refused", exitCode: ExitCode.refusedByChain } }));
        else io.out(human);
        throw new UsageError(human, "", true, ExitCode.refusedByChain);
      };
      const [sender, target] = [addressArg("--from", o.from, io), addressArg("--to", o.to, io)];
      const ch = connect(g, io, false);
      if (o.transaction) {
        if (o.amount !== undefined) throw new UsageError("--amount applies to the transfer check, not --transaction.");
        const verdict = await ch.registry.checkTransaction({ sender, target });
        const { code, name, description } = verdict.reason;
        const human = verdict.allowed
          ? `transaction allowed (reason ${code} ${name}: ${description})`
          : `transaction refused: reason ${code} ${name}: ${description}`;
        refusedOr(verdict.allowed, human, { from: sender, to: target, ...verdict });
        return;
      }
      const decimals = ch.deployment.token.decimals;
      const amount = o.amount === undefined ? 0n : toMinorUnits("--amount", o.amount, decimals);
      const verdict = await ch.token.checkTransfer({ from: sender, to: target, amount });
      const what = `transfer of ${fromMinorUnits(amount, decimals)} ${ch.deployment.token.symbol}`;
      const human = verdict.allowed
        ? `${what}: allowed`
        : `${what}: refused — ${verdict.message}${verdict.hint ? `\n  ${verdict.hint}` : ""}`;
      refusedOr(verdict.allowed, human, { from: sender, to: target, amount: amount.toString(), ...verdict });
    });

  return member;
}
