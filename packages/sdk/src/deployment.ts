/** Validation of a deployment file (the type is `@clearhouse/contracts`' `Deployment`). */
import { isAddress, isHex } from "viem";
import type { ContractDeployment, Deployment } from "@clearhouse/contracts";
import { DeploymentError } from "./errors/base";

export type { ContractDeployment, Deployment, PlainDeployment } from "@clearhouse/contracts";

const CONTRACT_NAMES = ["ConsortiumRegistry", "SettlementToken"] as const;

function fail(where: string, problem: string): never {
  throw new DeploymentError(`${where}: ${problem}`, "Re-run the deploy script or fix the file by hand.");
}

function checkContract(name: string, value: unknown): ContractDeployment {
  if (typeof value !== "object" || value === null) fail(name, "missing");
  const c = value as Record<string, unknown>;
  for (const key of ["proxy", "implementation"] as const) {
    if (typeof c[key] !== "string" || !isAddress(c[key] as string)) fail(`${name}.${key}`, "not an address");
  }
  if (typeof c.abiHash !== "string" || !isHex(c.abiHash) || c.abiHash.length !== 66)
    fail(`${name}.abiHash`, "not a hash");
  if (!Number.isInteger(c.blockNumber)) fail(`${name}.blockNumber`, "not an integer");
  return c as unknown as ContractDeployment;
}

/** Validate a parsed deployment object; throws DeploymentError naming the first bad field. */
export function parseDeployment(value: unknown): Deployment {
  if (typeof value !== "object" || value === null) fail("deployment", "not a JSON object");
  const d = value as Record<string, unknown>;
  if (typeof d.network !== "string") fail("network", "missing");
  if (!Number.isInteger(d.chainId) || (d.chainId as number) <= 0) fail("chainId", "not a positive integer");
  if (typeof d.deployer !== "string" || !isAddress(d.deployer)) fail("deployer", "not an address");
  const token = d.token as Record<string, unknown> | undefined;
  if (!token || typeof token.symbol !== "string" || !Number.isInteger(token.decimals)) fail("token", "incomplete");
  const contracts = d.contracts as Record<string, unknown> | undefined;
  if (!contracts) fail("contracts", "missing");
  for (const name of CONTRACT_NAMES) checkContract(`contracts.${name}`, contracts[name]);
  for (const name of ["SettlementLedger", "NettingEngine", "VerifierRegistry", "ConditionalEscrow", "OfflineVault"]) {
    if (contracts[name] !== undefined) checkContract(`contracts.${name}`, contracts[name]);
  }
  if (contracts.ConsortiumMultisig !== undefined) {
    const m = contracts.ConsortiumMultisig as Record<string, unknown>;
    if (typeof m.address !== "string" || !isAddress(m.address))
      fail("contracts.ConsortiumMultisig.address", "not an address");
  }
  if (contracts.MemberAccounts !== undefined) {
    const a = contracts.MemberAccounts as Record<string, unknown>;
    for (const key of ["factory", "beacon", "implementation"] as const)
      if (typeof a[key] !== "string" || !isAddress(a[key] as string))
        fail(`contracts.MemberAccounts.${key}`, "not an address");
  }
  if (
    d.closeGasBudget !== undefined &&
    (typeof d.closeGasBudget !== "string" || !/^[1-9]\d{5,9}$/.test(d.closeGasBudget))
  )
    fail("closeGasBudget", "not a gas amount (a decimal string, 100000 to 9999999999)");
  if (d.setup !== undefined && !["contracts", "members", "complete"].includes(d.setup as string))
    fail("setup", 'must be "contracts", "members" or "complete"');
  return value as Deployment;
}
