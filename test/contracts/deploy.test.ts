/**
 * `deployConsortium` of @clearhouse/contracts/deploy (viem, the artifacts the package ships) against
 * the Hardhat path (scripts/lib/deployConsortium.ts, the OpenZeppelin upgrades plugin): the same
 * contracts, byte for byte, behind ERC-1967 proxies, wired the same way, handed to the multisig.
 * And the upgrade-safety check the plugin made at deploy time, for every upgradeable contract.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createPublicClient, createWalletClient, custom, getAddress, stringToHex, type Address } from "viem";
import { CONTRACT_NAMES, GOVERNED_CONTRACTS, UPGRADEABLE_CONTRACTS, addressOf } from "../../packages/contracts/src";
import { PROXY_ARTIFACT, SHIPPED_ARTIFACTS } from "../../packages/contracts/src/artifactPaths";
import type { ContractDeployment, Deployment } from "../../packages/contracts/src/deployment";
import { parseDeployment } from "../../packages/sdk/src";
import {
  DeployStepError,
  deployConsortium as deployWithViem,
  handOverToGovernance as handOverWithViem,
  loadArtifact,
  type DeployClients,
} from "../../packages/contracts/src/deploy";
import { verifierKeys } from "../../packages/zk/src/verifierKeys";
import { CIRCUIT_IDS } from "../../packages/sdk/src/zk/circuits";
import { deployConsortium, handOverToGovernance } from "../../scripts/lib/deployConsortium";
import { ERC1967_IMPLEMENTATION_SLOT } from "../helpers/erc1967";
import { key } from "../sdk/fixture";

const GOVERNANCE = {
  signers: [10, 11, 12].map((i) => key(i).address),
  threshold: 2,
  minDelay: 3_600,
  sensitiveDelay: 86_400,
  guardian: key(15).address,
};
const TOKEN = { name: "Viem Euro", symbol: "vEUR", decimals: 2 };

function clients(): DeployClients {
  const transport = custom(hre.network.provider, { retryCount: 0 });
  return {
    walletClient: createWalletClient({ account: key(0), transport }),
    publicClient: createPublicClient({ transport, pollingInterval: 10 }),
  };
}

/** The same consortium twice: with viem from the shipped artifacts, and with the Hardhat plugin. */
async function bothDeployments() {
  const lines: string[] = [];
  const viem = await deployWithViem(clients(), {
    network: "hardhat",
    token: TOKEN,
    settlement: { ackWindow: 1_800 },
    governance: GOVERNANCE,
    zk: verifierKeys(),
    log: (l) => lines.push(l),
  });
  await handOverWithViem(clients(), viem, (l) => lines.push(l));
  const hardhat = await deployConsortium({ token: TOKEN, settlement: { ackWindow: 1_800 }, governance: GOVERNANCE });
  await handOverToGovernance(hardhat);
  return { viem, hardhat, lines };
}

const code = (address: Address) => hre.ethers.provider.getCode(address);
/**
 * The runtime code with the contract's own address (UUPS `__self`) blanked out, and the address of
 * the first contract it created (the NettingEngine's PrivateProofs, an immutable).
 */
const ownCode = async (address: Address) => {
  const created = hre.ethers.getCreateAddress({ from: address, nonce: 1 });
  let text = (await code(address)).toLowerCase();
  for (const a of [address, created]) text = text.split(a.slice(2).toLowerCase()).join("00".repeat(20));
  return text;
};
const implementationOf = async (proxy: Address) =>
  getAddress(`0x${(await hre.ethers.provider.getStorage(proxy, ERC1967_IMPLEMENTATION_SLOT)).slice(26)}`);

