/**
 * The world of the multisig fuzz campaign (test/fuzz/campaigns/multisig.ts): its fixture on
 * Hardhat's in-process chain, transactions at a controlled block time, signature blobs with bad
 * entries, and the model-independent threshold count the invariants use.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Interface, TypedDataDomain } from "ethers";
import type { ConsortiumMultisig, ReentrantTarget } from "../../typechain-types";
import { DAY, HOUR, PROPOSAL_TYPES } from "../contracts/governance/helpers";
import type { Rng } from "./campaign";
import { MultisigModel, type Draft, type Entry } from "./multisigModel";

export const LANES = [0n, 1n, 2n];
export const SETUP_LANE = 9n;
export const SLOW_DELAY = HOUR;
export const SENSITIVE = DAY;
export const MAX_DRAFTS = 6;
export const GAS = 3_000_000;
export const N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
export const HALF_N = N / 2n;

export interface World {
  multisig: ConsortiumMultisig;
  address: string;
  domain: TypedDataDomain;
  fast: ReentrantTarget;
  slow: ReentrantTarget;
  relayer: HardhatEthersSigner;
  pool: HardhatEthersSigner[];
  model: MultisigModel;
  now: bigint;
  /** Seconds the next transaction's block is pushed forward by (time warps). */
  warp: bigint;
  drafts: Draft[];
  executed: Set<string>;
  /** Queue entries this campaign saw made with an independently checked threshold. */
  queuedSeen: Map<string, { epoch: number; executableAt: bigint }>;
  errorIfaces: Interface[];
}

export type Outcome = { ok: true } | { ok: false; error: string; inner?: string };

export async function deploy(): Promise<World> {
  const all = await ethers.getSigners();
  const pool = all.slice(10, 18);
  const relayer = all[0];
  const multisig = await (
    await ethers.getContractFactory("ConsortiumMultisig")
  ).deploy(
    pool.slice(0, 3).map((s) => s.address),
    2,
    0,
    SENSITIVE,
    ethers.ZeroAddress,
    [],
  );
  const targetFactory = await ethers.getContractFactory("ReentrantTarget");
  const [fast, slow] = [await targetFactory.deploy(), await targetFactory.deploy()];
  const address = await multisig.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: "ClearhouseMultisig", version: "1", chainId, verifyingContract: address };
  // Setup (lane 9, unused by the campaign): the slow target's poke waits SLOW_DELAY.
  const setDelay = multisig.interface.encodeFunctionData("setDelay", [
    await slow.getAddress(),
    slow.interface.getFunction("poke").selector,
    SLOW_DELAY,
    true,
  ]);
  const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const p = {
    target: address,
    value: 0n,
    data: setDelay,
    lane: SETUP_LANE,
    nonce: 0n,
    notBefore: 0n,
    expiry: latest + 30n * 86_400n,
  };
  const sigs = ethers.concat(
    await Promise.all(pool.slice(0, 2).map((s) => s.signTypedData(domain, PROPOSAL_TYPES, p))),
  );
  await multisig.queue(p, sigs);
  await ethers.provider.send("evm_increaseTime", [SENSITIVE + 1]);
  await multisig.execute(p, "0x");
  const [signers, threshold] = await multisig.signers();
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  return {
    multisig,
    address,
    domain,
    fast,
    slow,
    relayer,
    pool,
    model: new MultisigModel([...signers], Number(threshold), address),
    now,
    warp: 0n,
    drafts: [],
    executed: new Set(),
    queuedSeen: new Map(),
    errorIfaces: [multisig.interface, fast.interface],
  };
}

