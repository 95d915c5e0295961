import { readFileSync } from "node:fs";
import { ethers, upgrades } from "hardhat";
import type { NettingEngine, VerifierRegistry } from "../../../typechain-types";
import { CIRCUITS, CIRCUIT_IDS, type CircuitId } from "../../../packages/sdk/src/zk/circuits";
import { TRANSCRIPT_PATH, artifactPaths } from "../../../packages/zk/src/artifacts";
import { toCalldata, type ProofBundle } from "../../../packages/sdk/src/zk/proof";
import { vkHashOf, type VerificationKey } from "../../../packages/sdk/src/zk/vk";

export const circuitKey = (id: CircuitId): string => ethers.encodeBytes32String(id);

export const vkHash = (id: CircuitId): string =>
  vkHashOf(JSON.parse(readFileSync(artifactPaths(id).verificationKey, "utf8")) as VerificationKey);

export const transcriptHash = (): string => ethers.keccak256(readFileSync(TRANSCRIPT_PATH));

export interface ZkFixture {
  verifierRegistry: VerifierRegistry;
  verifiers: Record<CircuitId, string>;
}

/** VerifierRegistry behind a UUPS proxy owned by signer 0, with every circuit's verifier registered. */
/** deployZk, with the owner, a stranger, and a NullifierConsumer the registry accepts. */
export async function deployZkWithConsumer() {
  const [owner, stranger] = await ethers.getSigners();
  const zk = await deployZk();
  const consumer = await (
    await ethers.getContractFactory("NullifierConsumer")
  ).deploy(await zk.verifierRegistry.getAddress());
  await zk.verifierRegistry.setConsumer(await consumer.getAddress(), true);
  return { ...zk, owner, stranger, consumer };
}

export async function deployZk(engine?: NettingEngine, ids: readonly CircuitId[] = CIRCUIT_IDS): Promise<ZkFixture> {
  const [owner] = await ethers.getSigners();
  const factory = await ethers.getContractFactory("VerifierRegistry");
  const verifierRegistry = (await upgrades.deployProxy(factory, [owner.address], {
    kind: "uups",
  })) as unknown as VerifierRegistry;
  await verifierRegistry.waitForDeployment();
  const verifiers = {} as Record<CircuitId, string>;
  for (const id of ids) {
    const v = await (await ethers.getContractFactory(CIRCUITS[id].contract)).deploy();
    await v.waitForDeployment();
    verifiers[id] = await v.getAddress();
    await (
      await verifierRegistry.registerCircuit(
        circuitKey(id),
        verifiers[id],
        CIRCUITS[id].publicSignals.length,
        vkHash(id),
        transcriptHash(),
      )
    ).wait();
  }
  if (engine) await (await engine.setVerifierRegistry(await verifierRegistry.getAddress())).wait();
  return { verifierRegistry, verifiers };
}

/** A proof's calldata as plain arrays for ethers. */
export function calldata(bundle: ProofBundle): { proof: bigint[]; signals: bigint[] } {
  const c = toCalldata(bundle);
  return { proof: [...c.proof], signals: c.publicSignals };
}
