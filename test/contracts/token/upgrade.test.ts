import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { SettlementToken, SettlementTokenV2 } from "../../../typechain-types";
import { BANK_DAILY_LIMIT, BANK_SINGLE_LIMIT, deployToken, UNLIMITED, type TokenFixture } from "../../helpers/fixtures";
import { DAY, signPermit } from "./helpers";

async function permit(
  token: SettlementToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
): Promise<void> {
  const deadline = BigInt(await time.latest()) + 3_600n;
  const sig = await signPermit(token, owner, spender, value, deadline);
  await token.permit(owner.address, spender, value, deadline, sig.v, sig.r, sig.s);
}

interface UpgradeFixture extends TokenFixture {
  day: bigint;
  guardian: HardhatEthersSigner;
  accounts: HardhatEthersSigner[];
}

/**
 * A token with history, all on one UTC day: issuance, transfers (bank 0 has sent 700,000 today),
 * allowances, permits (bank 2 and bank 0 have used nonces), a redemption, and a guardian (bank 3).
 */
async function usedToken(): Promise<UpgradeFixture> {
  const f = await deployToken();
  const { token, operator, banks, corporate, outsider, owner } = f;
  const day = BigInt(Math.floor((await time.latest()) / DAY) + 1);
  await time.setNextBlockTimestamp(Number(day) * DAY + 3_600);
  for (const bank of banks) await token.connect(operator).mint(bank.address, 3_000_000n);
  await token.connect(banks[0]).transfer(banks[1].address, 700_000n);
  await token.connect(banks[1]).transfer(corporate.address, 100_000n);
  await token.connect(banks[0]).approve(banks[2].address, 123_456n);
  await token.connect(corporate).approve(banks[3].address, 999n);
  await permit(token, banks[2], operator.address, 55n);
  await permit(token, banks[0], banks[1].address, 77n);
  await permit(token, banks[0], banks[1].address, 78n);
  await token.connect(operator).burn(banks[2].address, 50n);
  await token.setGuardian(banks[3].address);
  return { ...f, day, guardian: banks[3], accounts: [owner, operator, ...banks, corporate, outsider] };
}

interface TokenState {
  name: string;
  symbol: string;
  decimals: bigint;
  owner: string;
  registry: string;
  guardian: string;
  paused: boolean;
  totalSupply: bigint;
  domainSeparator: string;
  balances: bigint[];
  allowances: bigint[][];
  nonces: bigint[];
  outflows: bigint[][];
}

async function stateOf(token: SettlementToken, accounts: readonly HardhatEthersSigner[]): Promise<TokenState> {
  const addresses = accounts.map((a) => a.address);
  return {
    name: await token.name(),
    symbol: await token.symbol(),
    decimals: await token.decimals(),
    owner: await token.owner(),
    registry: await token.registry(),
    guardian: await token.guardian(),
    paused: await token.paused(),
    totalSupply: await token.totalSupply(),
    domainSeparator: await token.DOMAIN_SEPARATOR(),
    balances: await Promise.all(addresses.map((a) => token.balanceOf(a))),
    allowances: await Promise.all(addresses.map((o) => Promise.all(addresses.map((s) => token.allowance(o, s))))),
    nonces: await Promise.all(addresses.map((a) => token.nonces(a))),
    outflows: await Promise.all(
      addresses.map(async (a) => {
        const [day, spent] = await token.outflowToday(a);
        return [day, spent];
      }),
    ),
  };
}

async function upgradeToV2(token: SettlementToken): Promise<SettlementTokenV2> {
  const factory = await ethers.getContractFactory("SettlementTokenV2");
  const upgraded = (await upgrades.upgradeProxy(token, factory, { kind: "uups" })) as unknown as SettlementTokenV2;
  await upgraded.waitForDeployment();
  return upgraded;
}

/** Deploy (or reuse) the V2 implementation without upgrading; returns its address. */
async function prepareV2(token: SettlementToken): Promise<string> {
  const factory = await ethers.getContractFactory("SettlementTokenV2");
  const implementation = await upgrades.prepareUpgrade(token, factory, { kind: "uups" });
  if (typeof implementation !== "string") throw new Error("prepareUpgrade returned a transaction");
  return implementation;
}

