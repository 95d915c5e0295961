/** Constants, fixtures and helpers shared by the ConsortiumRegistry test files in this folder. */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import type { ConsortiumRegistry } from "../../../typechain-types";
import { deployRegistry, lei, Role } from "../../helpers/fixtures";

export const NodeKind = { Validator: 0, Member: 1 } as const;
export const ALL_ROLES = Role.OPERATOR | Role.MEMBER_BANK | Role.CORPORATE | Role.AUDITOR | Role.REGULATOR;
export const SINGLE = 1_000n;
export const DAILY = 10_000n;

/** ASCII-only lower-casing, exactly as NodeIds._lower does it. */
const lowerAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The allowlist key NodeIds.key computes: keccak256(abi.encode(lower(enode), lower(host), port)). */
export const nodeKey = (enodeId: string, host: string, port: number): string =>
  ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ["bytes", "bytes", "uint16"],
      [ethers.toUtf8Bytes(lowerAscii(enodeId)), ethers.toUtf8Bytes(lowerAscii(host)), port],
    ),
  );

/** Block number the next (auto-mined) transaction will be included in. */
export const nextBlock = async (): Promise<number> => (await ethers.provider.getBlockNumber()) + 1;

export interface AdmitOptions {
  roles?: number;
  leiHash?: string;
  name?: string;
  single?: bigint;
  daily?: bigint;
}

export async function admit(
  registry: ConsortiumRegistry,
  account: HardhatEthersSigner | string,
  opts: AdmitOptions = {},
): Promise<ContractTransactionResponse> {
  const address = typeof account === "string" ? account : account.address;
  return registry.admitMember(
    address,
    opts.roles ?? Role.MEMBER_BANK,
    opts.leiHash ?? lei(`LEI-${address}`),
    opts.name ?? "Some Bank",
    opts.single ?? SINGLE,
    opts.daily ?? DAILY,
  );
}

/** Registry with: alice Active (MEMBER_BANK|AUDITOR), bob Suspended, carol Removed, dave never admitted. */
export async function populated() {
  const base = await deployRegistry();
  const { registry, others } = base;
  const [alice, bob, carol, dave, eve, frank] = others;
  await admit(registry, alice, { roles: Role.MEMBER_BANK | Role.AUDITOR, name: "Alice Bank" });
  await admit(registry, bob, { roles: Role.CORPORATE, name: "Bob Corp" });
  await admit(registry, carol, { roles: Role.OPERATOR, name: "Carol Ops" });
  await registry.suspendMember(bob.address);
  const bobSince = await ethers.provider.getBlockNumber();
  await registry.removeMember(carol.address);
  const carolSince = await ethers.provider.getBlockNumber();
  return { ...base, alice, bob, carol, dave, eve, frank, bobSince, carolSince };
}

export const WalletStatus = { None: 0, Open: 1, Closed: 2 } as const;
/** Tier 1 (phone only) and tier 2 (ID + bank account), e-CNY figures in cents. */
export const T1 = { maxSingle: 200_000n, maxDaily: 500_000n, maxBalance: 1_000_000n } as const;
export const T2 = { maxSingle: 5_000_000n, maxDaily: 10_000_000n, maxBalance: 50_000_000n } as const;
export const CODE = 9;

/** Registry with tiers 1 and 2, two banks, a corporate, and walletA open at bankA in tier 1. */
export async function walletRegistry() {
  const base = await deployRegistry();
  const { registry, others } = base;
  const [bankA, bankB, corp, walletA, walletB, walletC, stranger] = others;
  await admit(registry, bankA, { name: "Bank A" });
  await admit(registry, bankB, { name: "Bank B" });
  await admit(registry, corp, { roles: Role.CORPORATE, name: "Corp" });
  await registry.setTier(1, T1.maxSingle, T1.maxDaily, T1.maxBalance);
  await registry.setTier(2, T2.maxSingle, T2.maxDaily, T2.maxBalance);
  await registry.connect(bankA).openWallet(walletA.address, 1);
  const openedAt = await ethers.provider.getBlockNumber();
  return { ...base, bankA, bankB, corp, walletA, walletB, walletC, stranger, openedAt };
}
