/**
 * A governed change, the way the consortium makes every change after handover: build a proposal
 * file, have signers sign it offline (each gets only the file's text and uses its own key), queue
 * it, let the timelock run (the demo moves the embedded chain's clock), execute it.
 */
import hre from "hardhat";
import type { Abi, Address } from "viem";
import { signGovernanceFile, type Clearhouse, type GovernanceFile } from "../../packages/sdk/src";
import { account, participant } from "./participants";

export interface GovernedChange {
  target: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  description: string;
  lane?: bigint;
  /** Who signs (participant keys); their number must reach the threshold. */
  signers: readonly string[];
}

export interface Queued {
  file: GovernanceFile;
  delay: number;
  gas: bigint;
}

/** Propose, sign offline, queue. */
export async function proposeAndQueue(
  relayer: Clearhouse,
  change: GovernedChange,
  log: (line: string) => void,
): Promise<Queued> {
  const file = await relayer.governance.buildProposal({
    target: change.target,
    call: { abi: change.abi, functionName: change.functionName, args: change.args },
    lane: change.lane,
    description: change.description,
  });
  log(`proposal ${file.hash.slice(0, 10)}… "${change.description}" (lane ${change.lane ?? 0n})`);
  const text = JSON.stringify(file);
  const signatures = await Promise.all(
    change.signers.map((key) => signGovernanceFile(JSON.parse(text), account(participant(key).index))),
  );
  log(`  signed offline by ${change.signers.map((k) => participant(k).name).join(", ")}`);
  const gas = (await relayer.governance.queueProposal({ file, signatures })).gasUsed;
  const status = await relayer.governance.getProposalStatus({ file });
  log(`  queued (gas ${gas}): timelock ${status.delay} s, executable at ${iso(status.executableAt)}`);
  return { file, delay: status.delay, gas };
}

/** Move the embedded chain's clock past the longest timelock, then execute every queued proposal. */
export async function waitAndExecute(
  relayer: Clearhouse,
  queued: readonly Queued[],
  log: (line: string) => void,
): Promise<bigint> {
  const delay = Math.max(...queued.map((q) => q.delay));
  await hre.network.provider.send("evm_increaseTime", [delay]);
  await hre.network.provider.send("evm_mine", []);
  log(`… ${delay} s later (the demo advances the embedded chain's clock)`);
  let gas = 0n;
  for (const q of queued) {
    const used = (await relayer.governance.executeProposal({ file: q.file })).gasUsed;
    log(`  executed "${q.file.description}" (gas ${used})`);
    gas += q.gas + used;
  }
  return gas;
}

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString();
