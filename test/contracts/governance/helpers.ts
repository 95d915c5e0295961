/** Constants, fixtures and EIP-712 helpers shared by the ConsortiumMultisig test files in this folder. */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse, TypedDataDomain } from "ethers";
import type { ConsortiumMultisig, MockERC1271Signer, ReentrantTarget } from "../../../typechain-types";

export const HOUR = 3_600;
export const DAY = 86_400;
/** TimelockPolicy.MAX_DELAY and SignerManager.MAX_SIGNERS. */
export const MAX_DELAY = 30 * DAY;
export const MAX_SIGNERS = 64;
/** The fixtures' delays: a global minimum (timelocked fixture only) and the sensitive default. */
export const MIN_DELAY = HOUR;
export const SENSITIVE_DELAY = 2 * DAY;
export const THRESHOLD = 3;
/** How long a drafted proposal stays valid by default. */
export const TTL = 30n * BigInt(DAY);

/** Selectors the timelock policy singles out, and a few it does not. */
export const SELECTOR = {
  none: "0x00000000",
  upgradeToAndCall: "0x4f1ef286",
  upgradeTo: "0x3659cfe6",
  transferOwnership: "0xf2fde38b",
  renounceOwnership: "0x715018a6",
} as const;

/** OpenZeppelin's ReentrancyGuardReentrantCall() revert data. */
export const REENTRANT_CALL = ethers.id("ReentrancyGuardReentrantCall()").slice(0, 10);

export const PROPOSAL_TYPES = {
  Proposal: [
    { name: "target", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "lane", type: "uint64" },
    { name: "nonce", type: "uint64" },
    { name: "notBefore", type: "uint64" },
    { name: "expiry", type: "uint64" },
  ],
};

export const CANCEL_TYPES = {
  Cancel: [
    { name: "lane", type: "uint64" },
    { name: "nonce", type: "uint64" },
  ],
};

/** IConsortiumMultisig.Proposal with every field resolved. */
export interface Proposal {
  target: string;
  value: bigint;
  data: string;
  lane: bigint;
  nonce: bigint;
  notBefore: bigint;
  expiry: bigint;
}

export interface MultisigFixture {
  multisig: ConsortiumMultisig;
  address: string;
  chainId: bigint;
  deployer: HardhatEthersSigner;
  /** The five signers, in slot order. */
  signers: HardhatEthersSigner[];
  guardian: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  others: HardhatEthersSigner[];
  /** A plain call target (counts calls, accepts value, can refuse or re-enter). */
  target: ReentrantTarget;
}

/**
 * The named accounts. Signers are accounts 10–14 so they do not collide with the registry/token
 * fixtures' roles (accounts 0–7); the guardian is 15, the outsider 16, 17–19 are spare.
 */
export async function accounts(): Promise<Omit<MultisigFixture, "multisig" | "address" | "chainId" | "target">> {
  const all = await ethers.getSigners();
  return { deployer: all[0], signers: all.slice(10, 15), guardian: all[15], outsider: all[16], others: all.slice(17) };
}

/** A 3-of-5 multisig with the given delays and guardian account 15, plus a call target. */
export async function deployMultisig(minDelay: number, sensitiveDelay: number): Promise<MultisigFixture> {
  const named = await accounts();
  const factory = await ethers.getContractFactory("ConsortiumMultisig");
  const multisig = await factory.deploy(
    named.signers.map((s) => s.address),
    THRESHOLD,
    minDelay,
    sensitiveDelay,
    named.guardian.address,
    [],
  );
  await multisig.waitForDeployment();
  const target = await (await ethers.getContractFactory("ReentrantTarget")).deploy();
  const { chainId } = await ethers.provider.getNetwork();
  return { ...named, multisig, address: await multisig.getAddress(), chainId, target };
}

/** No timelock at all: every proposal, signer changes included, executes at once with its signatures. */
export const instantMultisig = (): Promise<MultisigFixture> => deployMultisig(0, 0);
/** Ordinary calls execute at once; sensitive ones wait SENSITIVE_DELAY. */
export const multisigFixture = (): Promise<MultisigFixture> => deployMultisig(0, SENSITIVE_DELAY);
/** Every call waits at least MIN_DELAY; sensitive ones SENSITIVE_DELAY. */
export const timelockedMultisig = (): Promise<MultisigFixture> => deployMultisig(MIN_DELAY, SENSITIVE_DELAY);

/** A multisig whose fifth signer is an ERC-1271 wallet keyed by account 14. */
export async function contractSignerMultisig(): Promise<MultisigFixture & { wallet: MockERC1271Signer }> {
  const named = await accounts();
  const wallet = await (await ethers.getContractFactory("MockERC1271Signer")).deploy(named.signers[4].address);
  const owners = [...named.signers.slice(0, 4).map((s) => s.address), await wallet.getAddress()];
  const multisig = await (
    await ethers.getContractFactory("ConsortiumMultisig")
  ).deploy(owners, THRESHOLD, 0, SENSITIVE_DELAY, named.guardian.address, []);
  const target = await (await ethers.getContractFactory("ReentrantTarget")).deploy();
  const { chainId } = await ethers.provider.getNetwork();
  return { ...named, multisig, address: await multisig.getAddress(), chainId, target, wallet };
}

/** The multisig's EIP-712 domain, optionally with fields replaced (another chain, another contract). */
export async function domainOf(
  multisig: ConsortiumMultisig,
  overrides: Partial<TypedDataDomain> = {},
): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return {
    name: "ClearhouseMultisig",
    version: "1",
    chainId,
    verifyingContract: await multisig.getAddress(),
    ...overrides,
  };
}

