/**
 * Deploy a consortium with viem alone (no Hardhat, no ethers, no upgrades plugin at run time): each
 * upgradeable contract's implementation from its shipped bytecode, then OpenZeppelin's ERC1967Proxy
 * initialising it; the settlement layer, the zk layer (one Groth16 verifier per circuit registered
 * in the VerifierRegistry), the escrow and the multisig, wired together. The upgrade-safety check
 * the OpenZeppelin plugin made at deploy time runs in the test suite instead (decision 025).
 */
import { encodeFunctionData, keccak256, stringToHex, toBytes, type Address, type Hex } from "viem";
import type { ContractDeployment, Deployment, PlainDeployment } from "../deployment";
import { CONTRACTS, type ContractName } from "../manifest";
import { VERIFIER_ARTIFACTS } from "../artifactPaths";
import { deployMemberAccounts } from "./accounts";
import { loadArtifact } from "./artifacts";
import { DeployStepError, deploy, read, step, write, type DeployClients } from "./transactions";

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

/** A Groth16 verifier contract `@clearhouse/contracts` ships. */
export type VerifierContract = keyof typeof VERIFIER_ARTIFACTS;

/**
 * What the VerifierRegistry registers, from the ceremony's outputs (`verifierKeys()` of
 * `@clearhouse/zk` supplies it): the transcript's hash and, per circuit, its verifier contract,
 * its number of public signals and the hash of its verification key.
 */
export interface ZkKeys {
  transcriptHash: Hex;
  circuits: readonly { id: string; contract: VerifierContract; publicInputs: number; vkHash: Hex }[];
}

/** A KYC tier of customer wallets, in the token's minor units (`setTier` on the registry). */
export interface TierOption {
  /** 1..255; higher = better identified (1: phone number only, 2: ID + linked bank account). */
  tier: number;
  maxSingle: bigint;
  maxDaily: bigint;
  maxBalance: bigint;
}

/**
 * The published e-CNY wallet tiers in `decimals` minor units: tier 1 (phone number only) 2,000
 * single / 5,000 daily / 10,000 balance; tier 2 (ID + linked bank account) 50,000 / 100,000 / 500,000.
 */
export function defaultTiers(decimals: number): TierOption[] {
  const unit = 10n ** BigInt(decimals);
  return [
    { tier: 1, maxSingle: 2_000n * unit, maxDaily: 5_000n * unit, maxBalance: 10_000n * unit },
    { tier: 2, maxSingle: 50_000n * unit, maxDaily: 100_000n * unit, maxBalance: 500_000n * unit },
  ];
}

/** The offline vault's parameters (docs/offline.md): seconds, seconds, basis points. */
export interface OfflineOptions {
  /** After a certificate's expiry, how long vouchers are still redeemed (1 h – 365 d). */
  grace: number;
  /** How long a bulk batch waits for disputes (1 min – 30 d). */
  disputeWindow: number;
  /** The guarantee a bank keeps against its live allowances, in basis points (≤ 50,000). */
  guaranteeBps: number;
}

/** Grace 14 days, dispute window 1 day, guarantee 100 % of live allowances. */
export const DEFAULT_OFFLINE: OfflineOptions = { grace: 14 * 86_400, disputeWindow: 86_400, guaranteeBps: 10_000 };

export interface DeployConsortiumOptions {
  /** The network name the deployment file records (`deployments/<network>.json`). */
  network: string;
  /**
   * `currency`: the ISO 4217 code the token represents (default EUR). `dailyIssuanceCeiling`: what
   * operators may issue per UTC day, in minor units (default one billion currency units).
   */
  token: { name: string; symbol: string; decimals: number; currency?: string; dailyIssuanceCeiling?: bigint };
  /**
   * KYC tiers of customer wallets, set on the registry before ownership is handed over (default:
   * `defaultTiers(token.decimals)`, the two e-CNY tiers; `[]` sets none). Not recorded in the
   * deployment file: `TierSet` events and `tierOf` are the record.
   */
  tiers?: readonly TierOption[];
  /** Deploy the settlement layer (ledger + netting engine, then the zk layer and the escrow); default true. */
  settlement?: { ackWindow: number } | false;
  /** The verifier keys of the zk layer: required with the settlement layer. */
  zk?: ZkKeys;
  /** The offline vault's parameters (deployed with the settlement layer); defaults DEFAULT_OFFLINE. */
  offline?: Partial<OfflineOptions>;
  /** Deploy the governance multisig too (ownership is handed over separately: `handOverToGovernance`). */
  governance?: GovernanceOptions;
  log?: (line: string) => void;
}