/** Send a transaction in the next block at now + warp + 1 and report success or its custom error. */
export async function send(w: World, tx: (at: bigint) => Promise<unknown>): Promise<{ at: bigint; outcome: Outcome }> {
  const at = w.now + w.warp + 1n;
  await ethers.provider.send("evm_setNextBlockTimestamp", [Number(at)]);
  w.now = at;
  w.warp = 0n;
  try {
    const response = (await tx(at)) as { wait(): Promise<unknown> };
    await response.wait();
    return { at, outcome: { ok: true } };
  } catch (e) {
    const data = (e as { data?: string }).data;
    if (!data) throw e;
    const parsed = w.multisig.interface.parseError(data);
    if (!parsed) throw e;
    if (parsed.name !== "MultisigCallFailed") return { at, outcome: { ok: false, error: parsed.name } };
    const innerData = parsed.args[1] as string;
    let inner = "?";
    for (const i of w.errorIfaces) inner = i.parseError(innerData)?.name ?? inner;
    return { at, outcome: { ok: false, error: parsed.name, inner } };
  }
}

/** The proposal fields alone, as the multisig and EIP-712 take them. */
export const proposalOf = (d: Draft) => ({
  target: d.target,
  value: d.value,
  data: d.data,
  lane: d.lane,
  nonce: d.nonce,
  notBefore: d.notBefore,
  expiry: d.expiry,
});

export function blob(rng: Rng, w: World, d: Pick<Draft, "hash" | "signatures">): { bytes: string; entries: Entry[] } {
  // Signatures of accounts that are not (or no longer) signers are mostly left out, as a relayer would.
  const pool = d.signatures.filter((s) => w.model.isSigner(s.signer) || rng.chance(0.25));
  const entries: Entry[] = [];
  while (pool.length > 0 && (entries.length === 0 || rng.chance(0.9))) {
    const s = pool.splice(rng.int(pool.length), 1)[0]!;
    entries.push({ bytes: s.signature, recovers: ethers.recoverAddress(d.hash, s.signature) });
  }
  if (rng.chance(0.15)) {
    const bad = rng.int(4);
    if (bad === 0 && entries.length > 0)
      entries.splice(rng.int(entries.length + 1), 0, rng.pick(entries)); // duplicate
    else if (bad === 1)
      entries.splice(rng.int(entries.length + 1), 0, {
        bytes: ethers.concat([ethers.ZeroHash, ethers.ZeroHash, "0x1b"]),
      });
    else if (bad === 2 && entries.length > 0) {
      const sig = ethers.Signature.from(rng.pick(entries).bytes);
      const high = ethers.concat([
        sig.r,
        ethers.toBeHex(N - BigInt(sig.s), 32),
        ethers.toBeHex(sig.v === 27 ? 28 : 27, 1),
      ]);
      entries.splice(rng.int(entries.length + 1), 0, { bytes: high });
    } else if (bad === 3) {
      const other = w.drafts.find((x) => x.hash !== d.hash && x.signatures.length > 0);
      if (other) {
        const s = rng.pick(other.signatures).signature;
        entries.splice(rng.int(entries.length + 1), 0, { bytes: s, recovers: ethers.recoverAddress(d.hash, s) });
      }
    }
  }
  let bytes = entries.length ? ethers.concat(entries.map((e) => e.bytes)) : "0x";
  if (rng.chance(0.03)) {
    bytes = ethers.concat([bytes, "0x0102"]); // a truncated trailing entry
    entries.push({ bytes: "0x0102" });
  }
  return { bytes, entries };
}

/** Independent threshold count: distinct current signers recovered from the blob, plus current-epoch approvals. */
export async function independentApprovals(
  w: World,
  hash: string,
  entries: Entry[],
): Promise<{ count: number; threshold: number; epoch: number }> {
  const [signers, threshold, epoch] = await w.multisig.signers();
  const current = new Set(signers.map((s) => s.toLowerCase()));
  const valid = new Set<string>();
  for (const e of entries) {
    if (ethers.dataLength(e.bytes) !== 65) continue;
    const s = BigInt(ethers.dataSlice(e.bytes, 32, 64));
    if (s > HALF_N) continue; // malleable: refused
    let a: string;
    try {
      a = ethers.recoverAddress(hash, e.bytes).toLowerCase();
    } catch {
      continue; // does not recover
    }
    if (current.has(a)) valid.add(a);
  }
  for (const a of await w.multisig.approvalsOf(hash)) valid.add(a.toLowerCase());
  return { count: valid.size, threshold: Number(threshold), epoch: Number(epoch) };
}
