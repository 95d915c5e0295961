import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { UsageError } from "./exit";
import type { CliIo, GlobalOptions } from "./options";
import { print } from "./output";

/** The Anvil binary shipped in the platform package of @foundry-rs/anvil (no download). */
export function anvilBinary(env: Record<string, string | undefined> = process.env): string {
  if (env.CLEARHOUSE_ANVIL) return env.CLEARHOUSE_ANVIL;
  const arch = process.arch === "x64" ? "amd64" : process.arch === "arm64" ? "arm64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new UsageError(
      `No Anvil binary for ${process.platform}-${process.arch} (${pkg} is not installed).`,
      "Run `npm ci`, or point CLEARHOUSE_ANVIL at an anvil binary.",
    );
  }
  const bin = join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  if (!existsSync(bin)) throw new UsageError(`${bin} is missing.`, "Run `npm ci` again.");
  return bin;
}

export function nodeCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return new Command("node")
    .description("run a local development chain (Anvil) that keeps its state across restarts")
    .option("--port <port>", "JSON-RPC port", "8545")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--state <file>", "where the chain state is loaded from and saved to", ".clearhouse/node-state.json")
    .option("--chain-id <id>", "chain id", "31337")
    .option("--save-every <seconds>", "also save the state this often (a crash loses at most this much)", "5")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse node --state .clearhouse/node-state.json   # Ctrl-C saves and stops; run again to resume\n  npm run deploy -- --network localhost                    # in another terminal",
    )
    .action(async (o: { port: string; host: string; state: string; chainId: string; saveEvery: string }) => {
      const g = globals();
      for (const [name, v] of [
        ["--port", o.port],
        ["--chain-id", o.chainId],
        ["--save-every", o.saveEvery],
      ] as const) {
        if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`${name} "${v}" is not a positive integer.`);
      }
      mkdirSync(dirname(o.state) || ".", { recursive: true });
      const restored = existsSync(o.state);
      const args = [
        "--port",
        o.port,
        "--host",
        o.host,
        "--chain-id",
        o.chainId,
        "--state",
        o.state,
        "--state-interval",
        o.saveEvery,
        "--silent",
      ];
      const child = spawn(anvilBinary(io.env), args, { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const url = `http://${o.host}:${o.port}`;
      print(
        io,
        g,
        `Clearhouse local node on ${url} (chain ${o.chainId}), state ${restored ? "restored from" : "new, saved to"} ${o.state}; Ctrl-C saves and stops`,
        {
          url,
          chainId: Number(o.chainId),
          state: o.state,
          restored,
          pid: child.pid,
        },
      );
      const stop = (signal: NodeJS.Signals) => child.kill(signal);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (code !== 0 && code !== null) {
        throw new UsageError(
          `The node exited with code ${code}: ${stderr.trim().split("\n").slice(-1)[0] ?? ""}`,
          "Is the port already in use?",
        );
      }
      if (!g.json) io.err(`node stopped; state saved to ${o.state}`);
    });
}