/** keccak256 of the canonical ABI JSON (what clients compare to tell the version they talk to). */
export const abiHashOf = (abi: unknown): Hex => keccak256(toBytes(JSON.stringify(abi)));

/** Deploy `name`'s implementation, then an ERC1967Proxy calling `initialize(...args)`. */
async function deployProxy(
  c: DeployClients,
  name: ContractName,
  args: readonly unknown[],
  log: (line: string) => void,
): Promise<ContractDeployment> {
  const artifact = loadArtifact(name);
  log(`deploying ${name} (implementation + UUPS proxy)…`);
  const implementation = await deploy(c, `deploying ${name}'s implementation`, artifact, []);
  const data = encodeFunctionData({ abi: artifact.abi, functionName: "initialize", args });
  const proxy = await deploy(c, `deploying ${name}'s proxy`, loadArtifact("ERC1967Proxy"), [
    implementation.address,
    data,
  ]);
  log(`  ${name} at ${proxy.address} (implementation ${implementation.address})`);
  return {
    proxy: proxy.address,
    implementation: implementation.address,
    abiHash: abiHashOf(artifact.abi),
    blockNumber: proxy.blockNumber,
  };
}

/** Admit a contract that holds tokens as a CORPORATE member without limits. Idempotent. */
async function admitContract(
  c: DeployClients,
  registry: Address,
  account: Address,
  name: string,
  log: (line: string) => void,
): Promise<void> {
  const abi = CONTRACTS.ConsortiumRegistry.abi;
  const member = await read<{ status: number }>(c, `reading ${name}'s membership`, {
    address: registry,
    abi,
    functionName: "memberOf",
    args: [account],
  });
  if (member.status !== 0) return;
  const unlimited = (1n << 128n) - 1n;
  const lei = keccak256(toBytes(`${name}:${account}`));
  await write(c, `admitting ${name}`, {
    address: registry,
    abi,
    functionName: "admitMember",
    args: [account, 4, lei, name, unlimited, unlimited],
  });
  log(`  ${name} admitted to the registry`);
}

/**
 * Deploy a consortium from `walletClient`'s account (which owns every contract until
 * `handOverToGovernance`): registry and token; with `settlement` (the default) the ledger, the
 * netting engine, the VerifierRegistry with one verifier per circuit of `zk`, and the escrow; with
 * `governance` the multisig. Returns the deployment file's content.
 * @throws DeployStepError naming the step that failed and why.
 */
