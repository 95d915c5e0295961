import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ContractRevertError, InvalidArgumentError } from "../../packages/sdk/src";
import { blockNumber, rejectsWith, sdkFixture, LIMIT_DAILY, LIMIT_SINGLE } from "./fixture";

async function funded() {
  const f = await sdkFixture();
  await f.operator.token.mint({ bank: f.addresses.bankA, amount: 1_000_000n });
  await f.operator.token.mint({ bank: f.addresses.bankB, amount: 500_000n });
  return f;
}

describe("SDK token (real Hardhat network)", () => {
  it("reads the token's identity", async () => {
    const { gov, deployment } = await loadFixture(funded);
    const info = await gov.token.getTokenInfo();
    expect(info).to.deep.include({ name: "Test Euro", symbol: "tEUR", decimals: 2, paused: false });
    expect(info.totalSupply).to.equal(1_500_000n);
    expect(info.address).to.equal(deployment.contracts.SettlementToken.proxy);
  });

  it("issues to banks and moves money between members", async () => {
    const { bankA, gov, addresses } = await loadFixture(funded);
    const result = await bankA.token.transfer({ to: addresses.corporate, amount: 12_345n });
    expect(result.gasUsed > 0n).to.equal(true);
    expect(await gov.token.getBalance({ account: addresses.bankA })).to.equal(1_000_000n - 12_345n);
    expect(await gov.token.getBalance({ account: addresses.corporate })).to.equal(12_345n);
    const outflow = await gov.token.getOutflowToday({ account: addresses.bankA });
    expect(outflow.spent).to.equal(12_345n);
    expect(outflow.day).to.equal(BigInt(Math.floor((await time.latest()) / 86_400)));
  });

  it("moves money with an allowance", async () => {
    const { bankA, bankB, gov, addresses } = await loadFixture(funded);
    await bankA.token.approve({ spender: addresses.bankB, amount: 50_000n });
    expect(await gov.token.getAllowance({ owner: addresses.bankA, spender: addresses.bankB })).to.equal(50_000n);
    await bankB.token.transferFrom({ from: addresses.bankA, to: addresses.corporate, amount: 20_000n });
    expect(await gov.token.getAllowance({ owner: addresses.bankA, spender: addresses.bankB })).to.equal(30_000n);
    expect(await gov.token.getBalance({ account: addresses.corporate })).to.equal(20_000n);
  });

  it("redeems from a bank with an EIP-2612 permit signed off-chain", async () => {
    const { bankA, operator, gov, addresses } = await loadFixture(funded);
    const deadline = BigInt(await time.latest()) + 3600n;
    const permit = await bankA.token.signPermit({ spender: addresses.operator, value: 400_000n, deadline });
    await operator.token.submitPermit(permit);
    await operator.token.burn({ bank: addresses.bankA, amount: 400_000n });
    expect(await gov.token.getBalance({ account: addresses.bankA })).to.equal(600_000n);
    expect((await gov.token.getTokenInfo()).totalSupply).to.equal(1_100_000n);
    const replay = await rejectsWith(operator.token.submitPermit(permit), ContractRevertError);
    expect(replay.errorName).to.equal("ERC2612InvalidSigner");
  });

  it("refuses an operator's issuance above the daily ceiling with the headroom in the message; governance mints beyond it", async () => {
    const { operator, gov, addresses } = await loadFixture(funded);
    await gov.token.setIssuanceCeiling({ ceiling: 2_000_000n });
    const before = await gov.token.getIssuance();
    expect(before).to.deep.include({ issued: 1_500_000n, ceiling: 2_000_000n, remaining: 500_000n });
    const error = await rejectsWith(
      operator.token.mint({ bank: addresses.bankA, amount: 2n ** 128n }),
      ContractRevertError,
    );
    expect(error.errorName).to.equal("TokenIssuanceCeilingExceeded");
    expect(error.shortMessage).to.match(/would exceed the daily issuance ceiling of 20,000\.00 tEUR$/);
    await operator.token.mint({ bank: addresses.bankA, amount: 500_000n });
    await gov.token.mintBeyondCeiling({ bank: addresses.bankA, amount: 1_000_000n });
    expect(await gov.token.getIssuance()).to.deep.include({ issued: 3_000_000n, remaining: 0n });
  });

  it("refuses a transfer to a sanctioned member with the reason, before sending", async () => {
    const { bankA, gov, addresses } = await loadFixture(funded);
    await gov.registry.addSanction({ account: addresses.bankB, reasonCode: 3 });
    const before = await blockNumber();
    const error = await rejectsWith(bankA.token.transfer({ to: addresses.bankB, amount: 1n }), ContractRevertError);
    expect(error.errorName).to.equal("RegistryAccountSanctioned");
    expect(error.shortMessage).to.match(/is on the sanctions list \(reason code 3\)$/);
    expect(await blockNumber()).to.equal(before);
  });

  it("shows limits in the token's currency", async () => {
    const { bankA, addresses } = await loadFixture(funded);
    const single = await rejectsWith(
      bankA.token.transfer({ to: addresses.bankB, amount: LIMIT_SINGLE + 1n }),
      ContractRevertError,
    );
    expect(single.shortMessage).to.match(/1,000\.01 tEUR exceeds .*max single transfer of 1,000\.00 tEUR/);
    for (let i = 0; i < 3; i++) await bankA.token.transfer({ to: addresses.bankB, amount: LIMIT_SINGLE });
    const daily = await rejectsWith(bankA.token.transfer({ to: addresses.bankB, amount: 1n }), ContractRevertError);
    expect(daily.errorName).to.equal("TokenDailyOutflowLimitExceeded");
    expect(daily.shortMessage).to.include(`has sent 3,000.00 tEUR`);
    expect(LIMIT_DAILY).to.equal(300_000n);
    expect(daily.shortMessage).to.include("daily limit of 3,000.00 tEUR");
    await time.increase(86_400);
    await bankA.token.transfer({ to: addresses.bankB, amount: 1n });
  });

  it("refuses minting by a bank (missing OPERATOR role)", async () => {
    const { bankA, addresses } = await loadFixture(funded);
    const error = await rejectsWith(bankA.token.mint({ bank: addresses.bankA, amount: 1n }), ContractRevertError);
    expect(error.errorName).to.equal("RegistryMissingRole");
    expect(error.shortMessage).to.match(/lacks the OPERATOR role/);
  });

  it("pauses and unpauses through governance and its guardian", async () => {
    const { gov, bankA, bankB, addresses } = await loadFixture(funded);
    await gov.token.setGuardian({ guardian: addresses.bankB });
    await bankB.token.pause();
    expect((await gov.token.getTokenInfo()).paused).to.equal(true);
    const paused = await rejectsWith(bankA.token.transfer({ to: addresses.bankB, amount: 1n }), ContractRevertError);
    expect(paused.errorName).to.equal("EnforcedPause");
    const guardianUnpause = await rejectsWith(bankB.token.unpause(), ContractRevertError);
    expect(guardianUnpause.errorName).to.equal("OwnableUnauthorizedAccount");
    await gov.token.unpause();
    await bankA.token.transfer({ to: addresses.bankB, amount: 1n });
  });

  it("validates amounts and addresses before sending anything", async () => {
    const { bankA, operator, addresses } = await loadFixture(funded);
    const before = await blockNumber();
    const cases: [Promise<unknown>, string, string][] = [
      // JavaScript callers (no type checker) passing a float, an integer number or text:
      [bankA.token.transfer({ to: addresses.bankB, amount: 10.5 as unknown as bigint }), "amount", "not a bigint"],
      [bankA.token.transfer({ to: addresses.bankB, amount: 100 as unknown as bigint }), "amount", "not a bigint"],
      [bankA.token.transfer({ to: addresses.bankB, amount: -5n }), "amount", "negative"],
      [bankA.token.transfer({ to: addresses.bankB, amount: 2n ** 256n }), "amount", "does not fit uint256"],
      [bankA.token.transfer({ to: "0xnot-an-address" as `0x${string}`, amount: 1n }), "to", "not a 20-byte hex"],
      [operator.token.mint({ bank: addresses.bankA, amount: 0n }), "amount", "must be positive"],
      [operator.token.burn({ bank: addresses.bankA, amount: "125" as unknown as bigint }), "amount", "not a bigint"],
    ];
    for (const [promise, argument, problem] of cases) {
      const error = await rejectsWith(promise, InvalidArgumentError);
      expect(error.argument).to.equal(argument);
      expect(error.message).to.include(problem);
    }
    expect(await blockNumber()).to.equal(before);
  });
});
