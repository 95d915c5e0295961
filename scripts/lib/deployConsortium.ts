/**
 * Deploys the consortium behind UUPS (ERC-1967) proxies with the OpenZeppelin upgrades plugin,
 * inside Hardhat, and describes the result as a `Deployment`: what the test fixtures, benchmarks
 * and demo use. Everything else (`clearhouse deploy`, `npm run deploy`) deploys with viem through
 * `deployConsortium` of @clearhouse/contracts/deploy; test/contracts/deploy.test.ts checks that both
 * produce the same contracts, wired the same way (decision 025).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import type { Address, Hex } from "viem";
import type {
  ContractDeployment,
  Deployment,
  MemberAccountsDeployment,
  PlainDeployment,
} from "../../packages/contracts/src/deployment";
import { GOVERNED_CONTRACTS, addressOf } from "../../packages/contracts/src/manifest";
import {
  DEFAULT_OFFLINE,
  defaultTiers,
  type OfflineOptions,
  type TierOption,
} from "../../packages/contracts/src/deploy/consortium";
import { writeJsonAtomic } from "../../packages/sdk/src/node/fileio";
import { CIRCUITS, CIRCUIT_IDS } from "../../packages/sdk/src/zk/circuits";
import { TRANSCRIPT_PATH, artifactPaths } from "../../packages/zk/src/artifacts";
import { vkHashOf, type VerificationKey } from "../../packages/sdk/src/zk/vk";

/** The consortium's governance: an M-of-N multisig with timelocks and a guardian. */
export interface GovernanceOptions {
  signers: Address[];
  threshold: number;
  /** Global minimum timelock, seconds. */
  minDelay: number;
  /** Default timelock of upgrades, ownership and signer changes, seconds. */
  sensitiveDelay: number;
  /** Who may pause every contract at once. */
  guardian: Address;
}

export interface DeployOptions {
  /**
   * `currency`: the ISO 4217 code the token represents (default EUR). `dailyIssuanceCeiling`: what
   * operators may issue per UTC day, in minor units (default one billion currency units).
   */
  token: { name: string; symbol: string; decimals: number; currency?: string; dailyIssuanceCeiling?: bigint };
  /** KYC tiers of customer wallets set on the registry (default: the two e-CNY tiers; `[]`: none). */
  tiers?: readonly TierOption[];
  /** Deploy the settlement layer (ledger + netting engine); default true. */
  settlement?: { ackWindow: number } | false;
  /** Deploy the governance multisig too (ownership is handed over separately, after bootstrap). */
  governance?: GovernanceOptions;
  /** The offline vault's parameters (deployed with the escrow); defaults DEFAULT_OFFLINE. */
  offline?: Partial<OfflineOptions>;
  log?: (line: string) => void;
}

async function deployProxy(
  contract: string,
  args: unknown[],
  log: (line: string) => void,
): Promise<ContractDeployment> {
  const { ethers, upgrades } = hre;
  const factory = await ethers.getContractFactory(contract);
  log(`deploying ${contract} (implementation + UUPS proxy)…`);
  const proxy = await upgrades.deployProxy(factory, args, { kind: "uups" });
  await proxy.waitForDeployment();
  const receipt = await proxy.deploymentTransaction()?.wait();
  const address = (await proxy.getAddress()) as Address;
  const implementation = (await upgrades.erc1967.getImplementationAddress(address)) as Address;
  const artifact = await hre.artifacts.readArtifact(contract);
  const abiHash = ethers.keccak256(ethers.toUtf8Bytes(JSON.stringify(artifact.abi))) as Hex;
  log(`  ${contract} at ${address} (implementation ${implementation})`);
  return { proxy: address, implementation, abiHash, blockNumber: receipt?.blockNumber ?? 0 };
}

