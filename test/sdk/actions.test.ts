/**
 * The SDK as a viem client extension (`client.extend(clearhouseActions(deployment))`) on the
 * in-process Hardhat chain: a public client reads, a wallet client reads and writes with its own
 * account, amounts are refused before anything is sent unless they are bigints. The types are
 * checked by `tsc` in ./actions.types.ts.
 */
import { expect } from "chai";
import hre from "hardhat";
import { createPublicClient, createWalletClient, custom, type Address } from "viem";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  InvalidArgumentError,
  MissingAccountError,
  WrongNetworkError,
  chainOf,
  clearhouseActions,
  type Deployment,
} from "../../packages/sdk/src";
import { blockNumber, key, rejectsWith, sdkFixture } from "./fixture";

const transport = () => custom(hre.network.provider, { retryCount: 0 });

async function funded() {
  const f = await sdkFixture();
  await f.operator.token.mint({ bank: f.addresses.bankA, amount: 1_000_000n });
  return f;
}

const publicClientFor = (deployment: Deployment) =>
  createPublicClient({ chain: chainOf(deployment), transport: transport(), pollingInterval: 10 }).extend(
    clearhouseActions(deployment),
  );

const walletClientFor = (deployment: Deployment, index: number) =>
  createWalletClient({
    chain: chainOf(deployment),
    transport: transport(),
    account: key(index),
    pollingInterval: 10,
  }).extend(clearhouseActions(deployment));

describe("SDK viem extension: clearhouseActions (real Hardhat network)", () => {
  it("gives a public client the read actions: a member and a balance", async () => {
    const { deployment, addresses } = await loadFixture(funded);
    const client = publicClientFor(deployment);
    const member = await client.clearhouse.registry.getMember({ account: addresses.bankA });
    expect(member).to.deep.include({ account: addresses.bankA, status: "Active", name: "Bank A" });
    expect(await client.clearhouse.token.getBalance({ account: addresses.bankA })).to.equal(1_000_000n);
    // viem's own actions stay, and its `token` namespace is untouched by the extension.
    expect(await client.getChainId()).to.equal(deployment.chainId);
    expect(typeof client.token.getBalance).to.equal("function");
  });

  it("gives a wallet client every action, signing with its account: a transfer moves the balance", async () => {
    const { deployment, addresses } = await loadFixture(funded);
    const bankA = walletClientFor(deployment, 2);
    // A wallet client has no public actions of its own: the extension reads through its transport.
    expect(await bankA.clearhouse.token.getBalance({ account: addresses.bankB })).to.equal(0n);
    const tx = await bankA.clearhouse.token.transfer({ to: addresses.bankB, amount: 12_345n });
    expect(tx.gasUsed > 0n).to.equal(true);
    const receipt = await publicClientFor(deployment).getTransactionReceipt({ hash: tx.hash });
    expect(receipt.from.toLowerCase()).to.equal(addresses.bankA.toLowerCase());
    expect(await bankA.clearhouse.token.getBalance({ account: addresses.bankA })).to.equal(1_000_000n - 12_345n);
    expect(await bankA.clearhouse.token.getBalance({ account: addresses.bankB })).to.equal(12_345n);
  });

  it("reads with no `from` even on a wallet client, and signs writes with its account", async () => {
    const { deployment, addresses } = await loadFixture(funded);
    const calls: { method: string; params?: object | readonly unknown[] }[] = [];
    const recording = custom(
      {
        request: (args: { method: string; params?: object | readonly unknown[] }) => {
          calls.push(JSON.parse(JSON.stringify(args))); // a copy: Hardhat's provider fills in `from` in place
          return hre.network.provider.request(args);
        },
      },
      { retryCount: 0 },
    );
    const bankA = createWalletClient({ chain: chainOf(deployment), transport: recording, account: key(2) }).extend(
      clearhouseActions(deployment),
    );
    expect(await bankA.clearhouse.token.getBalance({ account: addresses.bankA })).to.equal(1_000_000n);
    const reads = calls.filter((c) => c.method === "eth_call");
    expect(reads.length).to.be.greaterThan(0);
    for (const c of reads) expect((c.params as [{ from?: string }])[0].from).to.equal(undefined);
    calls.length = 0;
    await bankA.clearhouse.token.transfer({ to: addresses.bankB, amount: 1n });
    expect(calls.map((c) => c.method)).to.include("eth_sendRawTransaction"); // signed locally, by key(2)
  });

  it("refuses an amount that is not a bigint before anything is sent", async () => {
    const { deployment, addresses } = await loadFixture(funded);
    const bankA = walletClientFor(deployment, 2);
    const before = await blockNumber();
    // What a JavaScript caller (no type checker) could pass.
    for (const amount of [10.5, 100, "100", undefined]) {
      const error = await rejectsWith(
        bankA.clearhouse.token.transfer({ to: addresses.bankB, amount: amount as unknown as bigint }),
        InvalidArgumentError,
      );
      expect(error.argument).to.equal("amount");
      expect(error.message).to.include("is not a bigint");
    }
    const limits = await rejectsWith(
      walletClientFor(deployment, 0).clearhouse.registry.setLimits({
        account: addresses.bankA,
        maxSingleTransfer: 5n,
        maxDailyOutflow: 10 as unknown as bigint,
      }),
      InvalidArgumentError,
    );
    expect(limits.argument).to.equal("maxDailyOutflow");
    expect(await blockNumber()).to.equal(before);
    expect(await bankA.clearhouse.token.getBalance({ account: addresses.bankA })).to.equal(1_000_000n);
  });

  it("has no write actions in the type of a client without an account, and refuses them at run time", async () => {
    const { deployment, addresses } = await loadFixture(funded);
    const client = publicClientFor(deployment);
    // @ts-expect-error a public client has no account: `transfer` is not in its type
    const transfer = client.clearhouse.token.transfer as (p: { to: Address; amount: bigint }) => Promise<unknown>;
    const before = await blockNumber();
    const error = await rejectsWith(transfer({ to: addresses.bankB, amount: 1n }), MissingAccountError);
    expect(error.message).to.include("transfer");
    expect(await blockNumber()).to.equal(before);
  });

  it("checks the deployment once, up front, and the chain before the first call", async () => {
    const { deployment, addresses } = await loadFixture(sdkFixture);
    const path = "deployments/localhost.json" as unknown as Deployment;
    const asPath = (() => {
      try {
        clearhouseActions(path);
      } catch (e) {
        return e;
      }
    })();
    expect(asPath).to.be.instanceOf(InvalidArgumentError);
    expect((asPath as InvalidArgumentError).argument).to.equal("deployment");
    const elsewhere = createPublicClient({ transport: transport() }).extend(
      clearhouseActions({ ...deployment, chainId: 1 }),
    );
    const wrong = await rejectsWith(
      elsewhere.clearhouse.registry.getMember({ account: addresses.bankA }),
      WrongNetworkError,
    );
    expect([wrong.expectedChainId, wrong.actualChainId]).to.deep.equal([1, deployment.chainId]);
  });
});
