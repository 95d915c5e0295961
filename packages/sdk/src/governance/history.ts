/**
 * Every proposal the multisig has seen, from its events and the transactions that emitted them:
 * who signed (offline signatures read back from the calldata of `queue`/`execute`/`cancel`, and
 * on-chain approvals), what it calls (decoded against the target's ABI), when it was queued,
 * became executable and was executed or cancelled, and where it stands now.
 */
import { getAddress, type Abi, type Address, type Hex } from "viem";
import { CONTRACTS, CONTRACT_NAMES, addressOf, type ContractName } from "@clearhouse/contracts";
import { readContract, rpc, type ClearhouseContext } from "../context";
import { deployedSince } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import { fetchEvents, type AuditEvent } from "../audit/collect";
import { multisigAddress } from "./actions";
import { decodeCall } from "./describe";
import { NOT_RECOVERABLE, blobSigners, submittedCall, type SubmittedCall } from "./recover";
import type { Proposal } from "./typedData";

/** Where a proposal stands, as far as the multisig's events and state tell. */
export type ProposalHistoryState =
  | "approving" // on-chain approvals only: never queued or executed (its call is not on chain yet)
  | "queued" // timelock running
  | "executable" // timelock elapsed, not executed yet
  | "waiting-for-lane" // queued, but an earlier nonce of its lane is still open
  | "expired" // queued, its expiry passed without execution
  | "signer-set-changed" // queued by an earlier signer set: must be approved and queued again
  | "executed" // a proposal that ran, or a cancel that burned its nonce
  | "cancelled" // its lane's nonce was burned by a cancel
  | "superseded"; // another proposal used its lane's nonce

/** One approval of a proposal. */
export interface ProposalApproval {
  signer: Address;
  /**
   * `offline`: a signature passed in the calldata of the transaction that queued or executed it
   * (or carried out the cancel); `on-chain`: an `approve` transaction of the signer.
   */
  how: "offline" | "on-chain";
  /** For offline signatures: a key's ECDSA signature or a contract signer's ERC-1271 one. */
  scheme?: "ecdsa" | "erc1271";
  /** For on-chain approvals: the signer-set epoch it counts under. */
  epoch?: number;
  transactionHash: Hex;
  blockNumber: bigint;
}

/** What a proposal calls, decoded from its calldata. */
export interface ProposalCallRecord {
  target: Address;
  /** The deployment's contract at `target`, when it is one of them. */
  contract?: ContractName;
  value: bigint;
  data: Hex;
  /** Decoded against the target's ABI (any Clearhouse ABI for another target); absent when none matches. */
  functionName?: string;
  /** The decoded arguments: integers in decimal, other values as JSON (as in proposal files). */
  args?: string[];
}

/** A moment of a proposal's life: the block time (unix seconds) and the transaction. */
export interface ProposalMoment {
  at: bigint;
  blockNumber: bigint;
  transactionHash: Hex;
}

/** One proposal (or cancel) of the multisig, with its whole history. */
export interface ProposalRecord {
  /** The EIP-712 digest signers sign (the `proposalHash`, or `cancelHash` of a cancel). */
  hash: Hex;
  /** `Unknown`: only on-chain approvals were seen, which name the hash alone. */
  kind: "Proposal" | "Cancel" | "Unknown";
  state: ProposalHistoryState;
  lane?: bigint;
  nonce?: bigint;
  /** The call, when a transaction that submitted the proposal was a direct multisig call. */
  call?: ProposalCallRecord;
  notBefore?: bigint;
  expiry?: bigint;
  /**
   * Offline signatures and on-chain approvals, in chain order; a signer may appear under both. An
   * on-chain approval made after the proposal was executed is not listed.
   */
  approvals: ProposalApproval[];
  /** Transactions whose signatures could not be read, and why (e.g. a relayer wrapped the call). */
  unrecoverable: { transactionHash: Hex; reason: string }[];
  /** The latest queueing, with the time the timelock ends (absent for a proposal executed at once). */
  queued?: ProposalMoment & { executableAt: bigint };
  executed?: ProposalMoment;
  /** The cancel that burned the proposal's nonce. */
  cancelled?: ProposalMoment & { cancelHash: Hex };
}

export interface ListProposalsParameters {
  /** First block read (default: the multisig's deployment block). */
  fromBlock?: bigint;
  /** Last block read (default: the latest). */
  toBlock?: bigint;
}
export type ListProposalsReturnType = ProposalRecord[];

const nameByAddress = (ctx: ClearhouseContext): Map<string, ContractName> =>
  new Map(
    CONTRACT_NAMES.flatMap((n) => {
      const a = addressOf(ctx.deployment, n);
      return a ? [[a.toLowerCase(), n] as const] : [];
    }),
  );