/** Deploy registry + token, owned by the first signer of the selected network. */
export async function deployConsortium(options: DeployOptions): Promise<Deployment> {
  const log = options.log ?? (() => undefined);
  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) {
    throw new Error(`Network "${hre.network.name}" has no account to deploy with: set CLEARHOUSE_PRIVATE_KEY.`);
  }
  const network = await hre.ethers.provider.getNetwork();
  const registry = await deployProxy("ConsortiumRegistry", [deployer.address], log);
  const { name, symbol, decimals } = options.token;
  const token = await deployProxy("SettlementToken", [deployer.address, registry.proxy, name, symbol, decimals], log);
  // A fresh token's ceiling is 0 (operators cannot mint): set the daily issuance ceiling.
  const ceiling = options.token.dailyIssuanceCeiling ?? 10n ** BigInt(decimals + 9);
  const tokenForCeiling = await hre.ethers.getContractAt("SettlementToken", token.proxy);
  await (await tokenForCeiling.setIssuanceCeiling(ceiling)).wait();
  log(`  SettlementToken: operators may issue up to ${ceiling} minor units per UTC day`);
  const registryForTiers = await hre.ethers.getContractAt("ConsortiumRegistry", registry.proxy);
  for (const t of options.tiers ?? defaultTiers(decimals)) {
    await (await registryForTiers.setTier(t.tier, t.maxSingle, t.maxDaily, t.maxBalance)).wait();
    log(`  ConsortiumRegistry: tier ${t.tier} = ${t.maxSingle} single / ${t.maxDaily} daily / ${t.maxBalance} balance`);
  }
  const settlement = options.settlement === false ? undefined : (options.settlement ?? { ackWindow: 3_600 });
  let ledger: ContractDeployment | undefined;
  let engine: ContractDeployment | undefined;
  if (settlement) {
    ledger = await deployProxy("SettlementLedger", [deployer.address, registry.proxy, settlement.ackWindow], log);
    engine = await deployProxy("NettingEngine", [deployer.address, registry.proxy, ledger.proxy, token.proxy], log);
    // The engine holds the clearing pool, and only members may hold the token (a pay-out is as large
    // as a net position, so no limits).
    await admitMember(registry.proxy, engine.proxy, "Clearing pool (NettingEngine)", log);
    const tokenContract = await hre.ethers.getContractAt("SettlementToken", token.proxy);
    await (await tokenContract.setClearingEngine(engine.proxy)).wait();
    log("  SettlementToken settles the NettingEngine's net positions (clearing engine)");
    const ledgerContract = await hre.ethers.getContractAt("SettlementLedger", ledger.proxy);
    await (await ledgerContract.setNettingEngine(engine.proxy)).wait();
    log("  SettlementLedger lets the NettingEngine net final batches");
  }
  const zk = ledger && engine ? await deployZk(engine.proxy, deployer.address as Address, log) : undefined;
  const escrow = zk
    ? await deployEscrow(registry.proxy, zk.registry.proxy, deployer.address as Address, log)
    : undefined;
  const offline = escrow
    ? await deployOffline(registry.proxy, token.proxy, deployer.address as Address, options.offline, log)
    : undefined;
  const pausables = [registry.proxy, token.proxy, ...(ledger && engine ? [ledger.proxy, engine.proxy] : [])];
  const multisig = options.governance ? await deployMultisig(options.governance, pausables, log) : undefined;
  const accounts = offline
    ? await deployMemberAccounts(registry.proxy, multisig?.address ?? (deployer.address as Address), log)
    : undefined;
  return {
    network: hre.network.name,
    chainId: Number(network.chainId),
    deployer: deployer.address as Address,
    deployedAt: new Date().toISOString(),
    blockNumber: registry.blockNumber,
    token: { name, symbol, decimals, currency: options.token.currency ?? "EUR" },
    contracts: {
      ConsortiumRegistry: registry,
      SettlementToken: token,
      ...(multisig ? { ConsortiumMultisig: multisig } : {}),
      ...(ledger && engine ? { SettlementLedger: ledger, NettingEngine: engine } : {}),
      ...(zk ? { VerifierRegistry: zk.registry } : {}),
      ...(escrow ? { ConditionalEscrow: escrow } : {}),
      ...(offline ? { OfflineVault: offline } : {}),
      ...(accounts ? { MemberAccounts: accounts } : {}),
    },
    ...(zk ? { verifiers: zk.verifiers } : {}),
  };
}

/**
 * The zk layer: VerifierRegistry (proxy) and one exported Groth16 verifier per circuit of the
 * committed ceremony, each registered with the hash of its verification key and of the ceremony
 * transcript; the netting engine verifies private-mode batches through it.
 */
