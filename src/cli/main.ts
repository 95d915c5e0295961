import { Command, CommanderError } from "commander";
import { ClearhouseError } from "../errors/base";
import { ExitCode, UsageError, exitCodeOf } from "./exit";
import { govCommand } from "./gov";
import { settlementCommands } from "./settlement";
import { kycCommand, zkCommand } from "./zk";
import { payCommand } from "./pay";
import { auditCommand } from "./audit";
import { nodeCommand } from "./node";
import { serveCommand } from "./serve";
import { memberCommand } from "./member";
import { tokenCommand } from "./token";
import { deployCommand } from "./deploy";
import { resolveGlobals, type CliIo, type GlobalOptions } from "./options";
import { toJson } from "./output";

/** The whole command tree (every group and command), configured to write through `io`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command("clearhouse")
    .description("Clearhouse: permissioned settlement for a banking consortium")
    .option(
      "--config-file <file>",
      "settings file: rpcUrl, deployment, keyFile (env CLEARHOUSE_CONFIG, default ./clearhouse.yaml if present)",
    )
    .option("--rpc-url <url>", "JSON-RPC endpoint (env CLEARHOUSE_RPC_URL, default http://127.0.0.1:8545)")
    .option("--deployment <file>", "deployment file (env CLEARHOUSE_DEPLOYMENT, default deployments/localhost.json)")
    .option("--key-file <path>", "file holding the signing key (env CLEARHOUSE_PRIVATE_KEY)")
    .option("--json", "machine-readable output")
    .option("--verbose", "show stack traces");
  const globals = () => resolveGlobals(program.opts<GlobalOptions>(), io);
  program.addCommand(govCommand(io, globals));
  for (const command of settlementCommands(io, globals)) program.addCommand(command);
  program.addCommand(zkCommand(io, globals));
  program.addCommand(kycCommand(io, globals));
  program.addCommand(payCommand(io, globals));
  program.addCommand(auditCommand(io, globals));
  program.addCommand(nodeCommand(io, globals));
  program.addCommand(serveCommand(io, globals));
  program.addCommand(memberCommand(io, globals));
  program.addCommand(tokenCommand(io, globals));
  program.addCommand(deployCommand(io, globals));
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
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) {
        return ExitCode.ok;
      }
      return ExitCode.badInput; // commander already printed what was wrong
    }
    const opts = program.opts<GlobalOptions>();
    const code = exitCodeOf(error);
    if (error instanceof UsageError && error.reported) return code;
    if (opts.json) {
      const e = error instanceof ClearhouseError ? error : undefined;
      io.out(
        toJson({
          ok: false,
          error: {
            name: error instanceof Error ? error.name : "Error",
            message: e ? e.shortMessage : String(error instanceof Error ? error.message : error),
            hint: e?.hint,
            exitCode: code,
          },
        }),
      );
    } else if (error instanceof ClearhouseError) {
      io.err(`error: ${error.shortMessage}${error.hint ? `\n  ${error.hint}` : ""}`);
    } else {
      io.err(`error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
    if (opts.verbose && error instanceof Error && error.stack) io.err(error.stack);
    return code;
  }
}

export { UsageError };
