/**
 * `clearhouse network sync-permissions`: the registry's node allowlist pushed to the network's
 * Besu nodes — their permissions_config.toml files (`--kit`, `--file`) and, live, their PERM API
 * (`--perm-rpc`) — once (`--once`) or on every NodeAllowed/NodeRemoved until SIGINT/SIGTERM.
 * Progress goes to stderr; the summary to stdout (JSON with --json).
 */
import { Command } from "commander";
import type { ErrorCategory } from "@clearhouse/sdk/errors";
import {
  PermissionsSync,
  kitPermissionsFiles,
  type PermissionsSyncReport,
  type KitPermissionsFile,
  type PermissionsFileTarget,
} from "@clearhouse/sdk/node";
import { ExitCode, UsageError, exitCodeOfCategory } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print, toJson } from "./output";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface SyncOptions {
  kit?: string;
  file: string[];
  staticNodes: string[];
  permRpc: string[];
  once?: boolean;
  interval: string;
}

/** The summary printed at the end (JSON-friendly). */
function summary(r: PermissionsSyncReport) {
  return {
    block: r.block,
    nodes: r.nodes.map((n) => ({
      enode: n.enode ?? null,
      kind: n.kind,
      allowedAt: n.allowedAt,
      ...(n.problem ? { problem: n.problem } : {}),
    })),
    enodes: r.enodes,
    events: r.events,
    targets: r.targets,
  };
}

function human(r: PermissionsSyncReport): string {
  return [
    `Registry node allowlist at block ${r.block}: ${r.enodes.length} node(s); ${r.events} event(s) followed.`,
    ...r.targets.map(
      (t) =>
        `  ${t.kind.padEnd(4)} ${t.target}: ${t.inSync ? "in sync" : `NOT in sync (${t.error?.message ?? "not tried"})`}, +${t.added} −${t.removed}`,
    ),
  ].join("\n");
}

/** The exit code of a run whose targets did not all get in sync: the most serious category. */
function failureCode(categories: ErrorCategory[]): number {
  for (const c of ["network", "refused", "input", "internal"] as const)
    if (categories.includes(c)) return exitCodeOfCategory[c];
  return ExitCode.unexpected;
}

function urlsOf(values: readonly string[]): string[] {
  const urls = values.flatMap((v) => v.split(",").map((u) => u.trim())).filter((u) => u !== "");
  for (const url of urls)
    if (!/^https?:\/\/[^\s]+$/.test(url))
      throw new UsageError(`--perm-rpc "${url}" is not an http(s) URL.`, "Pass --perm-rpc <url>[,<url>…].");
  return [...new Set(urls)];
}

/** `clearhouse network sync-permissions`. */
export function syncPermissionsCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return new Command("sync-permissions")
    .description("keep the nodes' allowlists (permissions_config.toml, PERM API) in line with the registry")
    .option("--kit <dir>", "rewrite the permissions_config.toml of every node of this kit (network init --out)")
    .option("--file <path>", "rewrite this permissions_config.toml (repeatable)", collect, [])
    .option(
      "--static-nodes <path>",
      "the static-nodes.json of the node of the --file at the same place (repeatable; without it, the one beside the file)",
      collect,
      [],
    )
    .option(
      "--perm-rpc <urls>",
      "update these Besu nodes by their PERM API: only the difference (comma-separated, repeatable)",
      collect,
      [],
    )
    .option("--once", "sync once and exit (default: follow the registry until SIGINT/SIGTERM)")
    .option("--interval <seconds>", "how often to look for new blocks when following", "2")
    .addHelpText(
      "after",
      "\nThe registry (--deployment, --rpc-url) is the one source of truth. Examples:\n" +
        "  clearhouse network sync-permissions --kit net/ --once\n" +
        "  clearhouse network sync-permissions --file /opt/besu/permissions_config.toml --perm-rpc http://127.0.0.1:8545\n" +
        "With --kit, a node's static-nodes.json loses the nodes the registry no longer allows (before its permissions\n" +
        "file: Besu refuses to start with a static node outside its allowlist). A --file whose static nodes are not all\n" +
        "allowed is not rewritten (exit 3): take them out of static-nodes.json first.\n" +
        "Exit codes with --once: 0 all in sync, 4 a node unreachable, 3 a node refused, 2 a file or option problem.",
    )
    .action(async (o: SyncOptions) => {
      const g = globals();
      const interval = Number(o.interval);
      if (!(interval >= 0.05 && interval <= 3600))
        throw new UsageError(`--interval "${o.interval}" is not a number of seconds (0.05 to 3600).`);
      const kit: KitPermissionsFile[] = o.kit ? kitPermissionsFiles(o.kit) : [];
      if (o.staticNodes.length > o.file.length)
        throw new UsageError(
          `${o.staticNodes.length} --static-nodes for ${o.file.length} --file: each --static-nodes goes with the --file at the same place.`,
        );
      const given: PermissionsFileTarget[] = o.file.map((path, i) => ({ path, staticNodes: o.staticNodes[i] }));
      const files = [...kit, ...given].filter((f, i, all) => all.findIndex((g) => g.path === f.path) === i);
      const permRpcUrls = urlsOf(o.permRpc);
      if (files.length === 0 && permRpcUrls.length === 0)
        throw new UsageError(
          "Nothing to sync.",
          "Name the targets: --kit <dir>, --file <path> and/or --perm-rpc <url>.",
        );
      const controller = new AbortController();
      const sync = new PermissionsSync(connect(g, io, false).context, {
        files,
        permRpcUrls,
        log: (line) => io.err(line),
        pollIntervalMs: interval * 1000,
        signal: controller.signal,
        expectedNodes: kit.map((k) => ({ name: k.node, enode: k.enode })),
      });
      let report: PermissionsSyncReport;
      if (o.once) report = await sync.once();
      else {
        const stop = () => controller.abort();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        try {
          report = await sync.watch();
        } finally {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
        }
      }
      const failed = report.targets.filter((t) => !t.inSync);
      if (!o.once || failed.length === 0) return print(io, g, human(report), summary(report));
      const code = failureCode(failed.map((t) => t.error?.category ?? "internal"));
      const message = `${failed.length} of ${report.targets.length} target(s) not in sync: ${failed.map((t) => t.target).join(", ")}.`;
      if (g.json) {
        io.out(toJson({ ok: false, result: summary(report), error: { name: "UsageError", message, exitCode: code } }));
        throw new UsageError(message, undefined, true, code);
      }
      io.out(human(report));
      throw new UsageError(
        message,
        "Each target's line above says why; run again once it is fixed (only the difference is sent).",
        false,
        code,
      );
    });
}