export async function deployConsortium(c: DeployClients, options: DeployConsortiumOptions): Promise<Deployment> {
  const log = options.log ?? (() => undefined);
  const settlement = options.settlement === false ? undefined : (options.settlement ?? { ackWindow: 3_600 });
  if (settlement && !options.zk)
    throw new DeployStepError(
      "preparing the deployment",
      "the settlement layer needs the zk layer's verifier keys (options.zk: `verifierKeys()` of @clearhouse/zk)",
    );
  const deployer = c.walletClient.account.address;
  const chainId = await step("reading the chain id", () => c.publicClient.getChainId());
  const registry = await deployProxy(c, "ConsortiumRegistry", [deployer], log);
  const { name, symbol, decimals } = options.token;
  const token = await deployProxy(c, "SettlementToken", [deployer, registry.proxy, name, symbol, decimals], log);
  // A fresh token's ceiling is 0 (operators cannot mint): set the daily issuance ceiling.
  const ceiling = options.token.dailyIssuanceCeiling ?? 10n ** BigInt(decimals + 9);
  const tokenAbi = CONTRACTS.SettlementToken.abi;
  await write(c, "setting the issuance ceiling", {
    address: token.proxy,
    abi: tokenAbi,
    functionName: "setIssuanceCeiling",
    args: [ceiling],
  });
  log(`  SettlementToken: operators may issue up to ${ceiling} minor units per UTC day`);
  await setTiers(c, registry.proxy, options.tiers ?? defaultTiers(decimals), log);
  let layer: Awaited<ReturnType<typeof deploySettlement>> | undefined;
  if (settlement && options.zk)
    layer = await deploySettlement(
      c,
      { registry, token, ackWindow: settlement.ackWindow, zk: options.zk, offline: options.offline },
      log,
    );
  const pausables = [registry.proxy, token.proxy, ...(layer ? [layer.ledger.proxy, layer.engine.proxy] : [])];
  const multisig = options.governance ? await deployMultisig(c, options.governance, pausables, log) : undefined;
  const accounts = layer
    ? await deployMemberAccounts(
        c,
        registry.proxy,
        multisig?.address ?? deployer,
        abiHashOf(loadArtifact("MemberAccount").abi),
        log,
      )
    : undefined;
  return {
    network: options.network,
    chainId,
    deployer,
    deployedAt: new Date().toISOString(),
    blockNumber: registry.blockNumber,
    token: { name, symbol, decimals, currency: options.token.currency ?? "EUR" },
    contracts: {
      ConsortiumRegistry: registry,
      SettlementToken: token,
      ...(multisig ? { ConsortiumMultisig: multisig } : {}),
      ...(layer
        ? {
            SettlementLedger: layer.ledger,
            NettingEngine: layer.engine,
            VerifierRegistry: layer.verifierRegistry,
            ConditionalEscrow: layer.escrow,
            OfflineVault: layer.offline,
            ...(accounts ? { MemberAccounts: accounts } : {}),
          }
        : {}),
    },
    ...(layer ? { verifiers: layer.verifiers } : {}),
  };
}

/** Define each KYC tier of customer wallets on the registry (owner: still the deployer). */
async function setTiers(
  c: DeployClients,
  registry: Address,
  tiers: readonly TierOption[],
  log: (line: string) => void,
): Promise<void> {
  for (const t of tiers) {
    await write(c, `setting wallet tier ${t.tier}`, {
      address: registry,
      abi: CONTRACTS.ConsortiumRegistry.abi,
      functionName: "setTier",
      args: [t.tier, t.maxSingle, t.maxDaily, t.maxBalance],
    });
    log(`  ConsortiumRegistry: tier ${t.tier} = ${t.maxSingle} single / ${t.maxDaily} daily / ${t.maxBalance} balance`);
  }
}

/**
 * The settlement layer and what hangs off it: ledger and netting engine (the engine holds the
 * clearing pool, so it is a member; the token settles its net positions; the ledger lets it net
 * final batches), the zk layer the engine verifies private-mode batches through, and the escrow.
 */
