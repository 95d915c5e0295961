/** Constants, fixtures and helpers shared by the SettlementToken test files in this folder. */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse, Signature } from "ethers";
import type { ConsortiumRegistry, SettlementToken } from "../../../typechain-types";
import { deployToken, type TokenFixture } from "../../helpers/fixtures";

export const DAY = 86_400;
export const SANCTION_CODE = 7;
export const INITIAL_BALANCE = 3_000_000n;

export type Impairment = "suspended" | "removed" | "sanctioned";
export const IMPAIRMENTS: readonly Impairment[] = ["suspended", "removed", "sanctioned"];

export interface ExpectedError {
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
export async function impair(registry: ConsortiumRegistry, account: string, how: Impairment): Promise<ExpectedError> {
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
export async function startNextDay(offset = 3_600): Promise<bigint> {
  const day = Math.floor((await time.latest()) / DAY) + 1;
  await time.setNextBlockTimestamp(day * DAY + offset);
  return BigInt(day);
}

export async function signPermit(
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
export async function fundedToken(): Promise<TokenFixture> {
  const f = await deployToken();
  for (const bank of f.banks) await f.token.connect(f.operator).mint(bank.address, INITIAL_BALANCE);
  return f;
}
