/**
 * What the audit reads from the chain: every event of every Clearhouse contract since deployment,
 * the inputs of the transactions that carried proofs, and the contract state the events are
 * checked against. Reading is kept apart from checking (./checks.ts), so the checks are pure
 * functions of this snapshot and a test can tamper with it.
 */
import { getAddress, parseEventLogs, type Abi, type Address, type Hex } from "viem";
import { readContract, rpc, type ClearhouseContext } from "../context";
import { queryLogs } from "../logs";
import { executedInput, isFactoryAccount } from "./accountCalls";
import { readOfflineState, type OfflineState } from "./offlineState";
import {
  AUDITED_CONTRACTS,
  CONTRACTS,
  GOVERNED_CONTRACTS,
  UPGRADEABLE_CONTRACTS,
  addressOf,
  conditionalEscrowAbi,
  consortiumRegistryAbi,
  nettingEngineAbi,
  settlementLedgerAbi,
  settlementTokenAbi,
  verifierRegistryAbi,
  type ContractName,
  type Deployment,
} from "@clearhouse/contracts";

export type { ContractName };

/** The EIP-1967 implementation slot: keccak256("eip1967.proxy.implementation") - 1. */
export const EIP1967_IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

/** A member as the registry says at the audited block (limits in minor units). */
export interface MemberState {
  status: number;
  roles: number;
  sanction: number;
  name: string;
  maxSingleTransfer: bigint;
  maxDailyOutflow: bigint;
}

/** A milestone as `agreementOf` says (deadline in unix seconds). */
export interface MilestoneState {
  payee: Address;
  amount: bigint;
  deadline: bigint;
  status: number;
  conditionHolds: boolean;
}

/** An agreement as `agreementOf` says (amounts in minor units of `token`, createdAt in unix seconds). */
export interface AgreementState {
  status: number;
  payer: Address;
  token: Address;
  arbiter: Address;
  createdAt: number;
  ref: Hex;
  total: bigint;
  released: bigint;
  refunded: bigint;
  milestones: MilestoneState[];
}

/** Events whose block time the report shows (supply days, dispute dates). */
const TIMED_EVENTS = new Set([
  "SettlementToken.Issued",
  "SettlementToken.Redeemed",
  "ConditionalEscrow.MilestoneDisputed",
  "ConditionalEscrow.DisputeResolved",
]);

/** One decoded event. */
export interface AuditEvent {
  contract: ContractName;
  eventName: string;
  args: Record<string, unknown>;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
}

/**
 * What the proof check may re-derive a proof from: the transaction's input if it was sent to
 * `emitter` (the contract whose event accepted the proof), else `0x`. A call through another
 * contract may carry look-alike arguments (even the same selector) that are not what the emitter
 * received (review21 F2); such a proof is counted as "sent through other contracts", not re-verified.
 */
export function proofInputOf(tx: { to: Address | null; input: Hex }, emitter: Address | undefined): Hex {
  return emitter && tx.to?.toLowerCase() === emitter.toLowerCase() ? tx.input : "0x";
}

/**
 * `proofInputOf`, and for a transaction to a member account the deployment's factory created, the
 * data its `execute(emitter, data)` passed on unchanged (./accountCalls.ts).
 */
async function throughAccountOrDirect(
  ctx: ClearhouseContext,
  tx: { to: Address | null; input: Hex },
  emitter: Address | undefined,
  toBlock: bigint,
): Promise<Hex> {
  const direct = proofInputOf(tx, emitter);
  if (direct !== "0x" || !emitter || !tx.to) return direct;
  const data = executedInput(tx.input, emitter);
  if (data === undefined) return "0x";
  return (await isFactoryAccount(ctx, tx.to, toBlock)) ? data : "0x";
}

export interface ChainSnapshot {
  chainId: number;
  /** What the deployment file says: the token (the report's currency) and every contract's addresses. */
  deployment: Pick<Deployment, "token" | "contracts" | "verifiers">;
  fromBlock: bigint;
  toBlock: bigint;
  addresses: Partial<Record<ContractName, Address>>;
  events: AuditEvent[];
  /**
   * Inputs of the transactions that emitted BatchProofAccepted or ProofAccepted, when sent straight
   * to the contract that emitted the event, or through a member account's `execute` (its `data`);
   * `0x` for one sent to another contract (a wallet, a multisig), whose own input says nothing
   * reliable about what reached the engine (`proofInputOf`, ./accountCalls.ts).
   */
  proofTransactions: Record<Hex, Hex>;
  /** Timestamps (unix seconds) of the blocks holding Issued, Redeemed, MilestoneDisputed and DisputeResolved events. */
  blockTimestamps: Record<string, number>;
  state: {
    totalSupply: bigint;
    /** The operators' daily issuance ceiling (undefined: the token predates it). */
    issuanceCeiling?: bigint;
    /** `issuanceToday()` at the audited block (undefined: the token predates it). */
    issuanceToday?: { day: bigint; issued: bigint };
    balances: Record<Address, bigint>;
    members: Record<Address, MemberState>;
    /** Per anchored batch: the first 31 bytes of its digest as stored, its effective status. */
    batches: Record<Hex, { digest: Hex; status: number }>;
    cycles: Record<string, { status: number }>;
    agreements: Record<string, AgreementState>;
    circuits: Record<Hex, { vkHash: Hex; verifier: Address; retired: boolean }>;
    owners: Partial<Record<ContractName, Address>>;
    /** Each proxy's implementation, read from its EIP-1967 slot. */
    implementations: Partial<Record<ContractName, Address>>;
    /** The offline vault's allowances, bank books, bulk batches and credits (with a vault). */
    offline?: OfflineState;
  };
}

