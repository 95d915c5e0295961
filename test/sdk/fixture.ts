import hre from "hardhat";
import { custom } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { Role, UNLIMITED, createClearhouse, type Clearhouse } from "../../packages/sdk/src";
import { leiWithCheckDigits } from "../../packages/sdk/src";
import type { Deployment } from "../../packages/contracts/src/deployment";
import { deployConsortium } from "../../scripts/lib/deployConsortium";

const MNEMONIC = "test test test test test test test test test test test junk";
/** Hardhat's default account `index`, as a local (private-key) viem account. */
export const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });

export const LIMIT_SINGLE = 100_000n;
export const LIMIT_DAILY = 300_000n;

export interface SdkFixture {
  deployment: Deployment;
  gov: Clearhouse;
  operator: Clearhouse;
  bankA: Clearhouse;
  bankB: Clearhouse;
  corporate: Clearhouse;
  outsider: Clearhouse;
  addresses: {
    operator: `0x${string}`;
    bankA: `0x${string}`;
    bankB: `0x${string}`;
    corporate: `0x${string}`;
    outsider: `0x${string}`;
  };
}

/** Registry + token deployed with the real deploy code, members admitted through the SDK. */
export async function sdkFixture(): Promise<SdkFixture> {
  const deployment = await deployConsortium({
    token: { name: "Test Euro", symbol: "tEUR", decimals: 2 },
    settlement: false,
  });
  const gov = createClearhouse({
    transport: custom(hre.network.provider, { retryCount: 0 }),
    deployment,
    account: key(0),
    pollingInterval: 10,
  });
  const addresses = {
    operator: key(1).address,
    bankA: key(2).address,
    bankB: key(3).address,
    corporate: key(4).address,
    outsider: key(9).address,
  };
  await gov.registry.admitMember({
    account: addresses.operator,
    roles: Role.OPERATOR,
    lei: leiWithCheckDigits("5493000OPERATOR000"),
    name: "Operator",
    maxSingleTransfer: UNLIMITED,
    maxDailyOutflow: UNLIMITED,
  });
  for (const [i, who] of (["bankA", "bankB"] as const).entries()) {
    await gov.registry.admitMember({
      account: addresses[who],
      roles: Role.MEMBER_BANK,
      lei: leiWithCheckDigits(`5493000BANK${i}000000`),
      name: `Bank ${who.slice(-1)}`,
      maxSingleTransfer: LIMIT_SINGLE,
      maxDailyOutflow: LIMIT_DAILY,
    });
  }
  await gov.registry.admitMember({
    account: addresses.corporate,
    roles: Role.CORPORATE,
    lei: leiWithCheckDigits("5493000CORPORATE00"),
    name: "Corp",
    maxSingleTransfer: LIMIT_SINGLE,
    maxDailyOutflow: LIMIT_DAILY,
  });
  return {
    deployment,
    gov,
    operator: gov.as(key(1)),
    bankA: gov.as(key(2)),
    bankB: gov.as(key(3)),
    corporate: gov.as(key(4)),
    outsider: gov.as(key(9)),
    addresses,
  };
}

/** Current block number: lets a test prove that a refused call sent nothing. */
export const blockNumber = async (): Promise<number> => Number(await hre.network.provider.send("eth_blockNumber"));

/** Await `promise`, expect it to throw an instance of `type`, and return the error for more checks. */
export async function rejectsWith<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(
      `expected ${type.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}
