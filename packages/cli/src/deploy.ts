import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { Command } from "commander";
import { createPublicClient, http } from "viem";
import { ConsortiumFileError, readConsortiumFile, type Consortium } from "@clearhouse/sdk/node";
import { parseDeployment } from "@clearhouse/sdk";
import { ClearhouseError, NetworkError } from "@clearhouse/sdk/errors";
import { renderTable } from "@clearhouse/sdk";
import { UNLIMITED, fromMinorUnits } from "@clearhouse/sdk";
import { UsageError } from "./exit";
import { DEFAULT_RPC_URL, loadKey, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

/** The checkout's root (where hardhat.config.ts, scripts/deploy.ts and deployments/ live), if any. */
function checkoutRoot(): string | undefined {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir))
    if (existsSync(join(dir, "hardhat.config.ts")) && existsSync(join(dir, "scripts", "deploy.ts"))) return dir;
  return undefined;
}

/** The deploy script failed: the message is its last error line. */
export class DeployFailedError extends ClearhouseError {
  override name = "DeployFailedError";
  constructor(problem: string) {
    super(`The deployment failed: ${problem}`, {
      category: "internal",
      hint: "See the output above. If deployments/<network>.json was written, rerun with CLEARHOUSE_REDEPLOY=1.",
    });
  }
}

/** The consortium file, or a one-line usage error naming the field (nothing is sent). */
function loadConsortium(path: string): Consortium {
  try {
    return readConsortiumFile(path);
  } catch (e) {
    if (e instanceof ConsortiumFileError) throw new UsageError(e.shortMessage, e.hint);
    throw e;
  }
}

function summary(path: string, c: Consortium): string {
  const g = c.governance;
  const limit = (v: bigint) => (v === UNLIMITED ? "unlimited" : fromMinorUnits(v, c.token.decimals));
  const members = renderTable(c.members, [
    { header: "name", value: (m) => m.name },
    { header: "address", value: (m) => m.address },
    { header: "roles", value: (m) => m.roleNames.join("|") },
    { header: "max single", value: (m) => limit(m.maxSingleTransfer), align: "right" },
    { header: "max daily", value: (m) => limit(m.maxDailyOutflow), align: "right" },
  ]);
  return [
    `${path}:`,
    `  token       ${c.token.name} (${c.token.symbol}), ${c.token.currency}, ${c.token.decimals} decimals`,
    `  governance  ${g.threshold}-of-${g.signers.length} multisig, timelock ${g.minDelay}s / sensitive ${g.sensitiveDelay}s, guardian ${g.guardian}`,
    `  settlement  acknowledgement window ${c.settlement.ackWindow}s`,
    `  members     ${c.members.length}`,
    members.replace(/^/gm, "    "),
    ...c.warnings.map((w) => `warning: ${w}`),
  ].join("\n");
}

/** Fail fast (exit 4) when the node does not answer, before the deploy script starts. */
async function requireReachable(url: string): Promise<void> {
  const client = createPublicClient({ transport: http(url, { retryCount: 0, timeout: 10_000 }) });
  try {
    await client.getChainId();
  } catch (e) {
    throw new NetworkError(url, e);
  }
}

/** The line that says why the child failed: its last error line, else its last line. */
function lastErrorLine(lines: string[]): string {
  const meaningful = lines.map((l) => l.trim()).filter((l) => l && !/^npm (warn|notice)/i.test(l));
  const error = [...meaningful].reverse().find((l) => /error|failed|cannot|refused/i.test(l));
  return (error ?? meaningful[meaningful.length - 1] ?? "no output").replace(/^deploy failed:\s*/, "");
}

