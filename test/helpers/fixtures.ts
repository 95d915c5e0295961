import { ethers, upgrades } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ConsortiumRegistry, SettlementToken } from "../../typechain-types";
import { Role } from "../../packages/sdk/src/registry/roles";
import { UNLIMITED } from "../../packages/sdk/src/validate";

/** Role bits (contracts/access/Roles.sol) and "no limit", as the SDK defines them. */
export { Role, UNLIMITED };

/** Reason codes returned by `check`, as in IConsortiumRegistry.Reason. */
export const Reason = {
  Allowed: 0,
  SenderNotMember: 1,
  SenderSuspended: 2,
  SenderRemoved: 3,
  SenderSanctioned: 4,
  TargetSanctioned: 5,
  CreationNotAllowed: 6,
  NativeValueNotAllowed: 7,
  RegistryPaused: 8,
} as const;

export const MemberStatus = { None: 0, Active: 1, Suspended: 2, Removed: 3 } as const;

export const lei = (s: string): string => ethers.keccak256(ethers.toUtf8Bytes(s));

/** A valid 128-hex-character enode id derived from a seed. */
export const enode = (seed: string): string =>
  ethers.keccak256(ethers.toUtf8Bytes(seed)).slice(2) + ethers.keccak256(ethers.toUtf8Bytes(seed + "!")).slice(2);

export interface RegistryFixture {
  registry: ConsortiumRegistry;
  owner: HardhatEthersSigner;
  others: HardhatEthersSigner[];
}

/** A fresh registry behind a UUPS proxy, owned by signer 0. */
export async function deployRegistry(): Promise<RegistryFixture> {
  const [owner, ...others] = await ethers.getSigners();
  const factory = await ethers.getContractFactory("ConsortiumRegistry");
  const registry = (await upgrades.deployProxy(factory, [owner.address], {
    kind: "uups",
  })) as unknown as ConsortiumRegistry;
  await registry.waitForDeployment();
  return { registry, owner, others };
}

export interface TokenFixture extends RegistryFixture {
  token: SettlementToken;
  operator: HardhatEthersSigner;
  banks: HardhatEthersSigner[];
  corporate: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
}

export const BANK_SINGLE_LIMIT = 1_000_000n;
export const BANK_DAILY_LIMIT = 5_000_000n;

/**
 * Registry + token (EUR, 2 decimals). Signer 1 is the OPERATOR; signers 2–5 are MEMBER_BANKs with
 * a 10,000.00 single / 50,000.00 daily limit; signer 6 is a CORPORATE; signer 7 is not a member.
 */
export async function deployToken(): Promise<TokenFixture> {
  const base = await deployRegistry();
  const { registry, others } = base;
  const [operator, b1, b2, b3, b4, corporate, outsider] = others;
  const banks = [b1, b2, b3, b4];
  await registry.admitMember(
    operator.address,
    Role.OPERATOR,
    lei("OPERATOR"),
    "Central Operator",
    UNLIMITED,
    UNLIMITED,
  );
  for (const [i, bank] of banks.entries()) {
    await registry.admitMember(
      bank.address,
      Role.MEMBER_BANK,
      lei(`BANK${i}`),
      `Bank ${i + 1}`,
      BANK_SINGLE_LIMIT,
      BANK_DAILY_LIMIT,
    );
  }
  await registry.admitMember(
    corporate.address,
    Role.CORPORATE,
    lei("CORP"),
    "Acme Corp",
    BANK_SINGLE_LIMIT,
    BANK_DAILY_LIMIT,
  );
  const factory = await ethers.getContractFactory("SettlementToken");
  const token = (await upgrades.deployProxy(
    factory,
    [base.owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 2],
    { kind: "uups" },
  )) as unknown as SettlementToken;
  await token.waitForDeployment();
  // No daily issuance ceiling in shared fixtures (a fresh token has 0: operators cannot mint);
  // test/contracts/token/issuance-ceiling.test.ts sets real ones.
  await token.setIssuanceCeiling(UNLIMITED);
  return { ...base, token, operator, banks, corporate, outsider };
}