/** Addresses of the deployment's audited contracts (proxies; the manifest says which are audited). */
export function auditedContracts(ctx: ClearhouseContext): Partial<Record<ContractName, Address>> {
  return Object.fromEntries(AUDITED_CONTRACTS.map((name) => [name, addressOf(ctx.deployment, name)]));
}

/** Decoded events of the audited contracts in [fromBlock, toBlock], in chain order, read in pages. */
export async function fetchEvents(
  ctx: ClearhouseContext,
  addresses: Partial<Record<ContractName, Address>>,
  fromBlock: bigint,
  toBlock: bigint,
  onProgress?: (done: number, total: number) => void,
): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  const names = (Object.keys(addresses) as ContractName[]).filter((n) => addresses[n]);
  const logs = await queryLogs(
    ctx,
    "eth_getLogs",
    fromBlock,
    (range) => ctx.publicClient.getLogs({ address: names.map((n) => addresses[n]!), ...range }),
    { toBlock, onProgress },
  );
  for (const name of names) {
    const own = logs.filter((l) => l.address.toLowerCase() === addresses[name]!.toLowerCase());
    for (const log of parseEventLogs({ abi: CONTRACTS[name].abi as Abi, logs: own, strict: false })) {
      events.push({
        contract: name,
        eventName: log.eventName as string,
        args: (log.args ?? {}) as Record<string, unknown>,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
        transactionHash: log.transactionHash,
      });
    }
  }
  return events.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
}

/**
 * Read everything the audit needs, reporting progress (done, total) over the block range. With a
 * `signal`, stops (rejecting with its reason) at the next page or read once it aborts.
 */
export async function collectSnapshot(
  ctx: ClearhouseContext,
  opts: { toBlock?: bigint; onProgress?(done: number, total: number): void; signal?: AbortSignal } = {},
): Promise<ChainSnapshot> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const addresses = auditedContracts(ctx);
  const fromBlock = BigInt(ctx.deployment.blockNumber);
  const toBlock =
    opts.toBlock ?? (await rpc(ctx, "eth_blockNumber", () => ctx.publicClient.getBlockNumber({ cacheTime: 0 })));
  const events = await fetchEvents(ctx, addresses, fromBlock, toBlock, (done, total) => {
    signal?.throwIfAborted();
    opts.onProgress?.(done, total);
  });

  const proofTransactions: Record<Hex, Hex> = {};
  for (const e of events) {
    if (e.eventName !== "BatchProofAccepted" && e.eventName !== "ProofAccepted") continue;
    if (proofTransactions[e.transactionHash]) continue;
    signal?.throwIfAborted();
    const tx = await rpc(ctx, "eth_getTransactionByHash", () =>
      ctx.publicClient.getTransaction({ hash: e.transactionHash }),
    );
    proofTransactions[e.transactionHash] = await throughAccountOrDirect(ctx, tx, addresses[e.contract], toBlock);
  }
  const blockTimestamps: Record<string, number> = {};
  for (const e of events) {
    if (!TIMED_EVENTS.has(`${e.contract}.${e.eventName}`)) continue;
    const n = e.blockNumber.toString();
    if (blockTimestamps[n] !== undefined) continue;
    signal?.throwIfAborted();
    const block = await rpc(ctx, "eth_getBlockByNumber", () =>
      ctx.publicClient.getBlock({ blockNumber: e.blockNumber }),
    );
    blockTimestamps[n] = Number(block.timestamp);
  }
  const { token, contracts, verifiers } = ctx.deployment;
  signal?.throwIfAborted();
  return {
    chainId: ctx.deployment.chainId,
    deployment: { token, contracts, ...(verifiers ? { verifiers } : {}) },
    fromBlock,
    toBlock,
    addresses,
    events,
    proofTransactions,
    blockTimestamps,
    state: await readState(ctx, addresses, events, toBlock),
  };
}

