/**
 * The CLI's command groups, each in its own module, loaded only when used: `clearhouse --help`
 * lists them from this table without loading any (so it needs neither viem nor the SDK), and
 * `clearhouse batch status …` loads the batch module alone. A test checks that each summary here
 * is the description its module gives the command.
 */
import type { Command } from "commander";
import type { CliIo, GlobalOptions } from "./options";

export type CommandFactory = (io: CliIo, globals: () => GlobalOptions) => Command;

export interface CommandGroup {
  /** The top-level command. */
  name: string;
  /** Its arguments as `--help` shows them (e.g. `<consortium>`). */
  usage?: string;
  summary: string;
  load(): Promise<CommandFactory>;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    name: "gov",
    summary: "Governance: multisig proposals signed offline, timelocked, executed",
    load: async () => (await import("./gov")).govCommand,
  },
  {
    name: "batch",
    summary: "Settlement batches: build, anchor, acknowledge, verify",
    load: async () => (await import("./batch")).batchCommand,
  },
  {
    name: "cycle",
    summary: "Settlement cycles: open, declare batches, close with netting",
    load: async () => (await import("./cycle")).cycleCommand,
  },
  {
    name: "iso",
    summary: "ISO 20022: import pacs.008/.009/.004, read and write pacs.002",
    load: async () => (await import("./iso")).isoCommand,
  },
  {
    name: "zk",
    summary: "zero-knowledge proofs: prove and verify with the ceremony's artifacts",
    load: async () => (await import("./zk")).zkCommand,
  },
  {
    name: "kyc",
    summary: "KYC credentials: a bank's credential tree and customers' membership and tier proofs",
    load: async () => (await import("./kyc")).kycCommand,
  },
  {
    name: "regulator",
    summary: "regulator keys: a key per epoch, split k-of-n among officials, threshold decryption of chunk keys",
    load: async () => (await import("./regulator")).regulatorCommand,
  },
  {
    name: "keys",
    summary: "member accounts: a member's identity apart from its keys (create, add, revoke, list, whose)",
    load: async () => (await import("./keys")).keysCommand,
  },
  {
    name: "pay",
    summary: "conditional payments: milestone escrow on attestations, dates and zk proofs",
    load: async () => (await import("./pay")).payCommand,
  },
  {
    name: "audit",
    summary: "rebuild the state from events, compare it with the contracts, re-verify every proof",
    load: async () => (await import("./audit")).auditCommand,
  },
  {
    name: "node",
    usage: "[options]",
    summary: "run a local development chain (Anvil) that keeps its state across restarts",
    load: async () => (await import("./node")).nodeCommand,
  },
  {
    name: "serve",
    usage: "[options]",
    summary: "REST API, live event stream, signed webhooks and the auditor console over the deployment",
    load: async () => (await import("./serve")).serveCommand,
  },
  {
    name: "member",
    summary: "consortium members: list, admit, suspend, reinstate, remove, sanction, preflight check",
    load: async () => (await import("./member")).memberCommand,
  },
  {
    name: "wallet",
    summary: "customer wallets of a member bank: open in a KYC tier, change tier, close, show",
    load: async () => (await import("./wallet")).walletCommand,
  },
  {
    name: "tier",
    summary: "KYC tiers of customer wallets: list their limits",
    load: async () => (await import("./wallet")).tierCommand,
  },
  {
    name: "offline",
    summary: "double-offline payments: allowance certificates, vouchers paid and accepted with no network, redemption",
    load: async () => (await import("./offline")).offlineCommand,
  },
  {
    name: "token",
    summary: "settlement token: info, balances, transfers, issuance (mint) and redemption (burn)",
    load: async () => (await import("./token")).tokenCommand,
  },
  {
    name: "network",
    summary: "Besu QBFT network: generate the kit of genesis, node keys and configs; sync node permissions",
    load: async () => (await import("./network")).networkCommand,
  },
  {
    name: "hsm",
    summary:
      "keys in an HSM (PKCS#11): generate a secp256k1 key or an AES-256 encryption key in a token, show a key's address",
    load: async () => (await import("./hsm")).hsmCommand,
  },
  {
    name: "sm2",
    summary: "SM2 officials: make an SM2 key file, show its public key, deploy the SM2Signer that signs for it",
    load: async () => (await import("./sm2")).sm2Command,
  },
  {
    name: "deploy",
    usage: "[options] <consortium>",
    summary: "deploy a consortium from its file: contracts, founding members, then ownership to the multisig",
    load: async () => (await import("./deploy")).deployCommand,
  },
];

/** Global options that take a value (so the command name is found after them). */
const VALUE_OPTIONS = new Set([
  "--config-file",
  "--rpc-url",
  "--deployment",
  "--key-file",
  "--key",
  "--member-account",
  "--encrypt-key",
]);

/** Whether `word` is a global option that takes a value (`--rpc-url <url>`). */
export function isValueOption(word: string): boolean {
  return VALUE_OPTIONS.has(word);
}

/**
 * Where in `argv` the group's name is: the first word that is not a global option or its value
 * (`help <group>`: the word after `help`); -1 for `--help`, `--version` or no command at all.
 */
export function groupIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (VALUE_OPTIONS.has(word)) {
      i++;
      continue;
    }
    if (word.startsWith("-")) continue;
    return word === "help" ? i + 1 : i;
  }
  return -1;
}

/**
 * The group `argv` runs: the first word that is not a global option or its value (`help <group>`
 * counts as that group). Undefined for `--help`, `--version` or no command at all.
 */
export function groupOf(argv: readonly string[]): CommandGroup | undefined {
  const at = groupIndex(argv);
  return at < 0 ? undefined : COMMAND_GROUPS.find((g) => g.name === argv[at]);
}
