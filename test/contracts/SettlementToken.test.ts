import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse, Signature } from "ethers";
import type { ConsortiumRegistry, SettlementToken } from "../../typechain-types";
import { BANK_DAILY_LIMIT, BANK_SINGLE_LIMIT, Role, deployToken, type TokenFixture } from "../helpers/fixtures";

const DAY = 86_400;
const SANCTION_CODE = 7;
const INITIAL_BALANCE = 3_000_000n;
const ERC1967_IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

type Impairment = "suspended" | "removed" | "sanctioned";
const IMPAIRMENTS: readonly Impairment[] = ["suspended", "removed", "sanctioned"];

interface ExpectedError {
  name: string;
  args: readonly unknown[];
}

/** The block number a transaction was mined in. */
async function minedIn(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction not mined");
  return receipt.blockNumber;
}

/**
 * Suspend, remove or sanction `account` in the registry and return the registry error `requireActive`
 * now raises for it.
 */
async function impair(registry: ConsortiumRegistry, account: string, how: Impairment): Promise<ExpectedError> {
  switch (how) {
    case "suspended":
      return { name: "RegistryMemberSuspended", args: [account, await minedIn(registry.suspendMember(account))] };
    case "removed":
      return { name: "RegistryMemberRemoved", args: [account, await minedIn(registry.removeMember(account))] };
    case "sanctioned":
      await registry.addSanction(account, SANCTION_CODE);
      return { name: "RegistryAccountSanctioned", args: [account, SANCTION_CODE] };
  }
}

/** Move the chain to `offset` seconds into the next UTC day; returns that day number. */
async function startNextDay(offset = 3_600): Promise<bigint> {
  const day = Math.floor((await time.latest()) / DAY) + 1;
  await time.setNextBlockTimestamp(day * DAY + offset);
  return BigInt(day);
}

async function signPermit(
  token: SettlementToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
  signer: HardhatEthersSigner = owner,
): Promise<Signature> {
  const domain = {
    name: await token.name(),
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await token.getAddress(),
  };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const message = { owner: owner.address, spender, value, nonce: await token.nonces(owner.address), deadline };
  return ethers.Signature.from(await signer.signTypedData(domain, types, message));
}

/** Every bank holds INITIAL_BALANCE. */
async function fundedToken(): Promise<TokenFixture> {
  const f = await deployToken();
  for (const bank of f.banks) await f.token.connect(f.operator).mint(bank.address, INITIAL_BALANCE);
  return f;
}

