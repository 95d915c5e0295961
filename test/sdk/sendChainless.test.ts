/**
 * Review of fe8051d (send.ts): a wallet client a user builds without a `chain` (viem allows it; the
 * SDK's chain check compares the node's chain id with the deployment's) and a local key. Before
 * fe8051d such a write went through viem's `writeContract`, which signs local-key transactions
 * without asserting a chain; send.ts calls viem's `signTransaction`, which throws
 * `ChainNotFoundError` when the chain is undefined.
 */
import { expect } from "chai";
import hre from "hardhat";
import { createWalletClient, custom } from "viem";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { clearhouseActions } from "../../packages/sdk/src";
import { key, sdkFixture } from "./fixture";

async function funded() {
  const f = await sdkFixture();
  await f.operator.token.mint({ bank: f.addresses.bankA, amount: 1_000_000n });
  return f;
}

describe("review: local-key writes on a wallet client without a chain (real Hardhat network)", () => {
  it("transfers with clearhouseActions on a wallet client whose chain is undefined", async () => {
    const { deployment, addresses } = await loadFixture(funded);
    const bankA = createWalletClient({
      transport: custom(hre.network.provider, { retryCount: 0 }),
      account: key(2),
      pollingInterval: 10,
    }).extend(clearhouseActions(deployment));
    const error = await bankA.clearhouse.token.transfer({ to: addresses.bankB, amount: 5n }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message, "the write fails instead of being sent").to.equal(undefined);
    expect(await bankA.clearhouse.token.getBalance({ account: addresses.bankB })).to.equal(5n);
  });
});
