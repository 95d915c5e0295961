/**
 * The `clearhouse` command line. Only commander and the group table load at start; a command's
 * group module (and with it viem and the SDK) loads when that command runs, so `--help` and
 * `--version` answer at once.
 */
import { Command, CommanderError, Option } from "commander";
import { COMMAND_GROUPS, groupOf, type CommandGroup } from "./groups";
import { leafOf, ownsKeyOption, routeKeyArgs, SIGNER_KEY_FLAG } from "./keyOption";
import type { CliIo, GlobalOptions } from "./options";
import { cliVersion } from "./version";

export { ttySecretPrompt } from "./prompt";

/** Exit codes the entry point itself uses (the full table is in exit.ts). */
const OK = 0;
const BAD_INPUT = 2;

/**
 * The program and its global options. `keyOwned`: the command to run has a `--key` of its own, so
 * the signer's URI comes as the hidden `--signer-key` (keyOption.ts).
 */
function rootProgram(io: CliIo, keyOwned = false): Command {
  const program = new Command("clearhouse")
    .description("Clearhouse: permissioned settlement for a banking consortium")
    .version(cliVersion(), "-V, --version", "print the version")
    .option(
      "--config-file <file>",
      "settings file: rpcUrl, deployment, keyFile, key, memberAccount, confirmations, maxLogRange, freeGas, dropTimeout, encryptKey (env CLEARHOUSE_CONFIG, default ./clearhouse.yaml if present)",
    )
    .option(
      "--rpc-url <url>",
      "JSON-RPC endpoint, or several comma-separated (tried in order when one does not answer) (env CLEARHOUSE_RPC_URL, default http://127.0.0.1:8545)",
    )
    .option("--deployment <file>", "deployment file (env CLEARHOUSE_DEPLOYMENT, default deployments/localhost.json)")
    .option("--key-file <path>", "file holding the signing key (env CLEARHOUSE_PRIVATE_KEY)")
    .addOption(
      keyOwned
        ? // the command's own --key must reach it: the signer's URI comes as --signer-key
          new Option(`${SIGNER_KEY_FLAG} <uri>`).hideHelp()
        : new Option(
            "--key <uri>",
            "signing key held in an HSM, instead of --key-file: pkcs11:token=<label>;object=<label> (PIN from env CLEARHOUSE_PKCS11_PIN or a prompt; env CLEARHOUSE_KEY)",
          ),
    )
    .option(
      "--member-account <address>",
      "act for this member account (decision 045): writes go through its execute, signed by the key (env CLEARHOUSE_MEMBER_ACCOUNT)",
    )
    .option(
      "--encrypt-key <file|uri>",
      "encrypt the batch files written and open the encrypted ones read: a key file (32 bytes AES-256-GCM, 16 bytes SM4-GCM) or pkcs11:token=…;object=… (AES-256 in an HSM) (env CLEARHOUSE_ENCRYPT_KEY)",
    )
    .option("--json", "machine-readable output")
    .option("--verbose", "show stack traces")
    .configureHelp({
      // a listed group that is not loaded shows its usage from the table
      subcommandTerm: (cmd) => {
        const group = COMMAND_GROUPS.find((g) => g.name === cmd.name());
        if (group && !cmd.commands.length && !cmd.options.length)
          return [group.name, group.usage].filter(Boolean).join(" ");
        const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(" ");
        return [cmd.name(), cmd.options.length ? "[options]" : "", args].filter(Boolean).join(" ");
      },
    })
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  if (keyOwned) program.on(`option:${SIGNER_KEY_FLAG.slice(2)}`, (uri: string) => program.setOptionValue("key", uri));
  return program;
}

/**
 * The command tree for `argv`: the group it runs, loaded, and every other group listed by name
 * only. With `all`, every group is loaded (for documentation and tests).
 */
export async function buildProgram(
  io: CliIo,
  argv: readonly string[] = [],
  opts: { all?: boolean } = {},
): Promise<Command> {
  const wanted = opts.all ? COMMAND_GROUPS : [groupOf(argv)].filter((g): g is CommandGroup => g !== undefined);
  const loaded: Command[] = [];
  let globals: () => GlobalOptions = () => ({});
  for (const group of wanted) loaded.push((await group.load())(io, () => globals()));
  const program = rootProgram(io, !opts.all && ownsKeyOption(leafOf(loaded, argv)));
  if (wanted.length) {
    const { resolveGlobals } = await import("./options");
    globals = () => resolveGlobals(program.opts<GlobalOptions>(), io);
    for (const command of loaded) program.addCommand(command);
    // Batch files are also built, read and verified by the SDK's synchronous helpers: load the
    // WebAssembly keccak now so they never fall back to the 14× slower JavaScript one.
    const { fastKeccakReady } = await import("@clearhouse/sdk/settlement");
    await fastKeccakReady();
  }
  for (const group of COMMAND_GROUPS)
    if (!wanted.includes(group)) program.addCommand(new Command(group.name).description(group.summary));
  // Subcommands added with addCommand do not inherit these settings: apply them to every level.
  const configure = (cmd: Command): void => {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
      .showHelpAfterError("(run with --help for usage)");
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * Run the `clearhouse` CLI with `argv` (without `node` and the script) and return its exit code.
 * Never throws: errors become one line on stderr (a stack trace only with --verbose).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let program: Command | undefined;
  try {
    program = await buildProgram(io, argv);
    await program.parseAsync(routeKeyArgs(program.commands, argv), { from: "user" });
    return OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) {
        return OK;
      }
      return BAD_INPUT; // commander already printed what was wrong
    }
    const { reportFailure } = await import("./failure");
    return reportFailure(error, io, program?.opts<GlobalOptions>() ?? {});
  }
}
