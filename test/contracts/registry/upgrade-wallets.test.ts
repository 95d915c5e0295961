/**
 * Upgrading a registry and a token deployed from the pre-wallet implementations (test copies in
 * contracts/test/previous, verbatim but renamed) to the current ones: layouts validate, state survives,
 * wallets and tiers work afterwards, and a member transfer's gas before and after is compared.
 */
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ConsortiumRegistry, SettlementToken } from "../../../typechain-types";
import { lei, MemberStatus, Role, UNLIMITED } from "../../helpers/fixtures";
import { startNextDay } from "../token/helpers";
import { T1, WalletStatus } from "./helpers";

async function v1Deployment() {
  const [owner, operator, bankA, bankB, corp, suspended, sanctioned, wallet] = await ethers.getSigners();
  const registryV1 = await upgrades.deployProxy(
    await ethers.getContractFactory("ConsortiumRegistryV1"),
    [owner.address],
    {
      kind: "uups",
    },
  );
  const registryAddress = await registryV1.getAddress();
  const registry = (await ethers.getContractAt("ConsortiumRegistry", registryAddress)) as unknown as ConsortiumRegistry;
  await registry.admitMember(operator.address, Role.OPERATOR, lei("OP"), "Operator", UNLIMITED, UNLIMITED);
  await registry.admitMember(bankA.address, Role.MEMBER_BANK, lei("A"), "Bank A", 1_000_000n, 5_000_000n);
  await registry.admitMember(bankB.address, Role.MEMBER_BANK, lei("B"), "Bank B", 1_000_000n, 5_000_000n);
  await registry.admitMember(corp.address, Role.CORPORATE, lei("C"), "Corp", 10n, 20n);
  await registry.admitMember(suspended.address, Role.MEMBER_BANK, lei("S"), "Suspended", 1n, 1n);
  await registry.suspendMember(suspended.address);
  await registry.addSanction(sanctioned.address, 3);
  const tokenV1 = await upgrades.deployProxy(
    await ethers.getContractFactory("SettlementTokenV1"),
    [owner.address, registryAddress, "Clearhouse Euro", "chEUR", 2],
    { kind: "uups" },
  );
  const token = (await ethers.getContractAt(
    "SettlementToken",
    await tokenV1.getAddress(),
  )) as unknown as SettlementToken;
  await token.setIssuanceCeiling(UNLIMITED);
  await token.connect(operator).mint(bankA.address, 3_000_000n);
  await token.connect(operator).mint(bankB.address, 3_000_000n);
  await startNextDay();
  await token.connect(bankA).transfer(bankB.address, 1_000n);
  await token.connect(bankB).transfer(bankA.address, 1_000n);
  await token.connect(bankA).approve(bankB.address, 55n);
  return { owner, operator, bankA, bankB, corp, suspended, sanctioned, wallet, registry, token, registryAddress };
}

describe("Upgrade from the pre-wallet registry and token", function () {
  it("validates both layouts against the previous implementations", async function () {
    const { registryAddress, token } = await loadFixture(v1Deployment);
    await upgrades.validateUpgrade(registryAddress, await ethers.getContractFactory("ConsortiumRegistry"), {
      kind: "uups",
    });
    await upgrades.validateUpgrade(await token.getAddress(), await ethers.getContractFactory("SettlementToken"), {
      kind: "uups",
    });
  });

  it("keeps members, sanctions, balances and outflows; wallets work after; member transfer gas", async function () {
    const f = await loadFixture(v1Deployment);
    const { registry, token, bankA, bankB, corp, suspended, sanctioned, wallet } = f;
    const gasBefore = (await (await token.connect(bankA).transfer(bankB.address, 1_000n)).wait())!.gasUsed;
    const members = [bankA, bankB, corp, suspended].map((m) => m.address);
    const before = await Promise.all(members.map((m) => registry.memberOf(m)));
    const balances = await Promise.all(members.map((m) => token.balanceOf(m)));
    const outflow = await token.outflowToday(bankA.address);

    await upgrades.upgradeProxy(f.registryAddress, await ethers.getContractFactory("ConsortiumRegistry"), {
      kind: "uups",
    });
    await upgrades.upgradeProxy(await token.getAddress(), await ethers.getContractFactory("SettlementToken"), {
      kind: "uups",
    });

    expect(await Promise.all(members.map((m) => registry.memberOf(m)))).to.deep.equal(before);
    expect(before[3].status).to.equal(MemberStatus.Suspended);
    expect(await registry.sanctionOf(sanctioned.address)).to.equal(3n);
    expect(await registry.memberCount()).to.equal(5n);
    expect(await Promise.all(members.map((m) => token.balanceOf(m)))).to.deep.equal(balances);
    expect(await token.outflowToday(bankA.address)).to.deep.equal(outflow);
    expect(await token.allowance(bankA.address, bankB.address)).to.equal(55n);
    // No tier and no wallet exists after the upgrade.
    expect(await registry.tierOf(1)).to.deep.equal([0n, 0n, 0n]);
    expect((await registry.walletOf(wallet.address)).status).to.equal(WalletStatus.None);

    const gasAfter = (await (await token.connect(bankA).transfer(bankB.address, 1_000n)).wait())!.gasUsed;
    console.log(`      gas: member transfer before the upgrade ${gasBefore}, after ${gasAfter}`);
    expect(gasAfter - gasBefore < 2_000n).to.equal(true);

    await registry.setTier(1, T1.maxSingle, T1.maxDaily, T1.maxBalance);
    await expect(registry.connect(bankA).openWallet(wallet.address, 1))
      .to.emit(registry, "WalletOpened")
      .withArgs(wallet.address, bankA.address, 1);
    await token.connect(bankA).transfer(wallet.address, T1.maxBalance);
    await expect(token.connect(bankB).transfer(wallet.address, 1n))
      .to.be.revertedWithCustomError(token, "TokenBalanceCapExceeded")
      .withArgs(wallet.address, T1.maxBalance, 1n, T1.maxBalance);
    await token.connect(wallet).transfer(bankB.address, 1_000n);
    expect(await token.balanceOf(wallet.address)).to.equal(T1.maxBalance - 1_000n);
  });
});