/** A proposal with defaults: lane 0, the lane's next nonce, no value, empty data, no notBefore, now + TTL. */
export async function draft(
  multisig: ConsortiumMultisig,
  fields: Partial<Proposal> & { target: string },
): Promise<Proposal> {
  const lane = fields.lane ?? 0n;
  return {
    value: 0n,
    data: "0x",
    notBefore: 0n,
    expiry: BigInt(await time.latest()) + TTL,
    ...fields,
    lane,
    nonce: fields.nonce ?? (await multisig.nonceOf(lane)),
  };
}

/** A proposal that calls the multisig itself with `data`. */
export async function selfDraft(
  multisig: ConsortiumMultisig,
  data: string,
  fields: Partial<Proposal> = {},
): Promise<Proposal> {
  return draft(multisig, { ...fields, target: await multisig.getAddress(), data });
}

/** A proposal calling the fixture's target.poke() (an ordinary call: the minimum delay applies). */
export async function pokeDraft(f: MultisigFixture, fields: Partial<Proposal> = {}): Promise<Proposal> {
  return draft(f.multisig, {
    target: await f.target.getAddress(),
    data: f.target.interface.encodeFunctionData("poke"),
    ...fields,
  });
}

/** The EIP-712 digest of `p` as computed off-chain. */
export async function digestOf(multisig: ConsortiumMultisig, p: Proposal): Promise<string> {
  return ethers.TypedDataEncoder.hash(await domainOf(multisig), PROPOSAL_TYPES, p);
}

export async function signProposal(
  multisig: ConsortiumMultisig,
  signer: HardhatEthersSigner,
  p: Proposal,
  domain?: TypedDataDomain,
): Promise<string> {
  return signer.signTypedData(domain ?? (await domainOf(multisig)), PROPOSAL_TYPES, p);
}

/** The concatenated signatures of `signers`, in the order given. */
export async function signAll(
  multisig: ConsortiumMultisig,
  signers: readonly HardhatEthersSigner[],
  p: Proposal,
): Promise<string> {
  const domain = await domainOf(multisig);
  return ethers.concat(await Promise.all(signers.map((s) => signProposal(multisig, s, p, domain))));
}

export async function signCancel(
  multisig: ConsortiumMultisig,
  signer: HardhatEthersSigner,
  lane: bigint,
  nonce: bigint,
  domain?: TypedDataDomain,
): Promise<string> {
  return signer.signTypedData(domain ?? (await domainOf(multisig)), CANCEL_TYPES, { lane, nonce });
}

export async function signCancels(
  multisig: ConsortiumMultisig,
  signers: readonly HardhatEthersSigner[],
  lane: bigint,
  nonce: bigint,
): Promise<string> {
  const domain = await domainOf(multisig);
  return ethers.concat(await Promise.all(signers.map((s) => signCancel(multisig, s, lane, nonce, domain))));
}

/** A contract-signer entry: r = signer, s = length of its ERC-1271 signature, v = 0, then the signature. */
export function contractEntry(signer: string, signature: string): string {
  return ethers.concat([
    ethers.zeroPadValue(signer, 32),
    ethers.toBeHex(ethers.dataLength(signature), 32),
    "0x00",
    signature,
  ]);
}

/** The malleable twin of a 65-byte signature: s' = n − s, v flipped; it recovers the same address. */
export function highS(signature: string): string {
  const sig = ethers.Signature.from(signature);
  const n = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  return ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)]);
}

/** The first four bytes of calldata, or 0x00000000 when shorter (as the multisig reads it). */
export function selectorOf(data: string): string {
  return ethers.dataLength(data) >= 4 ? ethers.dataSlice(data, 0, 4) : SELECTOR.none;
}

/**
 * Take `p` through its whole path with `signers`' signatures: executed at once when its delay is
 * zero, otherwise queued, the timelock waited out, then executed. Returns the executing transaction.
 */
export async function enact(
  multisig: ConsortiumMultisig,
  signers: readonly HardhatEthersSigner[],
  p: Proposal,
): Promise<ContractTransactionResponse> {
  const signatures = await signAll(multisig, signers, p);
  if ((await multisig.delayOfCall(p.target, p.data)) === 0n) return multisig.execute(p, signatures);
  await multisig.queue(p, signatures);
  const [, executableAt] = await multisig.queuedOf(await multisig.proposalHash(p));
  await time.increaseTo(executableAt);
  return multisig.execute(p, "0x");
}

/** Queue `p` and return its executableAt. */
export async function queueWith(
  multisig: ConsortiumMultisig,
  signers: readonly HardhatEthersSigner[],
  p: Proposal,
): Promise<bigint> {
  await multisig.queue(p, await signAll(multisig, signers, p));
  const [, executableAt] = await multisig.queuedOf(await multisig.proposalHash(p));
  return executableAt;
}

/**
 * The multisig's own events in the mined transaction `tx`, in log order, each as [name, ...args]
 * (nested arrays included), for asserting the exact event sequence of a call.
 */
export async function multisigEvents(
  multisig: ConsortiumMultisig,
  tx: ContractTransactionResponse | Promise<ContractTransactionResponse> | null,
): Promise<unknown[][]> {
  const response = await tx;
  const receipt = await response?.wait();
  if (!receipt) throw new Error("no receipt");
  const address = (await multisig.getAddress()).toLowerCase();
  return receipt.logs
    .filter((log) => log.address.toLowerCase() === address)
    .map((log) => {
      const parsed = multisig.interface.parseLog(log);
      if (!parsed) throw new Error(`unknown multisig log ${log.topics[0]}`);
      return [parsed.name, ...parsed.args.toArray(true)];
    });
}