/** Everything that says how a deployment is wired, with its own addresses replaced by names. */
async function wiring(d: Deployment) {
  const names = new Map<string, string>(
    CONTRACT_NAMES.flatMap((n) => {
      const a = addressOf(d, n);
      return a ? [[a.toLowerCase(), n]] : [];
    }),
  );
  for (const [id, a] of Object.entries(d.verifiers ?? {})) names.set(a.toLowerCase(), `verifier:${id}`);
  const name = (a: string) => names.get(a.toLowerCase()) ?? a;
  const c = d.contracts;
  const registry = await hre.ethers.getContractAt("ConsortiumRegistry", c.ConsortiumRegistry.proxy);
  const token = await hre.ethers.getContractAt("SettlementToken", c.SettlementToken.proxy);
  const ledger = await hre.ethers.getContractAt("SettlementLedger", c.SettlementLedger!.proxy);
  const engine = await hre.ethers.getContractAt("NettingEngine", c.NettingEngine!.proxy);
  const escrow = await hre.ethers.getContractAt("ConditionalEscrow", c.ConditionalEscrow!.proxy);
  const offline = await hre.ethers.getContractAt("OfflineVault", c.OfflineVault!.proxy);
  const vr = await hre.ethers.getContractAt("VerifierRegistry", c.VerifierRegistry!.proxy);
  const multisig = await hre.ethers.getContractAt("ConsortiumMultisig", c.ConsortiumMultisig!.address);
  const owners: Record<string, string> = {};
  for (const n of GOVERNED_CONTRACTS) {
    const owned = await hre.ethers.getContractAt("Ownable2StepUpgradeable", addressOf(d, n)!);
    owners[n] = name(await owned.owner());
  }
  const member = async (a: Address) => {
    const m = await registry.memberOf(a);
    return { status: m.status, roles: m.roles, name: m.name };
  };
  const circuits: Record<string, unknown> = {};
  for (const id of CIRCUIT_IDS) {
    const r = await vr.circuitOf(stringToHex(id, { size: 32 }));
    circuits[id] = { verifier: name(r.verifier), publicInputs: r.publicInputs, vkHash: r.vkHash, t: r.transcriptHash };
  }
  const [signers, threshold] = await multisig.signers();
  const [guardian, pausables] = await multisig.guardian();
  const accounts = c.MemberAccounts!;
  const accountFactory = await hre.ethers.getContractAt("MemberAccountFactory", accounts.factory);
  const beacon = await hre.ethers.getContractAt("UpgradeableBeacon", accounts.beacon);
  return {
    owners,
    clearingEngine: name(await token.clearingEngine()),
    tokenRegistry: name(await token.registry()),
    issuanceCeiling: await token.issuanceCeiling(),
    tiers: await Promise.all([0, 1, 2, 3].map(async (t) => [...(await registry.tierOf(t))])),
    ledgerEngine: name(await ledger.nettingEngine()),
    ackWindow: await ledger.ackWindow(),
    engineVerifiers: name(await engine.verifierRegistry()),
    escrowVerifiers: name(await escrow.verifierRegistry()),
    escrowConsumer: await vr.isConsumer(c.ConditionalEscrow!.proxy),
    engineMember: await member(c.NettingEngine!.proxy),
    escrowMember: await member(c.ConditionalEscrow!.proxy),
    offlineMember: await member(c.OfflineVault!.proxy),
    offline: await offline.parameters(),
    offlineToken: name(await offline.token()),
    circuits,
    multisig: { signers: [...signers], threshold, guardian, pausables: pausables.map(name) },
    accounts: {
      factoryRegistry: name(await accountFactory.REGISTRY()),
      factoryBeacon: (await accountFactory.BEACON()) === accounts.beacon,
      beaconOwner: name(await beacon.owner()),
      implementation: (await beacon.implementation()) === accounts.implementation,
    },
  };
}

