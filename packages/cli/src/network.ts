/**
 * `clearhouse network …`: the consortium's Besu QBFT network. `network init` writes the kit —
 * genesis, node keys, per-node config.toml, static nodes, the node allowlist and run scripts —
 * from the `network:` section of the consortium file (nothing is sent to any chain);
 * `network sync-permissions` keeps the nodes' allowlists in line with the registry (networkSync.ts).
 */
import { relative, resolve } from "node:path";
import { Command } from "commander";
import { readNetworkFile, writeNetworkKit } from "@clearhouse/sdk/node";
import type { CliIo, GlobalOptions } from "./options";
import { print } from "./output";
import { syncPermissionsCommand } from "./networkSync";

function initCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return new Command("init")
    .description("generate a Besu QBFT network kit (genesis, node keys, configs, allowlist, run scripts)")
    .argument("<consortium>", "consortium file with a network: section, YAML or JSON (see config/network.example.yaml)")
    .requiredOption("--out <dir>", "directory to write the kit into (must be empty unless --force)")
    .option("--force", "rewrite a non-empty directory (node key files already there are kept)")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse network init config/network.example.yaml --out net/\n" +
        "  net/validator-1/run.sh          # on the validator's host, with Besu 25+ installed",
    )
    .action((file: string, o: { out: string; force?: boolean }) => {
      const g = globals();
      const spec = readNetworkFile(file);
      const dir = resolve(o.out);
      const kit = writeNetworkKit(spec, dir, { force: o.force === true });
      const shown = relative(process.cwd(), dir) || ".";
      for (const w of spec.warnings) io.err(`warning: ${w}`);
      const lines = [
        `Wrote a Besu QBFT kit for chain ${spec.chainId} to ${shown}/ (${kit.files.length} files):`,
        ...kit.nodes.map(
          (n) =>
            `  ${n.name.padEnd(16)} ${n.role.padEnd(9)} ${n.address}${n.externalKey ? "  (key held outside the kit)" : ""}`,
        ),
        `Validators (extraData): ${kit.validators.length}. Start each node with ${shown}/<node>/run.sh; see ${shown}/README.txt.`,
      ];
      print(io, g, lines.join("\n"), {
        dir,
        chainId: spec.chainId,
        validators: kit.validators,
        nodes: kit.nodes,
        files: kit.files.map((f) => ({ path: f.path, mode: `0${f.mode.toString(8)}` })),
        genesis: kit.genesis,
        warnings: spec.warnings,
      });
    });
}

/** `clearhouse network`: the consortium's Besu network. */
export function networkCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return new Command("network")
    .description("Besu QBFT network: generate the kit of genesis, node keys and configs; sync node permissions")
    .addCommand(initCommand(io, globals))
    .addCommand(syncPermissionsCommand(io, globals));
}
