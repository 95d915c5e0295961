/**
 * Review 24: the SDK acting through member accounts, each finding's scenario after its fix.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { encodeFunctionData, getAddress, keccak256, toHex, type Address } from "viem";
import { memberAccountAbi } from "@clearhouse/contracts";
import { InvalidArgumentError } from "../../packages/sdk/src";
import { executedInput, isFactoryAccount } from "../../packages/sdk/src/audit/accountCalls";
import { KEY_A, KEY_B, accountFixture } from "./accountFixture";
import { key, rejectsWith } from "./fixture";

describe("review24: SDK through member accounts", () => {
  // R24-11: a mistyped memberAccount (no contract there) is bad input naming the option
  it("a memberAccount that is no contract is refused as bad input, naming the option", async () => {
    const f = await loadFixture(accountFixture);
    const notAnAccount = key(KEY_B).address; // an EOA: a mistyped --member-account
    const client = f.gov.as(key(KEY_A), notAnAccount);
    const error = await rejectsWith(client.token.approve({ spender: f.addr.alpine, amount: 1n }), InvalidArgumentError);
    expect(error.message).to.match(/memberAccount/);
  });

  // R24-6: governance can't unbind a key behind the account's back; memberKeys stays the truth
  it("governance's unbindKey is refused; memberKeys lists what the account authorizes", async () => {
    const f = await loadFixture(accountFixture);
    await f.nord.accounts.authorizeKey({ account: f.account, key: key(KEY_B).address, roles: ["submit"] });
    const registry = await hre.ethers.getContractAt(
      "ConsortiumRegistry",
      f.deployment.contracts.ConsortiumRegistry.proxy,
    );
    await expect(registry.unbindKey(key(KEY_B).address)).to.be.revertedWithCustomError(
      registry,
      "RegistryNotKeyAccount",
    );
    const keys = (await f.gov.accounts.memberKeys({ account: f.account })).map((k) => k.key);
    expect(keys).to.deep.equal([key(KEY_A).address, key(KEY_B).address]);
  });

  it("holds: the audit counts only accounts of the deployment's factory, and only execute(emitter, …)", async () => {
    const f = await loadFixture(accountFixture);
    const accounts = f.deployment.contracts.MemberAccounts!;
    expect(await isFactoryAccount(f.gov.context, f.account)).to.equal(true);
    // Another factory over the same beacon emits the same MemberAccountCreated event.
    const other = await (
      await hre.ethers.getContractFactory("MemberAccountFactory")
    ).deploy(accounts.beacon, f.deployment.contracts.ConsortiumRegistry.proxy);
    const salt = keccak256(toHex("look-alike"));
    // its accounts can't even be made: the registry binds keys only for its own factory's accounts
    const registry = await hre.ethers.getContractAt(
      "ConsortiumRegistry",
      f.deployment.contracts.ConsortiumRegistry.proxy,
    );
    await expect(other.createAccount(key(KEY_B).address, 7, salt)).to.be.revertedWithCustomError(
      registry,
      "RegistryNotMemberAccount",
    );
    const lookAlike = getAddress(await other.accountAddress(key(KEY_B).address, 7, salt)) as Address;
    expect(await isFactoryAccount(f.gov.context, lookAlike)).to.equal(false);
    const engine = f.deployment.contracts.NettingEngine!.proxy;
    const input = encodeFunctionData({ abi: memberAccountAbi, functionName: "execute", args: [engine, "0x1234"] });
    expect(executedInput(input, engine)).to.equal("0x1234");
    expect(executedInput(input, f.deployment.contracts.SettlementToken.proxy)).to.equal(undefined);
  });
});