async function deploySettlement(
  c: DeployClients,
  p: {
    registry: ContractDeployment;
    token: ContractDeployment;
    ackWindow: number;
    zk: ZkKeys;
    offline?: Partial<OfflineOptions>;
  },
  log: (line: string) => void,
) {
  const deployer = c.walletClient.account.address;
  const registry = p.registry.proxy;
  const ledger = await deployProxy(c, "SettlementLedger", [deployer, registry, p.ackWindow], log);
  const engine = await deployProxy(c, "NettingEngine", [deployer, registry, ledger.proxy, p.token.proxy], log);
  await admitContract(c, registry, engine.proxy, "Clearing pool (NettingEngine)", log);
  await write(c, "making the NettingEngine the token's clearing engine", {
    address: p.token.proxy,
    abi: CONTRACTS.SettlementToken.abi,
    functionName: "setClearingEngine",
    args: [engine.proxy],
  });
  log("  SettlementToken settles the NettingEngine's net positions (clearing engine)");
  await write(c, "letting the NettingEngine net the ledger's batches", {
    address: ledger.proxy,
    abi: CONTRACTS.SettlementLedger.abi,
    functionName: "setNettingEngine",
    args: [engine.proxy],
  });
  log("  SettlementLedger lets the NettingEngine net final batches");
  const zk = await deployZk(c, engine.proxy, p.zk, log);
  const escrow = await deployProxy(c, "ConditionalEscrow", [deployer, registry], log);
  await admitContract(c, registry, escrow.proxy, "Escrow (ConditionalEscrow)", log);
  await write(c, "wiring the escrow to the VerifierRegistry", {
    address: escrow.proxy,
    abi: CONTRACTS.ConditionalEscrow.abi,
    functionName: "setVerifierRegistry",
    args: [zk.registry.proxy],
  });
  await write(c, "letting the escrow spend nullifiers", {
    address: zk.registry.proxy,
    abi: CONTRACTS.VerifierRegistry.abi,
    functionName: "setConsumer",
    args: [escrow.proxy, true],
  });
  log("  ConditionalEscrow verifies proof conditions and spends KYC nullifiers through the VerifierRegistry");
  const o = { ...DEFAULT_OFFLINE, ...p.offline };
  const offline = await deployProxy(
    c,
    "OfflineVault",
    [deployer, registry, p.token.proxy, o.grace, o.disputeWindow, o.guaranteeBps],
    log,
  );
  await admitContract(c, registry, offline.proxy, "Offline vault (OfflineVault)", log);
  log(
    `  OfflineVault: grace ${o.grace} s after expiry, bulk dispute window ${o.disputeWindow} s, guarantee ${o.guaranteeBps} bps of live allowances`,
  );
  return { ledger, engine, verifierRegistry: zk.registry, verifiers: zk.verifiers, escrow, offline };
}

/** The VerifierRegistry and one registered verifier per circuit; the engine verifies through it. */
async function deployZk(c: DeployClients, engine: Address, keys: ZkKeys, log: (line: string) => void) {
  const registry = await deployProxy(c, "VerifierRegistry", [c.walletClient.account.address], log);
  const verifiers: Record<string, Address> = {};
  for (const circuit of keys.circuits) {
    const { address } = await deploy(c, `deploying ${circuit.contract}`, loadArtifact(circuit.contract), []);
    await write(c, `registering circuit ${circuit.id}`, {
      address: registry.proxy,
      abi: CONTRACTS.VerifierRegistry.abi,
      functionName: "registerCircuit",
      args: [stringToHex(circuit.id, { size: 32 }), address, circuit.publicInputs, circuit.vkHash, keys.transcriptHash],
    });
    verifiers[circuit.id] = address;
    log(`  ${circuit.contract} at ${address}, registered as ${circuit.id}`);
  }
  await write(c, "wiring the NettingEngine to the VerifierRegistry", {
    address: engine,
    abi: CONTRACTS.NettingEngine.abi,
    functionName: "setVerifierRegistry",
    args: [registry.proxy],
  });
  log("  NettingEngine verifies private-mode batches through the VerifierRegistry");
  return { registry, verifiers };
}

async function deployMultisig(
  c: DeployClients,
  g: GovernanceOptions,
  pausables: Address[],
  log: (line: string) => void,
): Promise<PlainDeployment> {
  log(
    `deploying ConsortiumMultisig (${g.threshold}-of-${g.signers.length}, timelock ${g.minDelay}s / sensitive ${g.sensitiveDelay}s)…`,
  );
  const artifact = loadArtifact("ConsortiumMultisig");
  const multisig = await deploy(c, "deploying ConsortiumMultisig", artifact, [
    g.signers,
    g.threshold,
    g.minDelay,
    g.sensitiveDelay,
    g.guardian,
    pausables,
  ]);
  log(`  ConsortiumMultisig at ${multisig.address}`);
  return { address: multisig.address, abiHash: abiHashOf(artifact.abi), blockNumber: multisig.blockNumber };
}