describe("SettlementToken", function () {
  describe("initialize", function () {
    async function uninitializedProxy(): Promise<{ token: SettlementToken; registry: ConsortiumRegistry }> {
      const { registry } = await deployToken();
      const factory = await ethers.getContractFactory("SettlementToken");
      const token = (await upgrades.deployProxy(factory, [], {
        kind: "uups",
        initializer: false,
      })) as unknown as SettlementToken;
      return { token, registry };
    }

    it("sets name, symbol, decimals = 2, owner, registry and no guardian", async function () {
      const { token, registry, owner } = await loadFixture(deployToken);
      expect(await token.name()).to.equal("Clearhouse Euro");
      expect(await token.symbol()).to.equal("chEUR");
      expect(await token.decimals()).to.equal(2n);
      expect(await token.owner()).to.equal(owner.address);
      expect(await token.pendingOwner()).to.equal(ethers.ZeroAddress);
      expect(await token.registry()).to.equal(await registry.getAddress());
      expect(await token.guardian()).to.equal(ethers.ZeroAddress);
      expect(await token.paused()).to.equal(false);
      expect(await token.totalSupply()).to.equal(0n);
    });

    it("uses the token name and version 1 as the EIP-712 domain", async function () {
      const { token } = await loadFixture(deployToken);
      const chainId = (await ethers.provider.getNetwork()).chainId;
      const verifyingContract = await token.getAddress();
      const domain = await token.eip712Domain();
      expect(domain.name).to.equal("Clearhouse Euro");
      expect(domain.version).to.equal("1");
      expect(domain.chainId).to.equal(chainId);
      expect(domain.verifyingContract).to.equal(verifyingContract);
      expect(await token.DOMAIN_SEPARATOR()).to.equal(
        ethers.TypedDataEncoder.hashDomain({ name: "Clearhouse Euro", version: "1", chainId, verifyingContract }),
      );
    });

    it("initializes a fresh proxy and emits Initialized(1) and OwnershipTransferred", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      const [, , , , , , , , newOwner] = await ethers.getSigners();
      await expect(token.initialize(newOwner.address, await registry.getAddress(), "Clearhouse Pound", "chGBP", 18))
        .to.emit(token, "Initialized")
        .withArgs(1n)
        .and.to.emit(token, "OwnershipTransferred")
        .withArgs(ethers.ZeroAddress, newOwner.address);
      expect(await token.decimals()).to.equal(18n);
      expect(await token.name()).to.equal("Clearhouse Pound");
      expect(await token.symbol()).to.equal("chGBP");
      expect(await token.owner()).to.equal(newOwner.address);
    });

    it("accepts 0 decimals", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      const [owner] = await ethers.getSigners();
      await token.initialize(owner.address, await registry.getAddress(), "Clearhouse Yen", "chJPY", 0);
      expect(await token.decimals()).to.equal(0n);
    });

    it("reverts with TokenZeroAddress for a zero owner", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      await expect(
        token.initialize(ethers.ZeroAddress, await registry.getAddress(), "Clearhouse Euro", "chEUR", 2),
      ).to.be.revertedWithCustomError(token, "TokenZeroAddress");
    });

    it("reverts with TokenInvalidRegistry for a registry address without code", async function () {
      const { token } = await loadFixture(uninitializedProxy);
      const [owner, eoa] = await ethers.getSigners();
      await expect(token.initialize(owner.address, eoa.address, "Clearhouse Euro", "chEUR", 2))
        .to.be.revertedWithCustomError(token, "TokenInvalidRegistry")
        .withArgs(eoa.address);
      await expect(token.initialize(owner.address, ethers.ZeroAddress, "Clearhouse Euro", "chEUR", 2))
        .to.be.revertedWithCustomError(token, "TokenInvalidRegistry")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts with TokenInvalidDecimals for 19 decimals", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      const [owner] = await ethers.getSigners();
      await expect(token.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 19))
        .to.be.revertedWithCustomError(token, "TokenInvalidDecimals")
        .withArgs(19);
    });

    it("leaves the proxy uninitialized after a failed initialize", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      const [owner] = await ethers.getSigners();
      await expect(
        token.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 19),
      ).to.be.revertedWithCustomError(token, "TokenInvalidDecimals");
      expect(await token.owner()).to.equal(ethers.ZeroAddress);
      await token.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 2);
      expect(await token.owner()).to.equal(owner.address);
    });

    it("reverts with InvalidInitialization when called twice", async function () {
      const { token, registry, owner } = await loadFixture(deployToken);
      await expect(
        token.initialize(owner.address, await registry.getAddress(), "Other", "OTH", 2),
      ).to.be.revertedWithCustomError(token, "InvalidInitialization");
      expect(await token.name()).to.equal("Clearhouse Euro");
    });

    it("reverts with InvalidInitialization on the implementation contract", async function () {
      const { token, registry, owner } = await loadFixture(deployToken);
      const implementation = await ethers.getContractAt(
        "SettlementToken",
        await upgrades.erc1967.getImplementationAddress(await token.getAddress()),
      );
      await expect(
        implementation.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 2),
      ).to.be.revertedWithCustomError(implementation, "InvalidInitialization");
    });
  });

  describe("mint", function () {
    it("issues to an active bank: balance, supply, Transfer and Issued events", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      const bank = banks[0];
      await expect(token.connect(operator).mint(bank.address, 12_345n))
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, bank.address, 12_345n)
        .and.to.emit(token, "Issued")
        .withArgs(operator.address, bank.address, 12_345n);
      expect(await token.balanceOf(bank.address)).to.equal(12_345n);
      expect(await token.totalSupply()).to.equal(12_345n);
      await token.connect(operator).mint(bank.address, 5n);
      expect(await token.balanceOf(bank.address)).to.equal(12_350n);
      expect(await token.totalSupply()).to.equal(12_350n);
    });

    it("neither records issuance as the bank's outflow nor applies transfer limits to it", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      const day = await startNextDay();
      await expect(token.connect(operator).mint(banks[0].address, BANK_DAILY_LIMIT + 1n)).not.to.emit(token, "Outflow");
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 0n]);
      expect(await token.outflowToday(operator.address)).to.deep.equal([day, 0n]);
      expect(await token.balanceOf(banks[0].address)).to.equal(BANK_DAILY_LIMIT + 1n);
    });

    it("issues to a bank that holds other roles too", async function () {
      const { token, registry, operator, banks } = await loadFixture(deployToken);
      await registry.setRoles(banks[0].address, Role.MEMBER_BANK | Role.AUDITOR);
      await token.connect(operator).mint(banks[0].address, 1n);
      expect(await token.balanceOf(banks[0].address)).to.equal(1n);
    });

    it("reverts with RegistryNotMember when the caller is not a member", async function () {
      const { token, registry, banks, outsider } = await loadFixture(deployToken);
      await expect(token.connect(outsider).mint(banks[0].address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    it("reverts with RegistryMissingRole(caller, OPERATOR) for a member that is not an operator", async function () {
      const { token, registry, banks, corporate } = await loadFixture(deployToken);
      await expect(token.connect(banks[0]).mint(banks[0].address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(banks[0].address, Role.OPERATOR);
      await expect(token.connect(corporate).mint(banks[1].address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(corporate.address, Role.OPERATOR);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the operator is ${how}`, async function () {
        const { token, registry, operator, banks } = await loadFixture(deployToken);
        const expected = await impair(registry, operator.address, how);
        await expect(token.connect(operator).mint(banks[0].address, 1n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.totalSupply()).to.equal(0n);
      });
    }

    it("reverts with TokenZeroAmount for a zero amount", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(banks[0].address, 0n)).to.be.revertedWithCustomError(
        token,
        "TokenZeroAmount",
      );
    });

    it("checks the operator before the amount", async function () {
      const { token, registry, banks } = await loadFixture(deployToken);
      await expect(token.connect(banks[0]).mint(banks[0].address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(banks[0].address, Role.OPERATOR);
    });

    it("reverts with RegistryMissingRole(recipient, MEMBER_BANK) for a corporate or operator recipient", async function () {
      const { token, registry, operator, corporate } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(corporate.address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(corporate.address, Role.MEMBER_BANK);
      await expect(token.connect(operator).mint(operator.address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(operator.address, Role.MEMBER_BANK);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the recipient bank is ${how}`, async function () {
        const { token, registry, operator, banks } = await loadFixture(deployToken);
        const expected = await impair(registry, banks[1].address, how);
        await expect(token.connect(operator).mint(banks[1].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[1].address)).to.equal(0n);
      });
    }

    it("issues again to a bank reinstated after a suspension", async function () {
      const { token, registry, operator, banks } = await loadFixture(deployToken);
      await registry.suspendMember(banks[1].address);
      await registry.reinstateMember(banks[1].address);
      await token.connect(operator).mint(banks[1].address, 100n);
      expect(await token.balanceOf(banks[1].address)).to.equal(100n);
    });

    it("reverts with RegistryNotMember for an outsider recipient", async function () {
      const { token, registry, operator, outsider } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(outsider.address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    it("reverts with ERC20InvalidReceiver for the zero address", async function () {
      const { token, operator } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts with an arithmetic overflow panic when the supply would overflow", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      await token.connect(operator).mint(banks[0].address, ethers.MaxUint256);
      await expect(token.connect(operator).mint(banks[1].address, 1n)).to.be.revertedWithPanic(0x11);
      expect(await token.totalSupply()).to.equal(ethers.MaxUint256);
    });
  });

  describe("burn", function () {
    it("reverts with ERC20InsufficientAllowance without the bank's allowance", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      await expect(token.connect(operator).burn(banks[0].address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(operator.address, 0n, 100n);
      await token.connect(banks[0]).approve(operator.address, 99n);
      await expect(token.connect(operator).burn(banks[0].address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(operator.address, 99n, 100n);
      expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
    });

    it("redeems with an allowance: balance, supply, allowance, Transfer and Redeemed events", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const bank = banks[0];
      await token.connect(bank).approve(operator.address, 1_000n);
      await expect(token.connect(operator).burn(bank.address, 400n))
        .to.emit(token, "Transfer")
        .withArgs(bank.address, ethers.ZeroAddress, 400n)
        .and.to.emit(token, "Redeemed")
        .withArgs(operator.address, bank.address, 400n);
      expect(await token.balanceOf(bank.address)).to.equal(INITIAL_BALANCE - 400n);
      expect(await token.totalSupply()).to.equal(4n * INITIAL_BALANCE - 400n);
      expect(await token.allowance(bank.address, operator.address)).to.equal(600n);
    });

    it("does not decrease an unlimited allowance and does not record an outflow", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await token.connect(banks[0]).approve(operator.address, ethers.MaxUint256);
      await expect(token.connect(operator).burn(banks[0].address, INITIAL_BALANCE)).not.to.emit(token, "Outflow");
      expect(await token.allowance(banks[0].address, operator.address)).to.equal(ethers.MaxUint256);
      expect(await token.balanceOf(banks[0].address)).to.equal(0n);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 0n]);
    });

    it("redeems with an EIP-2612 permit signed by the bank", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const bank = banks[0];
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, bank, operator.address, 250n, deadline);
      await expect(token.connect(operator).permit(bank.address, operator.address, 250n, deadline, sig.v, sig.r, sig.s))
        .to.emit(token, "Approval")
        .withArgs(bank.address, operator.address, 250n);
      expect(await token.nonces(bank.address)).to.equal(1n);
      await expect(token.connect(operator).burn(bank.address, 250n))
        .to.emit(token, "Redeemed")
        .withArgs(operator.address, bank.address, 250n);
      expect(await token.balanceOf(bank.address)).to.equal(INITIAL_BALANCE - 250n);
      expect(await token.allowance(bank.address, operator.address)).to.equal(0n);
    });

    it("reverts with ERC20InsufficientBalance when burning more than the balance", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(operator.address, ethers.MaxUint256);
      await expect(token.connect(operator).burn(banks[0].address, INITIAL_BALANCE + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(banks[0].address, INITIAL_BALANCE, INITIAL_BALANCE + 1n);
    });

    it("reverts with TokenZeroAmount for a zero amount", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(operator.address, 100n);
      await expect(token.connect(operator).burn(banks[0].address, 0n)).to.be.revertedWithCustomError(
        token,
        "TokenZeroAmount",
      );
    });

    it("reverts with RegistryMissingRole(caller, OPERATOR) for a non-operator member", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[1].address, 100n);
      await expect(token.connect(banks[1]).burn(banks[0].address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(banks[1].address, Role.OPERATOR);
      expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
    });

    it("reverts with RegistryNotMember for an outsider caller", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(outsider.address, 100n);
      await expect(token.connect(outsider).burn(banks[0].address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the operator is ${how}`, async function () {
        const { token, registry, operator, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(operator.address, 100n);
        const expected = await impair(registry, operator.address, how);
        await expect(token.connect(operator).burn(banks[0].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
      });

      it(`reverts with the registry error when the bank is ${how}`, async function () {
        const { token, registry, operator, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(operator.address, 100n);
        const expected = await impair(registry, banks[0].address, how);
        await expect(token.connect(operator).burn(banks[0].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
        expect(await token.allowance(banks[0].address, operator.address)).to.equal(100n);
      });
    }

    it("reverts with RegistryMissingRole(holder, MEMBER_BANK) when redeeming from a corporate", async function () {
      const { token, registry, operator, banks, corporate } = await loadFixture(fundedToken);
      await token.connect(banks[0]).transfer(corporate.address, 500n);
      await token.connect(corporate).approve(operator.address, 500n);
      await expect(token.connect(operator).burn(corporate.address, 500n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(corporate.address, Role.MEMBER_BANK);
      expect(await token.balanceOf(corporate.address)).to.equal(500n);
    });
  });

  describe("transfer", function () {
    it("moves tokens between active banks and emits Transfer and Outflow", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [from, to] = banks;
      const day = await startNextDay();
      expect(await token.connect(from).transfer.staticCall(to.address, 1n)).to.equal(true);
      await expect(token.connect(from).transfer(to.address, 700n))
        .to.emit(token, "Transfer")
        .withArgs(from.address, to.address, 700n)
        .and.to.emit(token, "Outflow")
        .withArgs(from.address, day, 700n, 700n);
      await expect(token.connect(from).transfer(to.address, 300n))
        .to.emit(token, "Outflow")
        .withArgs(from.address, day, 300n, 1_000n);
      expect(await token.balanceOf(from.address)).to.equal(INITIAL_BALANCE - 1_000n);
      expect(await token.balanceOf(to.address)).to.equal(INITIAL_BALANCE + 1_000n);
      expect(await token.totalSupply()).to.equal(4n * INITIAL_BALANCE);
      expect(await token.outflowToday(from.address)).to.deep.equal([day, 1_000n]);
      expect(await token.outflowToday(to.address)).to.deep.equal([day, 0n]);
    });

    it("moves tokens to and from a corporate member under the corporate's own limits", async function () {
      const { token, registry, banks, corporate } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await token.connect(banks[0]).transfer(corporate.address, 900n);
      expect(await token.balanceOf(corporate.address)).to.equal(900n);
      await registry.setLimits(corporate.address, 100n, 1_000n);
      await expect(token.connect(corporate).transfer(banks[1].address, 101n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(corporate.address, 101n, 100n);
      await expect(token.connect(corporate).transfer(banks[1].address, 100n))
        .to.emit(token, "Outflow")
        .withArgs(corporate.address, day, 100n, 100n);
      expect(await token.balanceOf(corporate.address)).to.equal(800n);
      expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 100n);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the sender is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        const expected = await impair(registry, banks[0].address, how);
        await expect(token.connect(banks[0]).transfer(banks[1].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
        expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE);
      });

      it(`reverts with the registry error when the recipient is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        const expected = await impair(registry, banks[1].address, how);
        await expect(token.connect(banks[0]).transfer(banks[1].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
        expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE);
      });
    }

    it("reverts with RegistryNotMember when the sender is not a member", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await expect(token.connect(outsider).transfer(banks[1].address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    it("reverts with RegistryNotMember when the recipient is not a member", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await expect(token.connect(banks[0]).transfer(outsider.address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
      expect(await token.balanceOf(outsider.address)).to.equal(0n);
    });

    it("reverts with RegistryAccountSanctioned for a sanctioned non-member recipient", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await registry.addSanction(outsider.address, SANCTION_CODE);
      await expect(token.connect(banks[0]).transfer(outsider.address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(outsider.address, SANCTION_CODE);
    });

    it("screens the sender before the recipient", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      const senderError = await impair(registry, banks[0].address, "sanctioned");
      await impair(registry, banks[1].address, "suspended");
      await expect(token.connect(banks[0]).transfer(banks[1].address, 100n))
        .to.be.revertedWithCustomError(registry, senderError.name)
        .withArgs(...senderError.args);
    });

    it("transfers again once a suspended sender is reinstated and a sanction is lifted", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      await registry.suspendMember(banks[0].address);
      await registry.addSanction(banks[1].address, SANCTION_CODE);
      await registry.reinstateMember(banks[0].address);
      await registry.removeSanction(banks[1].address, SANCTION_CODE);
      await token.connect(banks[0]).transfer(banks[1].address, 100n);
      expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 100n);
    });

    it("reverts with ERC20InvalidReceiver for the zero address", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await expect(token.connect(banks[0]).transfer(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts with ERC20InsufficientBalance and records no outflow", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      await token.connect(operator).mint(banks[0].address, 10n);
      const day = await startNextDay();
      await expect(token.connect(banks[0]).transfer(banks[1].address, 11n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(banks[0].address, 10n, 11n);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 0n]);
    });

    it("allows exactly maxSingleTransfer and reverts with TokenSingleTransferLimitExceeded above it", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await expect(token.connect(banks[0]).transfer(banks[1].address, BANK_SINGLE_LIMIT + 1n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(banks[0].address, BANK_SINGLE_LIMIT + 1n, BANK_SINGLE_LIMIT);
      await expect(token.connect(banks[0]).transfer(banks[1].address, BANK_SINGLE_LIMIT))
        .to.emit(token, "Outflow")
        .withArgs(banks[0].address, day, BANK_SINGLE_LIMIT, BANK_SINGLE_LIMIT);
    });

    it("checks the single-transfer limit before the balance", async function () {
      const { token, banks, corporate } = await loadFixture(fundedToken);
      await expect(token.connect(corporate).transfer(banks[1].address, BANK_SINGLE_LIMIT + 1n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(corporate.address, BANK_SINGLE_LIMIT + 1n, BANK_SINGLE_LIMIT);
    });

    it("reverts with TokenDailyOutflowLimitExceeded(account, day, spentToday, amount, limit)", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const [from, a, b] = banks;
      await token.connect(operator).mint(from.address, 4_000_000n);
      const day = await startNextDay();
      for (let i = 0; i < 4; i++) await token.connect(from).transfer(i % 2 ? a.address : b.address, BANK_SINGLE_LIMIT);
      await token.connect(from).transfer(a.address, 500_000n);
      await expect(token.connect(from).transfer(b.address, 500_001n))
        .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
        .withArgs(from.address, day, 4_500_000n, 500_001n, BANK_DAILY_LIMIT);
      await expect(token.connect(from).transfer(b.address, 500_000n))
        .to.emit(token, "Outflow")
        .withArgs(from.address, day, 500_000n, BANK_DAILY_LIMIT);
      await expect(token.connect(from).transfer(a.address, 1n))
        .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
        .withArgs(from.address, day, BANK_DAILY_LIMIT, 1n, BANK_DAILY_LIMIT);
      expect(await token.outflowToday(from.address)).to.deep.equal([day, BANK_DAILY_LIMIT]);
      expect(await token.balanceOf(from.address)).to.equal(7_000_000n - BANK_DAILY_LIMIT);
    });

    it("resets the daily counter at the next UTC midnight", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const [from, to] = banks;
      await token.connect(operator).mint(from.address, 4_000_000n);
      const day = await startNextDay(DAY - 600);
      for (let i = 0; i < 5; i++) await token.connect(from).transfer(to.address, BANK_SINGLE_LIMIT);
      const midnight = Number(day + 1n) * DAY;
      await time.setNextBlockTimestamp(midnight - 1);
      await expect(token.connect(from).transfer(to.address, 1n))
        .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
        .withArgs(from.address, day, BANK_DAILY_LIMIT, 1n, BANK_DAILY_LIMIT);
      await time.setNextBlockTimestamp(midnight);
      await expect(token.connect(from).transfer(to.address, BANK_SINGLE_LIMIT))
        .to.emit(token, "Outflow")
        .withArgs(from.address, day + 1n, BANK_SINGLE_LIMIT, BANK_SINGLE_LIMIT);
      expect(await token.outflowToday(from.address)).to.deep.equal([day + 1n, BANK_SINGLE_LIMIT]);
    });

    it("resets the daily counter after time.increase by a day", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const [from, to] = banks;
      await token.connect(operator).mint(from.address, 4_000_000n);
      const day = await startNextDay();
      for (let i = 0; i < 5; i++) await token.connect(from).transfer(to.address, BANK_SINGLE_LIMIT);
      await time.increase(DAY);
      await expect(token.connect(from).transfer(to.address, 42n))
        .to.emit(token, "Outflow")
        .withArgs(from.address, day + 1n, 42n, 42n);
    });

    it("applies limits changed in the registry to the rest of the day", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await token.connect(banks[0]).transfer(banks[1].address, 600n);
      await registry.setLimits(banks[0].address, 500n, 1_000n);
      await expect(token.connect(banks[0]).transfer(banks[1].address, 401n))
        .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
        .withArgs(banks[0].address, day, 600n, 401n, 1_000n);
      await token.connect(banks[0]).transfer(banks[1].address, 400n);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 1_000n]);
    });

    it("counts a transfer to oneself as outflow", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await expect(token.connect(banks[0]).transfer(banks[0].address, 1_000n))
        .to.emit(token, "Outflow")
        .withArgs(banks[0].address, day, 1_000n, 1_000n);
      expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
    });

    it("screens zero-value transfers and records them as zero outflow", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await expect(token.connect(banks[0]).transfer(outsider.address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
      await token.connect(banks[0]).transfer(banks[1].address, 10n);
      await expect(token.connect(banks[0]).transfer(banks[1].address, 0n))
        .to.emit(token, "Transfer")
        .withArgs(banks[0].address, banks[1].address, 0n)
        .and.to.emit(token, "Outflow")
        .withArgs(banks[0].address, day, 0n, 10n);
      const expected = await impair(registry, banks[2].address, "suspended");
      await expect(token.connect(banks[2]).transfer(banks[1].address, 0n))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
      await expect(token.connect(banks[0]).transfer(banks[2].address, 0n))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
    });
  });

  describe("transferFrom", function () {
    it("lets an active member spend an allowance; the outflow is the owner's", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [from, spender, to] = banks;
      const day = await startNextDay();
      await token.connect(from).approve(spender.address, 1_000n);
      await expect(token.connect(spender).transferFrom(from.address, to.address, 600n))
        .to.emit(token, "Transfer")
        .withArgs(from.address, to.address, 600n)
        .and.to.emit(token, "Outflow")
        .withArgs(from.address, day, 600n, 600n);
      expect(await token.allowance(from.address, spender.address)).to.equal(400n);
      expect(await token.balanceOf(from.address)).to.equal(INITIAL_BALANCE - 600n);
      expect(await token.balanceOf(to.address)).to.equal(INITIAL_BALANCE + 600n);
      expect(await token.balanceOf(spender.address)).to.equal(INITIAL_BALANCE);
      expect(await token.outflowToday(from.address)).to.deep.equal([day, 600n]);
      expect(await token.outflowToday(spender.address)).to.deep.equal([day, 0n]);
    });

    it("lets a corporate member spend an allowance", async function () {
      const { token, banks, corporate } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(corporate.address, 100n);
      await token.connect(corporate).transferFrom(banks[0].address, corporate.address, 100n);
      expect(await token.balanceOf(corporate.address)).to.equal(100n);
      expect(await token.allowance(banks[0].address, corporate.address)).to.equal(0n);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the spender is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(banks[1].address, 1_000n);
        const expected = await impair(registry, banks[1].address, how);
        await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(1_000n);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
      });

      it(`reverts with the registry error when the owner is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(banks[1].address, 1_000n);
        const expected = await impair(registry, banks[0].address, how);
        await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
      });

      it(`reverts with the registry error when the recipient is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(banks[1].address, 1_000n);
        const expected = await impair(registry, banks[2].address, how);
        await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[2].address)).to.equal(INITIAL_BALANCE);
      });
    }

    it("reverts with RegistryNotMember for an outsider spender, even for zero value", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(outsider.address, 1_000n);
      await expect(token.connect(outsider).transferFrom(banks[0].address, banks[1].address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
      await expect(token.connect(outsider).transferFrom(banks[0].address, banks[1].address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
      expect(await token.allowance(banks[0].address, outsider.address)).to.equal(1_000n);
    });

    it("reverts with RegistryNotMember for an outsider recipient", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[1].address, 1_000n);
      await expect(token.connect(banks[1]).transferFrom(banks[0].address, outsider.address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    it("reverts with ERC20InsufficientAllowance above the allowance", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[1].address, 99n);
      await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(banks[1].address, 99n, 100n);
    });

    it("applies the owner's limits, not the spender's", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      await registry.setLimits(banks[0].address, 50n, 50n);
      await token.connect(banks[0]).approve(banks[1].address, 1_000n);
      await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 51n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(banks[0].address, 51n, 50n);
      await token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 50n);
      expect(await token.balanceOf(banks[2].address)).to.equal(INITIAL_BALANCE + 50n);
    });

    it("from == msg.sender still spends an allowance to oneself", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await expect(token.connect(banks[0]).transferFrom(banks[0].address, banks[1].address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(banks[0].address, 0n, 100n);
      await token.connect(banks[0]).approve(banks[0].address, 300n);
      await expect(token.connect(banks[0]).transferFrom(banks[0].address, banks[1].address, 100n))
        .to.emit(token, "Transfer")
        .withArgs(banks[0].address, banks[1].address, 100n);
      expect(await token.allowance(banks[0].address, banks[0].address)).to.equal(200n);
      expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 100n);
    });

    it("from == msg.sender is still screened as the sender", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[0].address, 300n);
      const expected = await impair(registry, banks[0].address, "suspended");
      await expect(token.connect(banks[0]).transferFrom(banks[0].address, banks[1].address, 100n))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
    });
  });

  describe("approve", function () {
    it("sets the allowance and emits Approval", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      expect(await token.connect(banks[0]).approve.staticCall(banks[1].address, 1n)).to.equal(true);
      await expect(token.connect(banks[0]).approve(banks[1].address, 5_000n))
        .to.emit(token, "Approval")
        .withArgs(banks[0].address, banks[1].address, 5_000n);
      expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(5_000n);
      await token.connect(banks[0]).approve(banks[1].address, 0n);
      expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(0n);
    });

    it("does not screen the spender when approving (it is screened when spending)", async function () {
      const { token, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(outsider.address, 5_000n);
      expect(await token.allowance(banks[0].address, outsider.address)).to.equal(5_000n);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the owner is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        const expected = await impair(registry, banks[0].address, how);
        await expect(token.connect(banks[0]).approve(banks[1].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(0n);
      });
    }

    it("reverts with RegistryNotMember when the owner is not a member", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await expect(token.connect(outsider).approve(banks[1].address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    for (const state of ["suspended", "sanctioned"] as const) {
      it(`lets a ${state} owner revoke an earlier allowance (value 0) but not raise one`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(banks[1].address, 100n);
        const expected = await impair(registry, banks[0].address, state);
        await expect(token.connect(banks[0]).approve(banks[1].address, 1n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        await expect(token.connect(banks[0]).approve(banks[1].address, 0n))
          .to.emit(token, "Approval")
          .withArgs(banks[0].address, banks[1].address, 0n);
        expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(0n);
      });
    }

    it("reverts with ERC20InvalidSpender for the zero address", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await expect(token.connect(banks[0]).approve(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSpender")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("permit", function () {
    it("sets the allowance from the owner's signature, submitted by anyone, and bumps the nonce", async function () {
      const { token, banks, outsider } = await loadFixture(fundedToken);
      const [owner, spender] = banks;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, owner, spender.address, 777n, deadline);
      expect(await token.nonces(owner.address)).to.equal(0n);
      await expect(token.connect(outsider).permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s))
        .to.emit(token, "Approval")
        .withArgs(owner.address, spender.address, 777n);
      expect(await token.allowance(owner.address, spender.address)).to.equal(777n);
      expect(await token.nonces(owner.address)).to.equal(1n);
    });

    it("reverts with ERC2612InvalidSigner when a signature is replayed", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [owner, spender] = banks;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, owner, spender.address, 777n, deadline);
      await token.permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s);
      await expect(token.permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(anyValue, owner.address);
    });

    it("reverts with ERC2612ExpiredSignature after the deadline", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [owner, spender] = banks;
      const deadline = BigInt(await time.latest()) + 10n;
      const sig = await signPermit(token, owner, spender.address, 777n, deadline);
      await time.increaseTo(deadline + 1n);
      await expect(token.permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
      expect(await token.nonces(owner.address)).to.equal(0n);
    });

    it("reverts with ERC2612InvalidSigner when signed by someone else", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [owner, spender, thief] = banks;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, owner, thief.address, 777n, deadline, thief);
      await expect(token.permit(owner.address, thief.address, 777n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(thief.address, owner.address);
      expect(await token.allowance(owner.address, thief.address)).to.equal(0n);
      expect(spender.address).to.not.equal(thief.address);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the owner is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        const [owner, spender] = banks;
        const deadline = BigInt(await time.latest()) + 3_600n;
        const sig = await signPermit(token, owner, spender.address, 777n, deadline);
        const expected = await impair(registry, owner.address, how);
        await expect(token.permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.nonces(owner.address)).to.equal(0n);
        expect(await token.allowance(owner.address, spender.address)).to.equal(0n);
      });
    }
  });

  describe("guardian and pause", function () {
    it("setGuardian is owner-only and emits GuardianChanged(previous, new)", async function () {
      const { token, owner, banks, outsider } = await loadFixture(deployToken);
      const [guardian, guardian2] = banks;
      await expect(token.connect(outsider).setGuardian(guardian.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(token.connect(owner).setGuardian(guardian.address))
        .to.emit(token, "GuardianChanged")
        .withArgs(ethers.ZeroAddress, guardian.address);
      expect(await token.guardian()).to.equal(guardian.address);
      await expect(token.connect(guardian).setGuardian(guardian2.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(guardian.address);
      await expect(token.setGuardian(guardian2.address))
        .to.emit(token, "GuardianChanged")
        .withArgs(guardian.address, guardian2.address);
      await expect(token.setGuardian(ethers.ZeroAddress))
        .to.emit(token, "GuardianChanged")
        .withArgs(guardian2.address, ethers.ZeroAddress);
      expect(await token.guardian()).to.equal(ethers.ZeroAddress);
    });

    it("the owner can pause: Paused(owner)", async function () {
      const { token, owner } = await loadFixture(deployToken);
      await expect(token.connect(owner).pause()).to.emit(token, "Paused").withArgs(owner.address);
      expect(await token.paused()).to.equal(true);
    });

    it("the guardian can pause: Paused(guardian)", async function () {
      const { token, outsider } = await loadFixture(deployToken);
      await token.setGuardian(outsider.address);
      await expect(token.connect(outsider).pause()).to.emit(token, "Paused").withArgs(outsider.address);
      expect(await token.paused()).to.equal(true);
    });

    it("reverts with TokenUnauthorizedPauser for anyone else, including a replaced guardian", async function () {
      const { token, operator, banks, outsider } = await loadFixture(deployToken);
      for (const caller of [operator, banks[0], outsider]) {
        await expect(token.connect(caller).pause())
          .to.be.revertedWithCustomError(token, "TokenUnauthorizedPauser")
          .withArgs(caller.address);
      }
      await token.setGuardian(banks[0].address);
      await token.setGuardian(banks[1].address);
      await expect(token.connect(banks[0]).pause())
        .to.be.revertedWithCustomError(token, "TokenUnauthorizedPauser")
        .withArgs(banks[0].address);
      expect(await token.paused()).to.equal(false);
    });

    it("reverts with EnforcedPause when pausing twice", async function () {
      const { token } = await loadFixture(deployToken);
      await token.pause();
      await expect(token.pause()).to.be.revertedWithCustomError(token, "EnforcedPause");
    });

    it("blocks transfer, transferFrom, mint and burn with EnforcedPause", async function () {
      const { token, operator, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[1].address, 1_000n);
      await token.connect(banks[0]).approve(operator.address, 1_000n);
      await token.pause();
      await expect(token.connect(banks[0]).transfer(banks[1].address, 1n)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      await expect(
        token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 1n),
      ).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.connect(operator).mint(banks[0].address, 1n)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      await expect(token.connect(operator).burn(banks[0].address, 1n)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      // The pause is checked before the registry is asked.
      await expect(token.connect(banks[0]).transfer(outsider.address, 1n)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
      expect(await token.totalSupply()).to.equal(4n * INITIAL_BALANCE);
    });

    it("still allows approve and permit while paused", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await token.pause();
      await token.connect(banks[0]).approve(banks[1].address, 10n);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, banks[2], banks[3].address, 20n, deadline);
      await token.permit(banks[2].address, banks[3].address, 20n, deadline, sig.v, sig.r, sig.s);
      expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(10n);
      expect(await token.allowance(banks[2].address, banks[3].address)).to.equal(20n);
    });

    it("only the owner can unpause: Unpaused(owner), then transfers resume", async function () {
      const { token, owner, banks, outsider } = await loadFixture(fundedToken);
      await token.setGuardian(outsider.address);
      await token.connect(outsider).pause();
      await expect(token.connect(outsider).unpause())
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(token.connect(banks[0]).unpause())
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(banks[0].address);
      await expect(token.connect(owner).unpause()).to.emit(token, "Unpaused").withArgs(owner.address);
      expect(await token.paused()).to.equal(false);
      await token.connect(banks[0]).transfer(banks[1].address, 1n);
      expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 1n);
    });

    it("reverts with ExpectedPause when unpausing an unpaused token", async function () {
      const { token } = await loadFixture(deployToken);
      await expect(token.unpause()).to.be.revertedWithCustomError(token, "ExpectedPause");
    });
  });

  describe("views", function () {
    it("outflowToday returns floor(timestamp / 86400) and today's spend, reset on the next day", async function () {
      const { token, banks, outsider } = await loadFixture(fundedToken);
      const day = await startNextDay(12 * 3_600);
      await token.connect(banks[0]).transfer(banks[1].address, 1_234n);
      const now = await time.latest();
      expect(BigInt(Math.floor(now / DAY))).to.equal(day);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 1_234n]);
      expect(await token.outflowToday(outsider.address)).to.deep.equal([day, 0n]);
      await time.increaseTo(Number(day + 1n) * DAY);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day + 1n, 0n]);
      await time.increaseTo(Number(day + 3n) * DAY + 5);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day + 3n, 0n]);
    });

    it("registry() and guardian() return the configured addresses", async function () {
      const { token, registry, banks } = await loadFixture(deployToken);
      expect(await token.registry()).to.equal(await registry.getAddress());
      expect(await token.guardian()).to.equal(ethers.ZeroAddress);
      await token.setGuardian(banks[3].address);
      expect(await token.guardian()).to.equal(banks[3].address);
    });

    it("proxiableUUID is the ERC-1967 slot on the implementation and refused through the proxy", async function () {
      const { token } = await loadFixture(deployToken);
      const implementation = await ethers.getContractAt(
        "SettlementToken",
        await upgrades.erc1967.getImplementationAddress(await token.getAddress()),
      );
      expect(await implementation.proxiableUUID()).to.equal(ERC1967_IMPLEMENTATION_SLOT);
      await expect(token.proxiableUUID()).to.be.revertedWithCustomError(token, "UUPSUnauthorizedCallContext");
      expect(await token.UPGRADE_INTERFACE_VERSION()).to.equal("5.0.0");
    });
  });

  describe("ownership", function () {
    it("moves ownership in two steps", async function () {
      const { token, owner, banks, outsider } = await loadFixture(deployToken);
      const next = banks[3];
      await expect(token.connect(outsider).transferOwnership(next.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(token.transferOwnership(next.address))
        .to.emit(token, "OwnershipTransferStarted")
        .withArgs(owner.address, next.address);
      expect(await token.pendingOwner()).to.equal(next.address);
      expect(await token.owner()).to.equal(owner.address);
      await expect(token.connect(outsider).acceptOwnership())
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(token.connect(next).acceptOwnership())
        .to.emit(token, "OwnershipTransferred")
        .withArgs(owner.address, next.address);
      expect(await token.owner()).to.equal(next.address);
      expect(await token.pendingOwner()).to.equal(ethers.ZeroAddress);
      await expect(token.connect(owner).setGuardian(owner.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
      await expect(token.connect(owner).pause())
        .to.be.revertedWithCustomError(token, "TokenUnauthorizedPauser")
        .withArgs(owner.address);
      await token.connect(next).pause();
      await token.connect(next).unpause();
      expect(await token.paused()).to.equal(false);
    });

    it("renounceOwnership is disabled, so a guardian pause can always be lifted", async function () {
      const { token, owner, banks, outsider } = await loadFixture(deployToken);
      await expect(token.connect(outsider).renounceOwnership())
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await token.setGuardian(banks[0].address);
      await expect(token.renounceOwnership()).to.be.revertedWithCustomError(token, "TokenOwnershipCannotBeRenounced");
      expect(await token.owner()).to.equal(owner.address);
      await token.connect(banks[0]).pause();
      await token.connect(owner).unpause();
      expect(await token.paused()).to.equal(false);
    });
  });
});
