import { existsSync, mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { Command, Option } from "commander";
import {
  createPublicClient,
  createWalletClient,
  type Account,
  type Address,
  type PublicClient,
  type Transport,
} from "viem";
import type { Deployment } from "@clearhouse/contracts";
import {
  ConsortiumFileError,
  DeployStepError,
  reasonOf,
  deployFromConsortium,
  loadDeployment,
  readConsortiumFile,
  writeJsonAtomic,
  type Consortium,
} from "@clearhouse/sdk/node";
import { ClearhouseError, NetworkError } from "@clearhouse/sdk/errors";
import { renderTable } from "@clearhouse/sdk";
import { UNLIMITED, fromMinorUnits } from "@clearhouse/sdk";
import { verifierKeys } from "@clearhouse/zk";
import { UsageError } from "./exit";
import {
  DEFAULT_RPC_URL,
  hasKey,
  loadKey,
  nodeSettings,
  rpcUrlsOf,
  transportOf,
  type CliIo,
  type GlobalOptions,
} from "./options";
import { print } from "./output";
import { cryptoProfile } from "@clearhouse/sdk";

/** A deployment step failed (the node refused a transaction, a call reverted): the message says which and why. */
export class DeployFailedError extends ClearhouseError {
  override name = "DeployFailedError";
  constructor(problem: string, cause?: unknown) {
    super(`The deployment failed: ${problem}`, {
      category: "internal",
      hint: "See the output above. If deployments/<network>.json was written, rerun with CLEARHOUSE_REDEPLOY=1.",
      cause,
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
    `  crypto      ${c.crypto} (batch trees ${cryptoProfile(c.crypto).treeHash}, envelopes ${cryptoProfile(c.crypto).envelope})`,
    `  members     ${c.members.length}`,
    members.replace(/^/gm, "    "),
    ...c.warnings.map((w) => `warning: ${w}`),
  ].join("\n");
}

/** Fail fast (exit 4) when the node does not answer, before anything is sent. */
async function requireReachable(client: PublicClient, url: string): Promise<number> {
  try {
    return await client.getChainId();
  } catch (e) {
    throw new NetworkError(url, e);
  }
}

/** The deployer: the key (--key, --key-file or CLEARHOUSE_PRIVATE_KEY), else the node's first unlocked account. */
async function deployerAccount(g: GlobalOptions, io: CliIo, transport: Transport): Promise<Account | Address> {
  if (hasKey(g, io)) return loadKey(g, io);
  const [unlocked] = await createWalletClient({ transport })
    .getAddresses()
    .catch(() => [] as Address[]);
  if (!unlocked)
    throw new UsageError(
      "No signing key, and the node has no unlocked account to deploy with.",
      "Pass --key-file <path>, --key pkcs11:…, or set CLEARHOUSE_PRIVATE_KEY.",
    );
  return unlocked;
}

/**
 * Where the deployment file goes, checked before anything is sent: refused when a complete
 * consortium is already recorded there (an interrupted one is resumed with --resume), and the
 * folder must be writable (a probe file is written and removed), so a deployment never ends
 * on chain with nowhere to record it.
 */
function deploymentFile(io: CliIo, network: string, out: string | undefined, resume: boolean): string {
  const path = resolve(out ?? join("deployments", `${network}.json`));
  const shown = relative(process.cwd(), path);
  if (resume) {
    if (!existsSync(path))
      throw new UsageError(`--resume: ${shown} does not exist.`, "Pass the file to resume with --out.");
  } else if (existsSync(path) && io.env.CLEARHOUSE_REDEPLOY !== "1") {
    let setup: string = "complete"; // a file that is not a deployment counts as one, never overwritten
    try {
      setup = loadDeployment(path).setup ?? "complete";
    } catch {
      // keep "complete"
    }
    throw new UsageError(
      setup === "complete"
        ? `${shown} already exists: a consortium is deployed on "${network}".`
        : `${shown} holds a deployment whose setup stopped at "${setup}" (interrupted).`,
      setup === "complete"
        ? "Set CLEARHOUSE_REDEPLOY=1 to deploy a new one (the old contracts stay on chain), or pass --out <file>."
        : "Run the same command with --resume to admit the members and hand ownership to the multisig.",
    );
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    const probe = join(dirname(path), `.${basename(path)}.probe-${process.pid}`);
    writeFileSync(probe, "");
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(
      `Cannot write the deployment file ${shown}: ${(e as Error).message.split("\n")[0]}`,
      "Pass --out <file> in a writable folder. Nothing was sent.",
    );
  }
  return path;
}

/** `clearhouse deploy <consortium.yaml>`: contracts, founding members and governance in one run, in-process (viem). */
export function deployCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return (
    new Command("deploy")
      .description("deploy a consortium from its file: contracts, founding members, then ownership to the multisig")
      .argument("<consortium>", "consortium file, YAML or JSON (see config/consortium.example.yaml)")
      .option(
        "--network <name>",
        "network name recorded in the deployment (default: localhost on the default node, else chain-<id>)",
      )
      .option("--out <file>", "where to write the deployment (default: deployments/<network>.json)")
      .option("--check", "only validate the file and show what would be deployed")
      .option("--resume", "finish an interrupted deployment recorded in the file: admit members, hand over")
      // Kept so older scripts keep working: the compiled contracts ship in @clearhouse/contracts.
      .addOption(new Option("--no-compile", "(no effect: nothing is compiled)").hideHelp())
      .addHelpText(
        "after",
        "\nExample:\n  clearhouse deploy config/consortium.example.yaml --check      # validate only\n" +
          "  clearhouse deploy config/consortium.example.yaml              # onto `clearhouse node` (localhost)\n" +
          "  clearhouse --rpc-url https://besu.example:8545 --key-file deployer.key deploy consortium.yaml",
      )
      .action(async (file: string, o: { network?: string; out?: string; check?: boolean; resume?: boolean }) => {
        const g = globals();
        const consortium = loadConsortium(file);
        if (o.check) {
          print(io, g, `${summary(file, consortium)}\nValid: nothing was deployed (--check).`, consortium);
          return;
        }
        const urls = rpcUrlsOf(g, io);
        const url = urls.join(", ");
        if (o.network !== undefined && !/^[A-Za-z0-9_-]+$/.test(o.network))
          throw new UsageError(`--network "${o.network}" is not a network name.`);
        const zk = verifierKeys();
        const transport: Transport = io.transport ?? transportOf(urls, { retryCount: 0, timeout: 60_000 });
        const publicClient = createPublicClient({ transport, pollingInterval: io.transport ? 10 : 250 });
        const chainId = await requireReachable(publicClient, url);
        // Named by chain (so a second chain never overwrites the first's file), or as told.
        const network = o.network ?? (url === DEFAULT_RPC_URL ? "localhost" : `chain-${chainId}`);
        const path = deploymentFile(io, network, o.out, o.resume === true);
        const resume = o.resume ? loadDeployment(path) : undefined;
        if (resume && (resume.setup ?? "complete") === "complete") {
          print(io, g, `${relative(process.cwd(), path)} is complete: nothing to resume.`, {
            file: path,
            deployment: resume,
          });
          return;
        }
        if (resume && resume.chainId !== chainId)
          throw new UsageError(
            `${relative(process.cwd(), path)} is a deployment on chain ${resume.chainId}, not this node's.`,
          );
        const { confirmations, freeGas } = nodeSettings(g);
        const account = await deployerAccount(g, io, transport);
        const walletClient = createWalletClient({ account, transport });
        if (!g.json) io.err(summary(file, consortium));
        io.err(
          `Deploying Clearhouse to "${network}" (${io.transport ? "in-process chain" : url}) from ${walletClient.account.address}`,
        );
        let deployment: Deployment;
        try {
          deployment = await deployFromConsortium({ walletClient, publicClient, confirmations }, consortium, {
            freeGas,
            network,
            zk,
            label: file,
            log: (line) => io.err(line),
            resume,
            save: (d) => writeJsonAtomic(path, d),
          });
        } catch (e) {
          if (e instanceof DeployStepError) throw new DeployFailedError(e.message, e);
          if (e instanceof ClearhouseError) throw e;
          throw new DeployFailedError(reasonOf(e), e);
        }
        const c = deployment.contracts;
        const human = [
          `Deployed the consortium to "${network}" (chain ${deployment.chainId}), wrote ${relative(process.cwd(), path)}`,
          `  registry  ${c.ConsortiumRegistry.proxy}`,
          `  token     ${c.SettlementToken.proxy} (${deployment.token.symbol})`,
          `  multisig  ${c.ConsortiumMultisig?.address} (${consortium.governance.threshold}-of-${consortium.governance.signers.length}, owns every contract)`,
          `  members   ${consortium.members.length} admitted`,
        ].join("\n");
        print(io, g, human, { network, file: path, members: consortium.members.length, deployment });
      })
  );
}
