/**
 * `clearhouse keys …`: member accounts (decision 045) and their keys. A member that is a
 * MemberAccount keeps its identity while keys come and go: `create` makes the account,
 * `add`/`revoke` manage its keys (an OPERATE key signs; governance uses `--propose`), `list` and
 * `whose` read. Acting as the account is the global `--member-account <address>`.
 */
import { Command } from "commander";
import { keccak256, stringToHex, type Hex } from "viem";
import { accounts } from "@clearhouse/sdk";
import { UsageError } from "./exit";
import { addressArg } from "./member";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";
import { proposable, runAdmin, type ProposeFlags } from "./propose";

const ROLE_HELP = "comma-separated: submit (send as the member), approve (sign offline), operate (manage keys)";

/** "submit,approve" → the SDK's role names; UsageError on an unknown name. */
function parseKeyRoles(value: string): accounts.KeyRoleName[] {
  const names = value
    .split(",")
    .map((r) => r.trim().toLowerCase())
    .filter((r) => r !== "");
  if (names.length === 0) throw new UsageError(`--roles "${value}" names no role.`, `Use ${ROLE_HELP}.`);
  for (const name of names)
    if (!(name in accounts.KEY_ROLES))
      throw new UsageError(`--roles: "${name}" is not a key role.`, `Use ${ROLE_HELP}.`);
  return names as accounts.KeyRoleName[];
}

/** A salt: 0x + 64 hex digits as given, anything else hashed (keccak256 of its UTF-8). */
function saltOf(value: string | undefined): Hex | undefined {
  if (value === undefined) return undefined;
  return /^0x[0-9a-fA-F]{64}$/.test(value) ? (value as Hex) : keccak256(stringToHex(value));
}