/** Run `npx hardhat run scripts/deploy.ts --network <network>`, streaming its output to stderr. */
function runDeployScript(
  io: CliIo,
  root: string,
  network: string,
  env: NodeJS.ProcessEnv,
  compile: boolean,
): Promise<void> {
  const args = ["hardhat", "run", "scripts/deploy.ts", "--network", network, ...(compile ? [] : ["--no-compile"])];
  const child = spawn("npx", args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const errLines: string[] = [];
  const outLines: string[] = [];
  const follow = (stream: NodeJS.ReadableStream, into: string[]) =>
    new Promise<void>((done) => {
      const rl = createInterface({ input: stream });
      rl.on("line", (line) => {
        into.push(line);
        io.err(line);
      });
      rl.on("close", done);
    });
  const streams = Promise.all([follow(child.stdout, outLines), follow(child.stderr, errLines)]);
  return new Promise((resolvePromise, reject) => {
    child.on("error", (e) => reject(new DeployFailedError(`cannot start npx hardhat (${e.message})`)));
    child.on("close", (code, signal) => {
      void streams.then(() => {
        if (code === 0) return resolvePromise();
        const why = errLines.length ? lastErrorLine(errLines) : lastErrorLine(outLines);
        reject(new DeployFailedError(signal ? `stopped by ${signal}` : why));
      });
    });
  });
}

/** `clearhouse deploy <consortium.yaml>`: contracts, founding members and governance in one run. */
export function deployCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return new Command("deploy")
    .description("deploy a consortium from its file: contracts, founding members, then ownership to the multisig")
    .argument("<consortium>", "consortium file, YAML or JSON (see config/consortium.example.yaml)")
    .option("--network <name>", "Hardhat network (default: localhost, or remote with --rpc-url)")
    .option("--check", "only validate the file and show what would be deployed")
    .option("--no-compile", "do not compile the contracts first (artifacts must be current)")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse deploy config/consortium.example.yaml --check      # validate only\n" +
        "  clearhouse deploy config/consortium.example.yaml              # onto `clearhouse node` (localhost)\n" +
        "  clearhouse --rpc-url https://besu.example:8545 --key-file deployer.key deploy consortium.yaml",
    )
    .action(async (file: string, o: { network?: string; check?: boolean; compile: boolean }) => {
      const g = globals();
      const consortium = loadConsortium(file);
      if (o.check) {
        print(io, g, `${summary(file, consortium)}\nValid: nothing was deployed (--check).`, consortium);
        return;
      }
      const root = checkoutRoot();
      if (!root)
        throw new UsageError(
          "clearhouse deploy runs from a Clearhouse checkout (it compiles and deploys with Hardhat).",
          "Clone the repository, run `npm ci`, and run the command there.",
        );
      const rpcUrl = g.rpcUrl ?? io.env.CLEARHOUSE_RPC_URL;
      const network = o.network ?? (g.rpcUrl ? "remote" : "localhost");
      if (!/^[A-Za-z0-9_-]+$/.test(network)) throw new UsageError(`--network "${network}" is not a network name.`);
      if (network === "remote" && !rpcUrl) {
        throw new UsageError("--network remote needs --rpc-url <url> (or CLEARHOUSE_RPC_URL).");
      }
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const [k, v] of Object.entries(io.env)) if (v !== undefined) env[k] = v;
      env.CLEARHOUSE_CONSORTIUM = resolve(file);
      if (rpcUrl) env.CLEARHOUSE_RPC_URL = rpcUrl;
      if (g.keyFile) {
        loadKey(g, io); // a bad key file is bad input, before anything starts
        env.CLEARHOUSE_PRIVATE_KEY = readFileSync(g.keyFile, "utf8").trim();
      }
      if (network === "localhost") await requireReachable(DEFAULT_RPC_URL);
      if (network === "remote") await requireReachable(rpcUrl!);
      if (!g.json) io.err(summary(file, consortium));
      await runDeployScript(io, root, network, env, o.compile);
      const path = join(root, "deployments", `${network}.json`);
      const deployment = parseDeployment(JSON.parse(readFileSync(path, "utf8")));
      const c = deployment.contracts;
      const human = [
        `Deployed the consortium to "${network}" (chain ${deployment.chainId}), wrote ${relative(process.cwd(), path)}`,
        `  registry  ${c.ConsortiumRegistry.proxy}`,
        `  token     ${c.SettlementToken.proxy} (${deployment.token.symbol})`,
        `  multisig  ${c.ConsortiumMultisig?.address} (${consortium.governance.threshold}-of-${consortium.governance.signers.length}, owns every contract)`,
        `  members   ${consortium.members.length} admitted`,
      ].join("\n");
      print(io, g, human, { network, file: path, members: consortium.members.length, deployment });
    });
}
