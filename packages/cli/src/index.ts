/**
 * @clearhouse/cli as a library: run the `clearhouse` command in-process (a test harness, an
 * operator's own tooling) with your own output streams and environment.
 */
export { runCli, buildProgram } from "./main";
export { COMMAND_GROUPS, groupOf, type CommandGroup } from "./groups";
export { ExitCode } from "./exit";
export type { CliIo, GlobalOptions } from "./options";