/** The call of `p`, named after the deployment's contract at its target and decoded with its ABI. */
function callOf(p: Proposal, names: Map<string, ContractName>): ProposalCallRecord {
  const contract = names.get(p.target.toLowerCase());
  const decoded = contract ? decodeCall(p.data, [CONTRACTS[contract].abi as Abi]) : decodeCall(p.data);
  return { target: getAddress(p.target), contract, value: p.value, data: p.data, ...decoded };
}

/**
 * Every proposal and cancel the multisig has seen in a block range, oldest first: who signed it
 * (offline or on chain), what it calls, when it was queued, became executable and was executed or
 * cancelled, and its state now. Logs are read in pages of 5,000 blocks; each transaction that
 * queued, executed or cancelled is fetched once to read its signatures. A transaction that is not
 * a direct multisig call (a relayer contract wrapped it) is listed in `unrecoverable` instead.
 * @throws ContractNotDeployedError when the deployment has no multisig.
 * @example
 * const proposals = await ch.governance.listProposals();
 * for (const p of proposals)
 *   console.log(p.state, p.call?.contract, p.call?.functionName, p.approvals.map((a) => `${a.signer} (${a.how})`));
 */
export async function listProposals(
  ctx: ClearhouseContext,
  p: ListProposalsParameters = {},
): Promise<ListProposalsReturnType> {
  for (const [name, value] of Object.entries({ fromBlock: p.fromBlock, toBlock: p.toBlock })) {
    if (value !== undefined && typeof value !== "bigint")
      throw new InvalidArgumentError(
        name,
        `${String(value)} is not a bigint`,
        "Pass a block number as a bigint, e.g. 1200n.",
      );
  }
  const multisig = multisigAddress(ctx);
  const deployedAt = deployedSince(ctx, "ConsortiumMultisig");
  const fromBlock = p.fromBlock ?? deployedAt;
  const toBlock =
    p.toBlock ?? (await rpc(ctx, "eth_blockNumber", () => ctx.publicClient.getBlockNumber({ cacheTime: 0 })));
  if (fromBlock < 0n || toBlock < fromBlock) {
    throw new InvalidArgumentError("fromBlock", `the range ${fromBlock}…${toBlock} is empty or negative`);
  }
  const events = await fetchEvents(ctx, { ConsortiumMultisig: multisig }, fromBlock, toBlock);
  const reader = new HistoryReader(ctx, multisig, fromBlock <= deployedAt);
  for (const e of events) await reader.add(e);
  return reader.finish();
}

type Args = Record<string, unknown>;

/** Folds the multisig's events, in chain order, into proposal records. */
class HistoryReader {
  private readonly records = new Map<string, ProposalRecord>();
  private readonly blockTimes = new Map<bigint, Promise<bigint>>();
  private readonly transactions = new Map<Hex, Promise<{ to: Address | null; input: Hex }>>();
  private readonly names: Map<string, ContractName>;
  /** (lane:nonce) → the cancel that burned it / the proposal that used it. */
  private readonly cancels = new Map<string, ProposalMoment & { cancelHash: Hex }>();

  constructor(
    private readonly ctx: ClearhouseContext,
    private readonly multisig: Address,
    /** Whether the range starts at the multisig's deployment (so every queueing is in it). */
    private readonly fromDeployment: boolean,
  ) {
    this.names = nameByAddress(ctx);
  }

  private record(hash: Hex, kind: ProposalRecord["kind"]): ProposalRecord {
    const key = hash.toLowerCase();
    let r = this.records.get(key);
    if (!r) {
      r = { hash, kind, state: "approving", approvals: [], unrecoverable: [] };
      this.records.set(key, r);
    } else if (r.kind === "Unknown") r.kind = kind;
    return r;
  }

  private blockTime(blockNumber: bigint): Promise<bigint> {
    let t = this.blockTimes.get(blockNumber);
    if (!t) {
      t = rpc(this.ctx, "eth_getBlockByNumber", () => this.ctx.publicClient.getBlock({ blockNumber })).then(
        (b) => b.timestamp,
      );
      this.blockTimes.set(blockNumber, t);
    }
    return t;
  }

  private async moment(e: AuditEvent): Promise<ProposalMoment> {
    return { at: await this.blockTime(e.blockNumber), blockNumber: e.blockNumber, transactionHash: e.transactionHash };
  }

  /**
   * The multisig call the event's transaction made, or undefined (recorded as unrecoverable when
   * its signatures would count: `counts`).
   */
  private async submitted(r: ProposalRecord, e: AuditEvent, counts = true): Promise<SubmittedCall | undefined> {
    const hash = e.transactionHash;
    let tx = this.transactions.get(hash);
    if (!tx) {
      tx = rpc(this.ctx, "eth_getTransactionByHash", () => this.ctx.publicClient.getTransaction({ hash }));
      this.transactions.set(hash, tx);
    }
    const call = submittedCall(await tx, this.ctx.deployment.chainId, this.multisig, r.hash);
    if (!call && counts) this.unrecoverable(r, hash, NOT_RECOVERABLE);
    return call;
  }