async function deployZk(engine: Address, deployer: Address, log: (line: string) => void) {
  const { ethers } = hre;
  const registry = await deployProxy("VerifierRegistry", [deployer], log);
  const vr = await ethers.getContractAt("VerifierRegistry", registry.proxy);
  const transcriptHash = ethers.keccak256(readFileSync(TRANSCRIPT_PATH)) as Hex;
  const verifiers: Record<string, Address> = {};
  for (const id of CIRCUIT_IDS) {
    const spec = CIRCUITS[id];
    const vk = JSON.parse(readFileSync(artifactPaths(id).verificationKey, "utf8")) as VerificationKey;
    const verifier = await (await ethers.getContractFactory(spec.contract)).deploy();
    await verifier.waitForDeployment();
    const address = (await verifier.getAddress()) as Address;
    await (
      await vr.registerCircuit(
        ethers.encodeBytes32String(id),
        address,
        spec.publicSignals.length,
        vkHashOf(vk),
        transcriptHash,
      )
    ).wait();
    verifiers[id] = address;
    log(`  ${spec.contract} at ${address}, registered as ${id}`);
  }
  const netting = await ethers.getContractAt("NettingEngine", engine);
  await (await netting.setVerifierRegistry(registry.proxy)).wait();
  log("  NettingEngine verifies private-mode batches through the VerifierRegistry");
  return { registry, verifiers };
}

/**
 * The conditional-payments escrow: a registry member (it holds locked funds), verifying proof
 * conditions through the VerifierRegistry, which lets it spend KYC nullifiers.
 */
async function deployEscrow(
  registry: Address,
  verifierRegistry: Address,
  deployer: Address,
  log: (line: string) => void,
) {
  const { ethers } = hre;
  const escrow = await deployProxy("ConditionalEscrow", [deployer, registry], log);
  await admitMember(registry, escrow.proxy, "Escrow (ConditionalEscrow)", log);
  const e = await ethers.getContractAt("ConditionalEscrow", escrow.proxy);
  await (await e.setVerifierRegistry(verifierRegistry)).wait();
  const vr = await ethers.getContractAt("VerifierRegistry", verifierRegistry);
  await (await vr.setConsumer(escrow.proxy, true)).wait();
  log("  ConditionalEscrow verifies proof conditions and spends KYC nullifiers through the VerifierRegistry");
  return escrow;
}

/** The offline vault: a registry member (it holds locked allowances and guarantee funds). */
async function deployOffline(
  registry: Address,
  token: Address,
  deployer: Address,
  params: Partial<OfflineOptions> | undefined,
  log: (line: string) => void,
) {
  const o = { ...DEFAULT_OFFLINE, ...params };
  const vault = await deployProxy(
    "OfflineVault",
    [deployer, registry, token, o.grace, o.disputeWindow, o.guaranteeBps],
    log,
  );
  await admitMember(registry, vault.proxy, "Offline vault (OfflineVault)", log);
  log(
    `  OfflineVault: grace ${o.grace} s after expiry, bulk dispute window ${o.disputeWindow} s, guarantee ${o.guaranteeBps} bps of live allowances`,
  );
  return vault;
}

/** Admit a contract that holds tokens as a CORPORATE member without limits. Idempotent. */
async function admitMember(registryAddress: Address, account: Address, name: string, log: (line: string) => void) {
  const registry = await hre.ethers.getContractAt("ConsortiumRegistry", registryAddress);
  if ((await registry.memberOf(account)).status !== 0n) return;
  const unlimited = (1n << 128n) - 1n;
  const lei = hre.ethers.keccak256(hre.ethers.toUtf8Bytes(`${name}:${account}`));
  await (await registry.admitMember(account, 4, lei, name, unlimited, unlimited)).wait();
  log(`  ${name} admitted to the registry`);
}

async function deployMultisig(
  g: GovernanceOptions,
  pausables: Address[],
  log: (line: string) => void,
): Promise<PlainDeployment> {
  const { ethers } = hre;
  log(
    `deploying ConsortiumMultisig (${g.threshold}-of-${g.signers.length}, timelock ${g.minDelay}s / sensitive ${g.sensitiveDelay}s)…`,
  );
  const factory = await ethers.getContractFactory("ConsortiumMultisig");
  const multisig = await factory.deploy(g.signers, g.threshold, g.minDelay, g.sensitiveDelay, g.guardian, pausables);
  await multisig.waitForDeployment();
  const receipt = await multisig.deploymentTransaction()?.wait();
  const address = (await multisig.getAddress()) as Address;
  const artifact = await hre.artifacts.readArtifact("ConsortiumMultisig");
  log(`  ConsortiumMultisig at ${address}`);
  return {
    address,
    abiHash: ethers.keccak256(ethers.toUtf8Bytes(JSON.stringify(artifact.abi))) as Hex,
    blockNumber: receipt?.blockNumber ?? 0,
  };
}

