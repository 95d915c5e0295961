/** Fixtures for member accounts: the beacon, the factory and accounts admitted as banks. */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ConsortiumRegistry, MemberAccount, MemberAccountFactory } from "../../../typechain-types";
import { lei, Role, UNLIMITED } from "../../helpers/fixtures";

export const KeyRole = { SUBMIT: 1, APPROVE: 2, OPERATE: 4, ALL: 7 } as const;

export interface AccountKit {
  factory: MemberAccountFactory;
  beacon: string;
}

/** The MemberAccount implementation, its beacon (owned by `owner`) and the factory. */
export async function deployAccountKit(registry: ConsortiumRegistry, owner: HardhatEthersSigner): Promise<AccountKit> {
  const implementation = await (await ethers.getContractFactory("MemberAccount")).deploy();
  const beaconFactory = await ethers.getContractFactory("UpgradeableBeacon");
  const beacon = await beaconFactory.deploy(await implementation.getAddress(), owner.address);
  const factory = await (
    await ethers.getContractFactory("MemberAccountFactory")
  ).deploy(await beacon.getAddress(), await registry.getAddress());
  await (await registry.connect(owner).setAccountFactory(await factory.getAddress())).wait();
  return { factory, beacon: await beacon.getAddress() };
}

/** Create an account whose first key is `key` (all roles by default); returns it. */
export async function createAccount(
  kit: AccountKit,
  key: HardhatEthersSigner,
  roles: number = KeyRole.ALL,
  salt = ethers.ZeroHash,
): Promise<MemberAccount> {
  const address = await kit.factory.accountAddress(key.address, roles, salt);
  await (await kit.factory.createAccount(key.address, roles, salt)).wait();
  return ethers.getContractAt("MemberAccount", address);
}

/** Admit `account` as an unlimited MEMBER_BANK. */
export async function admitAccountBank(registry: ConsortiumRegistry, account: string, label: string): Promise<void> {
  await (await registry.admitMember(account, Role.MEMBER_BANK, lei(label), label, UNLIMITED, UNLIMITED)).wait();
}