async function readState(
  ctx: ClearhouseContext,
  a: Partial<Record<ContractName, Address>>,
  events: AuditEvent[],
  blockNumber: bigint,
): Promise<ChainSnapshot["state"]> {
  const at = { blockNumber };
  const read = <T>(address: Address, abi: Abi, functionName: string, args: unknown[]): Promise<T> =>
    readContract(ctx, { address, abi, functionName, args, ...at } as never) as Promise<T>;
  const of = (name: string) => events.filter((e) => e.eventName === name);
  const state: ChainSnapshot["state"] = {
    totalSupply: await read<bigint>(a.SettlementToken!, settlementTokenAbi, "totalSupply", []),
    balances: {},
    members: {},
    batches: {},
    cycles: {},
    agreements: {},
    circuits: {},
    owners: {},
    implementations: {},
  };
  // Tokens deployed before the issuance ceiling have neither view: the audit then shows none.
  try {
    const [day, issued, ceiling] = await read<[bigint, bigint, bigint]>(
      a.SettlementToken!,
      settlementTokenAbi,
      "issuanceToday",
      [],
    );
    state.issuanceCeiling = ceiling;
    state.issuanceToday = { day, issued };
  } catch {
    // an older token: no ceiling to report
  }
  const holders = new Set<Address>();
  for (const e of of("Transfer")) {
    if (e.contract !== "SettlementToken") continue;
    holders.add(e.args.from as Address);
    holders.add(e.args.to as Address);
  }
  for (const h of holders) {
    if (/^0x0{40}$/.test(h)) continue;
    state.balances[h] = await read<bigint>(a.SettlementToken!, settlementTokenAbi, "balanceOf", [h]);
  }
  for (const e of of("MemberAdmitted")) {
    const account = e.args.account as Address;
    const m = await read<Omit<MemberState, "sanction">>(a.ConsortiumRegistry!, consortiumRegistryAbi, "memberOf", [
      account,
    ]);
    const sanction = await read<number>(a.ConsortiumRegistry!, consortiumRegistryAbi, "sanctionOf", [account]);
    const { status, roles, name, maxSingleTransfer, maxDailyOutflow } = m;
    state.members[account] = { status, roles, sanction, name, maxSingleTransfer, maxDailyOutflow };
  }
  if (a.SettlementLedger) {
    for (const e of of("BatchSubmitted")) {
      const id = e.args.batchId as Hex;
      // The ledger keeps the first 31 bytes of the digest; the effective status needs the header.
      const [digest] = await read<[Hex, number, number]>(a.SettlementLedger, settlementLedgerAbi, "anchorOf", [id]);
      const status = await read<number>(a.SettlementLedger, settlementLedgerAbi, "statusOf", [id, e.args.header]);
      state.batches[id] = { digest, status };
    }
  }
  if (a.NettingEngine) {
    for (const e of of("CycleOpened")) {
      const cycleId = e.args.cycleId as bigint;
      const c = await read<{ status: number }>(a.NettingEngine, nettingEngineAbi, "cycleOf", [cycleId]);
      state.cycles[cycleId.toString()] = { status: c.status };
    }
  }
  if (a.ConditionalEscrow) {
    for (const e of of("AgreementCreated")) {
      const id = e.args.agreementId as bigint;
      // agreementOf's view also carries conditions and attestations, which the report does not list.
      const v = await read<Omit<AgreementState, "milestones"> & { milestones: readonly MilestoneState[] }>(
        a.ConditionalEscrow,
        conditionalEscrowAbi,
        "agreementOf",
        [id],
      );
      state.agreements[id.toString()] = {
        status: v.status,
        payer: v.payer,
        token: v.token,
        arbiter: v.arbiter,
        createdAt: Number(v.createdAt),
        ref: v.ref,
        total: v.total,
        released: v.released,
        refunded: v.refunded,
        milestones: v.milestones.map(({ payee, amount, deadline, status, conditionHolds }) => ({
          payee,
          amount,
          deadline,
          status,
          conditionHolds,
        })),
      };
    }
  }
  if (a.VerifierRegistry) {
    for (const e of of("CircuitRegistered")) {
      const id = e.args.circuitId as Hex;
      const c = await read<{ vkHash: Hex; verifier: Address; retired: boolean }>(
        a.VerifierRegistry,
        verifierRegistryAbi,
        "circuitOf",
        [id],
      );
      state.circuits[id] = { vkHash: c.vkHash, verifier: c.verifier, retired: c.retired };
    }
  }
  if (a.OfflineVault) state.offline = await readOfflineState(a.OfflineVault, events, read as never);
  for (const name of GOVERNED_CONTRACTS) {
    const address = a[name];
    if (address) state.owners[name] = await read<Address>(address, consortiumRegistryAbi, "owner", []);
  }
  for (const name of UPGRADEABLE_CONTRACTS) {
    const address = a[name];
    if (!address) continue;
    const word = await rpc(ctx, "eth_getStorageAt", () =>
      ctx.publicClient.getStorageAt({ address, slot: EIP1967_IMPLEMENTATION_SLOT, blockNumber }),
    );
    state.implementations[name] = getAddress(`0x${(word ?? "0x").slice(2).padStart(64, "0").slice(24)}`);
  }
  return state;
}