/** Member accounts: the MemberAccount implementation, its beacon (owned by `owner`) and the factory. */
async function deployMemberAccounts(
  registry: Address,
  owner: Address,
  log: (line: string) => void,
): Promise<MemberAccountsDeployment> {
  const { ethers } = hre;
  log("deploying member accounts (implementation, beacon, factory)…");
  const implementation = await (await ethers.getContractFactory("MemberAccount")).deploy();
  await implementation.waitForDeployment();
  const beacon = await (
    await ethers.getContractFactory("UpgradeableBeacon")
  ).deploy(await implementation.getAddress(), owner);
  await beacon.waitForDeployment();
  const factory = await (
    await ethers.getContractFactory("MemberAccountFactory")
  ).deploy(await beacon.getAddress(), registry);
  await factory.waitForDeployment();
  const receipt = await factory.deploymentTransaction()?.wait();
  const registryContract = await ethers.getContractAt("ConsortiumRegistry", registry);
  await (await registryContract.setAccountFactory(await factory.getAddress())).wait();
  const artifact = await hre.artifacts.readArtifact("MemberAccount");
  log(
    `  MemberAccountFactory at ${await factory.getAddress()} (beacon ${await beacon.getAddress()}, owned by ${owner})`,
  );
  return {
    factory: (await factory.getAddress()) as Address,
    beacon: (await beacon.getAddress()) as Address,
    implementation: (await implementation.getAddress()) as Address,
    abiHash: ethers.keccak256(ethers.toUtf8Bytes(JSON.stringify(artifact.abi))) as Hex,
    blockNumber: receipt?.blockNumber ?? 0,
  };
}

/**
 * Hand the registry and token over to the multisig: the deployer offers ownership
 * (`transferOwnership`) and the multisig accepts it (`claimOwnership`, which anyone may call).
 * From then on every admin action is a governance proposal. Idempotent: a contract the multisig
 * already owns is skipped, so a retry after a crash finishes the job.
 */
export async function handOverToGovernance(deployment: Deployment, log: (line: string) => void = () => undefined) {
  const { ethers } = hre;
  const m = deployment.contracts.ConsortiumMultisig;
  if (!m) throw new Error("The deployment has no ConsortiumMultisig to hand over to.");
  const multisig = await ethers.getContractAt("ConsortiumMultisig", m.address);
  for (const name of GOVERNED_CONTRACTS) {
    const proxy = addressOf(deployment, name);
    if (!proxy) continue;
    const target = await ethers.getContractAt("Ownable2StepUpgradeable", proxy);
    if ((await target.owner()).toLowerCase() === m.address.toLowerCase()) {
      log(`  ${name} already owned by governance`);
      continue;
    }
    if ((await target.pendingOwner()).toLowerCase() !== m.address.toLowerCase()) {
      await (await target.transferOwnership(m.address)).wait();
    }
    await (await multisig.claimOwnership(proxy)).wait();
    log(`  ${name} is now owned by the multisig ${m.address}`);
  }
  const accounts = deployment.contracts.MemberAccounts;
  if (accounts) {
    const beacon = await ethers.getContractAt("UpgradeableBeacon", accounts.beacon);
    if ((await beacon.owner()).toLowerCase() !== m.address.toLowerCase()) {
      await (await beacon.transferOwnership(m.address)).wait();
      log(`  member accounts' beacon is now owned by the multisig ${m.address}`);
    }
  }
}

/** Where a network's deployment file lives. */
export function deploymentPath(network: string): string {
  return join(__dirname, "..", "..", "deployments", `${network}.json`);
}

/**
 * Write `deployments/<network>.json` atomically (temp file + rename, so a crash never leaves half
 * a file). Refuses to overwrite a persistent network's file unless `overwrite` is set.
 */
export function writeDeployment(deployment: Deployment, overwrite: boolean): string {
  const path = deploymentPath(deployment.network);
  if (existsSync(path) && !overwrite) {
    throw new Error(
      `${path} already exists: a consortium is deployed on "${deployment.network}". ` +
        "Set CLEARHOUSE_REDEPLOY=1 to replace it (the old contracts stay on chain).",
    );
  }
  mkdirSync(join(path, ".."), { recursive: true });
  writeJsonAtomic(path, deployment);
  return path;
}