describe("deployConsortium with viem (@clearhouse/contracts/deploy)", function () {
  this.timeout(300_000);

  it("deploys what the Hardhat path deploys: the same bytecode behind ERC-1967 proxies, the same file", async () => {
    const { viem, hardhat, lines } = await loadFixture(bothDeployments);
    expect(Object.keys(viem.contracts).sort()).to.deep.equal(Object.keys(hardhat.contracts).sort());
    expect(Object.keys(viem.contracts).sort()).to.deep.equal([...CONTRACT_NAMES, "MemberAccounts"].sort());
    const accounts = viem.contracts.MemberAccounts!;
    expect(accounts.abiHash).to.equal(hardhat.contracts.MemberAccounts!.abiHash);
    // (its EIP-712 immutables hold its own address and its domain separator: both blanked out)
    const accountCode = async (a: Address) => {
      const separator = hre.ethers.TypedDataEncoder.hashDomain({
        name: "Clearhouse MemberAccount",
        version: "1",
        chainId: 31337,
        verifyingContract: a,
      });
      return (await ownCode(a)).split(separator.slice(2).toLowerCase()).join("00".repeat(32));
    };
    expect(await accountCode(accounts.implementation)).to.equal(
      await accountCode(hardhat.contracts.MemberAccounts!.implementation),
    );
    expect(viem).to.deep.include({ network: "hardhat", chainId: 31337, deployer: key(0).address });
    expect(viem.token).to.deep.equal(hardhat.token);
    // a file every client reads (addresses checksummed, numbers as numbers)
    expect(parseDeployment(JSON.parse(JSON.stringify(viem)))).to.deep.equal(viem);
    expect(Object.keys(viem.verifiers!)).to.deep.equal(Object.keys(hardhat.verifiers!));
    const proxyCode = (await hre.artifacts.readArtifact(PROXY_ARTIFACT.replace(/\/([^/]+)\.json$/, ":$1")))
      .deployedBytecode;
    for (const name of UPGRADEABLE_CONTRACTS) {
      const v = viem.contracts[name] as ContractDeployment;
      const h = hardhat.contracts[name] as ContractDeployment;
      expect(v.abiHash, name).to.equal(h.abiHash);
      expect(await implementationOf(v.proxy), name).to.equal(v.implementation);
      // UUPS implementations hold their own address (an immutable): compare with it blanked out
      expect(await ownCode(v.implementation), name).to.equal(await ownCode(h.implementation));
      // OpenZeppelin's ERC1967Proxy as this project compiles it (the plugin ships its own build of it)
      expect(await code(v.proxy), name).to.equal(proxyCode);
      const receipt = await hre.ethers.provider.getTransactionReceipt(
        (await hre.ethers.provider.getLogs({ address: v.proxy, fromBlock: v.blockNumber, toBlock: v.blockNumber }))[0]
          .transactionHash,
      );
      expect(receipt?.contractAddress, `${name} proxy created in its recorded block`).to.equal(v.proxy);
    }
    expect(viem.contracts.ConsortiumMultisig!.abiHash).to.equal(hardhat.contracts.ConsortiumMultisig!.abiHash);
    // (its runtime code embeds its EIP-712 domain, which names its address: the wiring test checks its configuration)
    for (const id of CIRCUIT_IDS)
      expect(await code(viem.verifiers![id]), id).to.equal(await code(hardhat.verifiers![id]));
    expect(viem.blockNumber).to.equal(viem.contracts.ConsortiumRegistry.blockNumber);
    expect(lines).to.include(
      "  ConditionalEscrow is now owned by the multisig " + viem.contracts.ConsortiumMultisig!.address,
    );
  });

  it("wires every contract as the Hardhat path does, and hands each governed one to the multisig", async () => {
    const { viem, hardhat } = await loadFixture(bothDeployments);
    const v = await wiring(viem);
    expect(v).to.deep.equal(await wiring(hardhat));
    // and what that is, spelled out
    for (const n of GOVERNED_CONTRACTS) expect(v.owners[n], n).to.equal("ConsortiumMultisig");
    expect(v).to.deep.include({
      clearingEngine: "NettingEngine",
      tokenRegistry: "ConsortiumRegistry",
      issuanceCeiling: 10n ** 11n,
      // the two e-CNY tiers in cents (decimals 2), nothing else
      tiers: [
        [0n, 0n, 0n],
        [200_000n, 500_000n, 1_000_000n],
        [5_000_000n, 10_000_000n, 50_000_000n],
        [0n, 0n, 0n],
      ],
      ledgerEngine: "NettingEngine",
      ackWindow: 1_800n,
      engineVerifiers: "VerifierRegistry",
      escrowVerifiers: "VerifierRegistry",
      escrowConsumer: true,
    });
    expect(v.engineMember).to.deep.equal({ status: 1n, roles: 4n, name: "Clearing pool (NettingEngine)" });
    expect(v.escrowMember).to.deep.equal({ status: 1n, roles: 4n, name: "Escrow (ConditionalEscrow)" });
    expect(v.offlineMember).to.deep.equal({ status: 1n, roles: 4n, name: "Offline vault (OfflineVault)" });
    expect(v.offline).to.deep.equal([14n * 86_400n, 86_400n, 10_000n]);
    expect(v.offlineToken).to.equal("SettlementToken");
    expect(v.accounts).to.deep.equal({
      factoryRegistry: "ConsortiumRegistry",
      factoryBeacon: true,
      beaconOwner: "ConsortiumMultisig",
      implementation: true,
    });
    expect(v.multisig.pausables).to.deep.equal([
      "ConsortiumRegistry",
      "SettlementToken",
      "SettlementLedger",
      "NettingEngine",
    ]);
    const keys = verifierKeys();
    for (const c of keys.circuits)
      expect(v.circuits[c.id], c.id).to.deep.equal({
        verifier: `verifier:${c.id}`,
        publicInputs: BigInt(c.publicInputs),
        vkHash: c.vkHash,
        t: keys.transcriptHash,
      });
    // kyc_tier (5 public signals: root, nullifier, scope, message, minTier) is registered by default
    expect(v.circuits.kyc_tier).to.deep.include({ verifier: "verifier:kyc_tier", publicInputs: 5n });
    // The hand-over is idempotent: a rerun finds every contract owned already.
    const again: string[] = [];
    await handOverWithViem(clients(), viem, (l) => again.push(l));
    expect(again).to.have.length(GOVERNED_CONTRACTS.length + 1); // and the member accounts' beacon
    expect(again.every((l) => / already owned by governance$/.test(l))).to.equal(true);
  });

  it("deploys registry and token only without the settlement layer; refuses the layer without verifier keys", async () => {
    const d = await deployWithViem(clients(), { network: "hardhat", token: TOKEN, settlement: false });
    expect(Object.keys(d.contracts)).to.deep.equal(["ConsortiumRegistry", "SettlementToken"]);
    expect(d.verifiers).to.equal(undefined);
    const token = await hre.ethers.getContractAt("SettlementToken", d.contracts.SettlementToken.proxy);
    expect(await token.owner()).to.equal(key(0).address);
    const before = await hre.ethers.provider.getBlockNumber();
    let error: unknown;
    await deployWithViem(clients(), { network: "hardhat", token: TOKEN }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(DeployStepError);
    expect((error as Error).message).to.match(/settlement layer needs the zk layer's verifier keys/);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(before); // nothing was sent
    let failed: unknown;
    await handOverWithViem(clients(), d).catch((e: unknown) => (failed = e));
    expect((failed as Error).message).to.equal("handing over to governance: the deployment has no ConsortiumMultisig");
  });

  it("names the failing step and the revert the node gives", async () => {
    const d = await deployWithViem(clients(), { network: "hardhat", token: TOKEN, settlement: false });
    // An outsider handing over to an address of its own: the registry refuses the offer.
    const outsider = {
      ...clients(),
      walletClient: createWalletClient({ account: key(9), transport: custom(hre.network.provider) }),
    };
    const fake = { address: key(9).address, abiHash: d.contracts.ConsortiumRegistry.abiHash, blockNumber: 0 };
    let error: unknown;
    await handOverWithViem(outsider, { ...d, contracts: { ...d.contracts, ConsortiumMultisig: fake } }).catch(
      (e: unknown) => (error = e),
    );
    expect(error).to.be.instanceOf(DeployStepError);
    expect((error as DeployStepError).step).to.equal("offering ConsortiumRegistry to the multisig");
    expect((error as DeployStepError).reason).to.match(/OwnableUnauthorizedAccount/);
  });

  it("ships the artifacts it deploys: the compiled abi and creation bytecode", async () => {
    for (const [name, path] of Object.entries(SHIPPED_ARTIFACTS)) {
      const shipped = loadArtifact(name);
      const compiled = await hre.artifacts.readArtifact(path.replace(/\/([^/]+)\.json$/, ":$1"));
      expect(shipped.abi, name).to.deep.equal(compiled.abi);
      expect(shipped.bytecode, name).to.equal(compiled.bytecode);
    }
  });

  it("every upgradeable contract in the manifest passes the OpenZeppelin upgrade-safety validation", async () => {
    // What the upgrades plugin checked at each deploy before decision 025: no constructor state,
    // no selfdestruct/delegatecall, an initializer, UUPS upgrade function present.
    for (const name of UPGRADEABLE_CONTRACTS) {
      const factory = await hre.ethers.getContractFactory(name);
      expect(await hre.upgrades.validateImplementation(factory, { kind: "uups" }), name).to.equal(undefined);
    }
    // and the check is real: a contract without the UUPS upgrade function is refused
    const notUups = await hre.ethers.getContractFactory("MerkleProofHarness");
    const refused = await hre.upgrades.validateImplementation(notUups, { kind: "uups" }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(refused).to.match(/is not upgrade safe|Missing initializer|upgradeToAndCall/);
  });
});