export function keysCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const keys = new Command("keys").description(
    "member accounts: a member's identity apart from its keys (create, add, revoke, list, whose)",
  );

  keys
    .command("create")
    .description("create a member account whose first key is --first-key (governance then admits the account)")
    .requiredOption("--first-key <address>", "the first key (an address: a key file's, or an HSM key's)")
    .option("--roles <list>", `the first key's roles, ${ROLE_HELP} (default all; operate required)`)
    .option("--salt <text|0x…>", "fixes the address with the key and roles (text is hashed; default zero)")
    .addHelpText(
      "after",
      "\nThe account's address is deterministic: the same key, roles and salt give the same account.\n" +
        "\nExample:\n  clearhouse keys create --first-key 0x8626…1199 --salt nord-bank --key-file operator.key\n" +
        "  clearhouse member admit --account <the account> --roles MEMBER_BANK … --propose --out admit.json",
    )
    .action(async (o: { firstKey: string; roles?: string; salt?: string }) => {
      const g = globals();
      const firstKey = addressArg("--first-key", o.firstKey, io);
      const roles = o.roles === undefined ? undefined : parseKeyRoles(o.roles);
      const ch = connect(g, io, true);
      const r = await ch.accounts.createMemberAccount({ firstKey, roles, salt: saltOf(o.salt) });
      print(io, g, `Created member account ${r.account} (first key ${firstKey}, tx ${r.hash})`, r);
    });

  proposable(
    keys
      .command("add <account> <key>")
      .description("authorize <key> on <account>, or change its roles (an OPERATE key; governance: --propose)")
      .requiredOption("--roles <list>", ROLE_HELP),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  clearhouse keys add 0xAcc…01 0xNew…02 --roles submit,approve --key-file operate.key\n" +
        "  clearhouse keys add 0xAcc…01 0xNew…02 --roles operate --propose --out restore.json   # governance",
    )
    .action(async (account: string, key: string, o: { roles: string } & ProposeFlags) => {
      const g = globals();
      const p = {
        account: addressArg("<account>", account, io),
        key: addressArg("<key>", key, io),
        roles: parseKeyRoles(o.roles),
      };
      await runAdmin(io, g, o, {
        summary: `Authorize key ${p.key} on member account ${p.account} as ${p.roles.join("+")}`,
        call: () => accounts.authorizeKeyCall(p),
        send: async (ch) => {
          const tx = await ch.accounts.authorizeKey(p);
          print(io, g, `Authorized ${p.key} on ${p.account} as ${p.roles.join("+")} (tx ${tx.hash})`, { ...p, tx });
        },
      });
    });

  proposable(
    keys
      .command("revoke <account> <key>")
      .description(
        "revoke <key> from <account>: refused from the next block on (an OPERATE key; governance: --propose)",
      ),
  )
    .addHelpText(
      "after",
      "\nA compromised key: revoke it at once with another OPERATE key of the account; if none is at\n" +
        'hand, governance revokes it by proposal (see docs/access.md, "A compromised key").\n' +
        "\nExamples:\n  clearhouse keys revoke 0xAcc…01 0xOld…03 --key-file operate.key\n" +
        "  clearhouse keys revoke 0xAcc…01 0xOld…03 --propose --out revoke.json   # governance",
    )
    .action(async (account: string, key: string, o: ProposeFlags) => {
      const g = globals();
      const p = { account: addressArg("<account>", account, io), key: addressArg("<key>", key, io) };
      await runAdmin(io, g, o, {
        summary: `Revoke key ${p.key} from member account ${p.account}`,
        call: () => accounts.revokeKeyCall(p),
        send: async (ch) => {
          const tx = await ch.accounts.revokeKey(p);
          print(io, g, `Revoked ${p.key} from ${p.account} (tx ${tx.hash})`, { ...p, tx });
        },
      });
    });

  proposable(
    keys
      .command("reset <account> <new-key>")
      .description(
        "revoke every key of <account> and authorize <new-key> (governance: --propose; a sensitive proposal)",
      )
      .requiredOption("--roles <list>", `${ROLE_HELP}; operate required`),
  )
    .addHelpText(
      "after",
      "\nFor a stolen OPERATE key: the thief can't keep control by adding keys while the proposal waits.\n" +
        "\nExample:\n  clearhouse keys reset 0xAcc…01 0xNew…02 --roles submit,approve,operate --propose --out reset.json",
    )
    .action(async (account: string, newKey: string, o: { roles: string } & ProposeFlags) => {
      const g = globals();
      const p = {
        account: addressArg("<account>", account, io),
        newKey: addressArg("<new-key>", newKey, io),
        roles: parseKeyRoles(o.roles),
      };
      await runAdmin(io, g, o, {
        summary: `Reset the keys of member account ${p.account}: only ${p.newKey} (${p.roles.join("+")})`,
        call: () => accounts.resetKeysCall(p),
        send: async (ch) => {
          const tx = await ch.accounts.resetKeys(p);
          print(io, g, `Reset the keys of ${p.account}: only ${p.newKey} now (tx ${tx.hash})`, { ...p, tx });
        },
      });
    });

  keys
    .command("list <account>")
    .description("the keys a member account authorizes, with their roles")
    .addHelpText("after", "\nExample:\n  clearhouse keys list 0xAcc…01")
    .action(async (account: string) => {
      const g = globals();
      const address = addressArg("<account>", account, io);
      const list = await connect(g, io, false).accounts.memberKeys({ account: address });
      const human = [`${address}: ${list.length} key${list.length === 1 ? "" : "s"}`]
        .concat(list.map((k) => `  ${k.key}  ${k.roleNames.join("+")}`))
        .join("\n");
      print(io, g, human, { account: address, keys: list });
    });

  keys
    .command("whose <key>")
    .description("the member account a key signs for (none: never bound, or revoked)")
    .addHelpText("after", "\nExample:\n  clearhouse keys whose 0x8626…1199")
    .action(async (key: string) => {
      const g = globals();
      const address = addressArg("<key>", key, io);
      const account = await connect(g, io, false).accounts.accountOfKey({ key: address });
      print(io, g, account ? `${address} signs for ${account}` : `${address} signs for no account`, {
        key: address,
        account: account ?? null,
      });
    });
  return keys;
}
