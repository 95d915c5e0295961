import { readFileSync } from "node:fs";
import { isAddress, isHex, type Address, type Hex } from "viem";
import { DeploymentError } from "./errors/base";

/** One proxied contract in a deployment. */
export interface ContractDeployment {
  /** The address users call (the ERC-1967 proxy). */
  proxy: Address;
  /** The implementation behind the proxy at deployment time. */
  implementation: Address;
  /** keccak256 of the canonical ABI JSON, so a client can tell it is talking to the same version. */
  abiHash: Hex;
  /** Block in which the proxy was deployed (where event scans start). */
  blockNumber: number;
}

/** A contract deployed without a proxy (the multisig is replaced, never upgraded). */
export interface PlainDeployment {
  address: Address;
  abiHash: Hex;
  blockNumber: number;
}

/** What `deployments/<network>.json` holds. */
export interface Deployment {
  network: string;
  chainId: number;
  deployer: Address;
  deployedAt: string;
  blockNumber: number;
  /** `currency` is the ISO 4217 code the token represents (batches in other currencies are refused). */
  token: { name: string; symbol: string; decimals: number; currency?: string };
  contracts: {
    ConsortiumRegistry: ContractDeployment;
    SettlementToken: ContractDeployment;
    /** Present once governance is deployed; it then owns the other contracts. */
    ConsortiumMultisig?: PlainDeployment;
    /** The settlement layer (batch anchoring and netting), when deployed. */
    SettlementLedger?: ContractDeployment;
    NettingEngine?: ContractDeployment;
    /** The zk layer's registry of circuits and nullifiers, deployed with the settlement layer. */
    VerifierRegistry?: ContractDeployment;
    /** Conditional payments (milestone escrow), deployed with the zk layer. */
    ConditionalEscrow?: ContractDeployment;
  };
  /** The exported Groth16 verifier of each circuit (circuit id → address). */
  verifiers?: Record<string, Address>;
  /**
   * Most gas one transaction of a cycle's close may use (decimal string; default 15000000, half a
   * 30M block): `closeCycle` closes in several transactions beyond it. Set it to half the chain's
   * block gas limit at most.
   */
  closeGasBudget?: string;
}

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
  for (const name of ["SettlementLedger", "NettingEngine", "VerifierRegistry", "ConditionalEscrow"]) {
    if (contracts[name] !== undefined) checkContract(`contracts.${name}`, contracts[name]);
  }
  if (contracts.ConsortiumMultisig !== undefined) {
    const m = contracts.ConsortiumMultisig as Record<string, unknown>;
    if (typeof m.address !== "string" || !isAddress(m.address))
      fail("contracts.ConsortiumMultisig.address", "not an address");
  }
  if (
    d.closeGasBudget !== undefined &&
    (typeof d.closeGasBudget !== "string" || !/^[1-9]\d{5,9}$/.test(d.closeGasBudget))
  )
    fail("closeGasBudget", "not a gas amount (a decimal string, 100000 to 9999999999)");
  return value as Deployment;
}

/** Read and validate `deployments/<network>.json` (or any path). */
export function loadDeployment(path: string): Deployment {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new DeploymentError(`cannot read ${path}`, "Deploy first (`npm run deploy`) or pass the right path.");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DeploymentError(`${path} is not valid JSON (${(e as Error).message})`);
  }
  return parseDeployment(json);
}
