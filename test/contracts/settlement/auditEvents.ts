/** The audit's view of contract events in contract tests, without the SDK's collector. */
import { ethers } from "hardhat";
import type { BaseContract } from "ethers";
import type { Hex } from "viem";
import type { AuditEvent } from "../../../packages/sdk/src/audit/collect";

/** Every event of `sources` so far, in chain order, as the audit's collector gives them. */
export async function eventsOf(sources: ReadonlyArray<readonly [string, BaseContract]>): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (const [name, c] of sources) {
    const logs = await ethers.provider.getLogs({ address: await c.getAddress(), fromBlock: 0, toBlock: "latest" });
    for (const log of logs) {
      const parsed = c.interface.parseLog(log);
      if (!parsed) continue;
      const args: Record<string, unknown> = {};
      parsed.fragment.inputs.forEach((input, i) => (args[input.name] = parsed.args[i]));
      events.push({
        contract: name as never,
        eventName: parsed.name,
        args,
        blockNumber: BigInt(log.blockNumber),
        logIndex: log.index,
        transactionHash: log.transactionHash as Hex,
      });
    }
  }
  return events.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : Number(a.blockNumber - b.blockNumber),
  );
}