  private unrecoverable(r: ProposalRecord, transactionHash: Hex, reason: string): void {
    if (!r.unrecoverable.some((u) => u.transactionHash === transactionHash))
      r.unrecoverable.push({ transactionHash, reason });
  }

  /** Add the signers of a blob the contract verified as offline approvals of `r`. */
  private async addSigners(r: ProposalRecord, blob: Hex, e: AuditEvent): Promise<void> {
    const signers = await blobSigners(blob, r.hash);
    if (!signers) return this.unrecoverable(r, e.transactionHash, "its signature blob is malformed");
    for (const s of signers) {
      if (r.approvals.some((a) => a.how === "offline" && a.signer === s.signer)) continue;
      r.approvals.push({
        signer: s.signer,
        how: "offline",
        scheme: s.scheme,
        transactionHash: e.transactionHash,
        blockNumber: e.blockNumber,
      });
    }
  }

  private describe(r: ProposalRecord, proposal: Proposal): void {
    r.call ??= callOf(proposal, this.names);
    r.notBefore ??= proposal.notBefore;
    r.expiry ??= proposal.expiry;
  }

  async add(e: AuditEvent): Promise<void> {
    const a = e.args as Args;
    switch (e.eventName) {
      case "Approved": {
        const r = this.record(a.proposalHash as Hex, "Unknown");
        // `approve` takes any hash at any time: one made after the proposal ran authorized nothing.
        if (r.executed) return;
        r.approvals.push({
          signer: getAddress(a.signer as Address),
          how: "on-chain",
          epoch: Number(a.epoch),
          transactionHash: e.transactionHash,
          blockNumber: e.blockNumber,
        });
        return;
      }
      case "Queued": {
        const r = this.record(a.proposalHash as Hex, "Proposal");
        [r.lane, r.nonce] = [a.lane as bigint, a.nonce as bigint];
        r.queued = { ...(await this.moment(e)), executableAt: a.executableAt as bigint };
        const call = await this.submitted(r, e);
        if (call?.functionName === "queue") {
          this.describe(r, call.proposal);
          await this.addSigners(r, call.signatures, e);
        }
        return;
      }
      case "Executed": {
        const r = this.record(a.proposalHash as Hex, "Proposal");
        [r.lane, r.nonce] = [a.lane as bigint, a.nonce as bigint];
        r.executed = await this.moment(e);
        // A queued proposal's execute ignores its signatures: only one run at once used them.
        const call = await this.submitted(r, e, !r.queued);
        if (call?.functionName !== "execute") return;
        this.describe(r, call.proposal);
        if (r.queued) return;
        if (this.fromDeployment) return this.addSigners(r, call.signatures, e);
        this.unrecoverable(
          r,
          e.transactionHash,
          "not queued within the blocks read: read from the multisig's deployment block to learn who signed it",
        );
        return;
      }
      case "Cancelled": {
        const r = this.record(a.cancelHash as Hex, "Cancel");
        [r.lane, r.nonce] = [a.lane as bigint, a.nonce as bigint];
        r.executed = await this.moment(e);
        this.cancels.set(`${r.lane}:${r.nonce}`, { ...r.executed, cancelHash: r.hash });
        const call = await this.submitted(r, e);
        if (call?.functionName === "cancel") await this.addSigners(r, call.signatures, e);
        return;
      }
    }
  }

  /** The records with their states: terminal ones from the events, open ones from the contract now. */
  async finish(): Promise<ProposalRecord[]> {
    const records = [...this.records.values()];
    const open = records.filter((r) => !r.executed && r.queued);
    for (const r of records) if (r.executed) r.state = "executed";
    if (open.length === 0) return records;
    const m = { address: this.multisig, abi: CONTRACTS.ConsortiumMultisig.abi };
    const [[, , epoch], block] = await Promise.all([
      readContract(this.ctx, { ...m, functionName: "signers", args: [] }),
      rpc(this.ctx, "eth_getBlockByNumber", () => this.ctx.publicClient.getBlock()),
    ]);
    for (const r of open) {
      const slot = `${r.lane}:${r.nonce}`;
      const [laneNonce, [, , queuedEpoch]] = await Promise.all([
        readContract(this.ctx, { ...m, functionName: "nonceOf", args: [r.lane!] }),
        readContract(this.ctx, { ...m, functionName: "queuedOf", args: [r.hash] }),
      ]);
      r.cancelled = this.cancels.get(slot);
      if (r.cancelled) r.state = "cancelled";
      else if (laneNonce > r.nonce!) r.state = "superseded";
      else if (laneNonce < r.nonce!) r.state = "waiting-for-lane";
      else if (r.expiry !== undefined && block.timestamp > r.expiry) r.state = "expired";
      else if (queuedEpoch !== epoch) r.state = "signer-set-changed";
      else r.state = block.timestamp >= r.queued!.executableAt ? "executable" : "queued";
    }
    return records;
  }
}
