/**
 * A read right after a write sees the write: log queries take the latest block from the node, never
 * from viem's block-number cache (which a client keeps for its polling interval, 1 s by default; a
 * batch's write-off read back within it was missed, issue 19's flaky getBatchSettlement).
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { custom, getAddress } from "viem";
import { createClearhouse } from "../../packages/sdk/src";
import { queryLogs } from "../../packages/sdk/src/logs";
import { settlementTokenAbi } from "../../packages/contracts/src";
import { key, sdkFixture } from "./fixture";

describe("reads right after writes (no stale block number)", () => {
  it("finds a write's log at once although the client caches block numbers for 60 s", async () => {
    const f = await loadFixture(sdkFixture);
    const slow = createClearhouse({
      transport: custom(hre.network.provider, { retryCount: 0 }),
      deployment: f.deployment,
      account: key(1),
      pollingInterval: 60_000,
    });
    const ctx = slow.context;
    await ctx.publicClient.getBlockNumber(); // fills viem's cache with the head before the write
    await hre.network.provider.send("hardhat_mine", ["0x1"]);
    const token = f.deployment.contracts.SettlementToken.proxy;
    const tx = await f.operator.token.mint({ bank: f.addresses.bankA, amount: 5n });
    const logs = await queryLogs(ctx, "getLogs(Transfer)", 0n, (range) =>
      ctx.publicClient.getContractEvents({ address: token, abi: settlementTokenAbi, eventName: "Transfer", ...range }),
    );
    const last = logs[logs.length - 1];
    expect(last?.transactionHash).to.equal(tx.hash);
    expect(getAddress(last!.args.to!)).to.equal(f.addresses.bankA);
  });
});