describe("SettlementToken upgrade to V2", function () {
  it("keeps balances, supply, allowances, nonces, guardian, pause, registry, decimals and outflow", async function () {
    const { token, registry, guardian, accounts, banks, day } = await loadFixture(usedToken);
    await token.connect(guardian).pause();
    const before = await stateOf(token, accounts);
    const implementationBefore = await upgrades.erc1967.getImplementationAddress(await token.getAddress());

    const upgraded = await upgradeToV2(token);

    expect(await upgraded.getAddress()).to.equal(await token.getAddress());
    expect(await upgrades.erc1967.getImplementationAddress(await token.getAddress())).to.not.equal(
      implementationBefore,
    );
    expect(await upgraded.version()).to.equal("2");
    const after = await stateOf(upgraded, accounts);
    expect(after).to.deep.equal(before);
    // Spot-check the snapshot holds what the fixture did, so the comparison is not vacuous.
    expect(after.paused).to.equal(true);
    expect(after.guardian).to.equal(guardian.address);
    expect(after.registry).to.equal(await registry.getAddress());
    expect(after.decimals).to.equal(2n);
    expect(after.totalSupply).to.equal(12_000_000n - 50n);
    expect(await upgraded.outflowToday(banks[0].address)).to.deep.equal([day, 700_000n]);
    expect(await upgraded.allowance(banks[0].address, banks[2].address)).to.equal(123_456n);
    expect(await upgraded.nonces(banks[0].address)).to.equal(2n);
    expect(await upgraded.nonces(banks[2].address)).to.equal(1n);
    // The appended issuance fields (ceiling, today's issuance) survive too.
    expect(await upgraded.issuanceToday()).to.deep.equal([day, 12_000_000n, UNLIMITED]);
  });

  it("still enforces the rules after the upgrade, counting today's outflow from before it", async function () {
    const { token, registry, operator, guardian, banks, outsider, day } = await loadFixture(usedToken);
    const upgraded = await upgradeToV2(token);
    const [from, to] = banks;
    await upgraded.connect(operator).mint(from.address, 3_000_000n);
    for (let i = 0; i < 4; i++) await upgraded.connect(from).transfer(to.address, BANK_SINGLE_LIMIT);
    await expect(upgraded.connect(from).transfer(to.address, 300_001n))
      .to.be.revertedWithCustomError(upgraded, "TokenDailyOutflowLimitExceeded")
      .withArgs(from.address, day, 4_700_000n, 300_001n, BANK_DAILY_LIMIT);
    await expect(upgraded.connect(from).transfer(outsider.address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(outsider.address);
    // The allowance carried over is usable, and spending it counts against bank 0's limit for today.
    await upgraded.connect(from).transfer(to.address, 200_000n);
    await expect(upgraded.connect(banks[2]).transferFrom(from.address, banks[2].address, 100_001n))
      .to.be.revertedWithCustomError(upgraded, "TokenDailyOutflowLimitExceeded")
      .withArgs(from.address, day, 4_900_000n, 100_001n, BANK_DAILY_LIMIT);
    await upgraded.connect(banks[2]).transferFrom(from.address, banks[2].address, 100_000n);
    expect(await upgraded.allowance(from.address, banks[2].address)).to.equal(23_456n);
    expect(await upgraded.outflowToday(from.address)).to.deep.equal([day, BANK_DAILY_LIMIT]);
    await upgraded.connect(guardian).pause();
    await expect(upgraded.connect(to).transfer(from.address, 1n)).to.be.revertedWithCustomError(
      upgraded,
      "EnforcedPause",
    );
    await expect(upgraded.connect(guardian).unpause())
      .to.be.revertedWithCustomError(upgraded, "OwnableUnauthorizedAccount")
      .withArgs(guardian.address);
  });

  it("validateUpgrade accepts V2 against the proxy and against the V1 factory", async function () {
    const { token } = await loadFixture(deployToken);
    const v1 = await ethers.getContractFactory("SettlementToken");
    const v2 = await ethers.getContractFactory("SettlementTokenV2");
    expect(await upgrades.validateUpgrade(token, v2, { kind: "uups" })).to.equal(undefined);
    expect(await upgrades.validateUpgrade(v1, v2, { kind: "uups" })).to.equal(undefined);
  });

  it("validateUpgrade rejects a candidate that drops the token's storage (control)", async function () {
    const { token } = await loadFixture(deployToken);
    const unrelated = await ethers.getContractFactory("ConsortiumRegistry");
    const error = await upgrades.validateUpgrade(token, unrelated, { kind: "uups" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain("Deleted namespace `erc7201:clearhouse.storage.SettlementToken`");
  });

  it("refuses upgradeToAndCall from anyone but the owner", async function () {
    const { token, operator, guardian, banks, outsider } = await loadFixture(usedToken);
    const implementation = await prepareV2(token);
    const before = await upgrades.erc1967.getImplementationAddress(await token.getAddress());
    for (const caller of [operator, guardian, banks[0], outsider]) {
      await expect(token.connect(caller).upgradeToAndCall(implementation, "0x"))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(caller.address);
    }
    expect(await upgrades.erc1967.getImplementationAddress(await token.getAddress())).to.equal(before);
  });

  it("lets the owner upgrade with upgradeToAndCall directly: Upgraded(implementation)", async function () {
    const { token, owner } = await loadFixture(usedToken);
    const implementation = await prepareV2(token);
    await expect(token.connect(owner).upgradeToAndCall(implementation, "0x"))
      .to.emit(token, "Upgraded")
      .withArgs(implementation);
    const upgraded = await ethers.getContractAt("SettlementTokenV2", await token.getAddress());
    expect(await upgraded.version()).to.equal("2");
    expect(await upgrades.erc1967.getImplementationAddress(await token.getAddress())).to.equal(implementation);
  });

  it("refuses to re-run initialize through upgradeToAndCall", async function () {
    const { token, owner, registry } = await loadFixture(usedToken);
    const implementation = await prepareV2(token);
    const data = token.interface.encodeFunctionData("initialize", [
      owner.address,
      await registry.getAddress(),
      "Hijacked",
      "HJK",
      18,
    ]);
    await expect(token.upgradeToAndCall(implementation, data)).to.be.revertedWithCustomError(
      token,
      "InvalidInitialization",
    );
    expect(await token.name()).to.equal("Clearhouse Euro");
  });

  it("refuses an implementation that is not UUPS", async function () {
    const { token, outsider, registry } = await loadFixture(usedToken);
    const before = await upgrades.erc1967.getImplementationAddress(await token.getAddress());
    // A proxy answers proxiableUUID with a revert: ERC1967InvalidImplementation.
    await expect(token.upgradeToAndCall(await registry.getAddress(), "0x"))
      .to.be.revertedWithCustomError(token, "ERC1967InvalidImplementation")
      .withArgs(await registry.getAddress());
    // An address without code returns nothing to decode, so the call reverts without a reason.
    await expect(token.upgradeToAndCall(outsider.address, "0x")).to.be.revertedWithoutReason();
    expect(await upgrades.erc1967.getImplementationAddress(await token.getAddress())).to.equal(before);
  });

  it("implementations cannot be initialized nor upgraded directly", async function () {
    const { token, owner, registry } = await loadFixture(usedToken);
    const v1Address = await upgrades.erc1967.getImplementationAddress(await token.getAddress());
    const v2Address = await prepareV2(token);
    const v1 = await ethers.getContractAt("SettlementToken", v1Address);
    const v2 = await ethers.getContractAt("SettlementTokenV2", v2Address);
    for (const implementation of [v1, v2]) {
      await expect(
        implementation.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 2),
      ).to.be.revertedWithCustomError(implementation, "InvalidInitialization");
      expect(await implementation.owner()).to.equal(ethers.ZeroAddress);
      await expect(implementation.upgradeToAndCall(v2Address, "0x")).to.be.revertedWithCustomError(
        implementation,
        "UUPSUnauthorizedCallContext",
      );
    }
  });

  it("only a new owner can upgrade after a two-step ownership transfer", async function () {
    const { token, owner, banks } = await loadFixture(usedToken);
    const governance = banks[3];
    await token.transferOwnership(governance.address);
    await token.connect(governance).acceptOwnership();
    const implementation = await prepareV2(token);
    await expect(token.connect(owner).upgradeToAndCall(implementation, "0x"))
      .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
      .withArgs(owner.address);
    await expect(token.connect(governance).upgradeToAndCall(implementation, "0x"))
      .to.emit(token, "Upgraded")
      .withArgs(implementation);
  });
});
