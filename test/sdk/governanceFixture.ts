import hre from "hardhat";
import { custom } from "viem";
import { Role, createClearhouse, leiWithCheckDigits, type Clearhouse } from "../../packages/sdk/src";
import type { Deployment } from "../../packages/contracts/src/deployment";
import { deployConsortium, handOverToGovernance } from "../../scripts/lib/deployConsortium";
import { key } from "./fixture";

export const MIN_DELAY = 3_600;
export const SENSITIVE_DELAY = 86_400;
/** Signers are Hardhat accounts 10–14 (3-of-5); the guardian is account 15. */
export const SIGNER_INDEXES = [10, 11, 12, 13, 14];
export const signerKey = (i: number) => key(SIGNER_INDEXES[i]);

export interface GovernanceFixture {
  deployment: Deployment;
  /** A client without any special rights (the proposer/relayer). */
  anyone: Clearhouse;
  signer: (i: number) => Clearhouse;
  guardian: Clearhouse;
  bank: `0x${string}`;
}

/** Registry + token + 3-of-5 multisig; one bank admitted during bootstrap; ownership handed over. */
export async function governanceFixture(): Promise<GovernanceFixture> {
  const deployment = await deployConsortium({
    token: { name: "Gov Euro", symbol: "gEUR", decimals: 2 },
    governance: {
      signers: SIGNER_INDEXES.map((i) => key(i).address),
      threshold: 3,
      minDelay: MIN_DELAY,
      sensitiveDelay: SENSITIVE_DELAY,
      guardian: key(15).address,
    },
  });
  const transport = custom(hre.network.provider, { retryCount: 0 });
  const deployer = createClearhouse({ transport, deployment, account: key(0), pollingInterval: 10 });
  const bank = key(2).address;
  await deployer.registry.admitMember({
    account: bank,
    roles: Role.MEMBER_BANK,
    lei: leiWithCheckDigits("5493000GOVBANK0000"),
    name: "Gov Bank",
    maxSingleTransfer: 100n,
    maxDailyOutflow: 1_000n,
  });
  await handOverToGovernance(deployment);
  return {
    deployment,
    anyone: deployer.as(key(16)),
    signer: (i) => deployer.as(signerKey(i)),
    guardian: deployer.as(key(15)),
    bank,
  };
}
