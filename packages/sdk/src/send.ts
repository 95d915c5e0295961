/**
 * Sending a write to real nodes, where a node can die while it handles the transaction, and a node
 * with permissioning can drop a transaction without a word.
 *
 * With a local key the SDK signs the transaction itself, so it knows the hash before anything is
 * sent. When the send fails (the node reset the connection after taking the transaction, and the
 * next node answers "already known" or "nonce too low"), the SDK asks for that hash: if a node knows
 * it, the transaction is in a pool or a block and the write goes on waiting for it — the same signed
 * transaction is never sent under a new nonce, so a retry can't anchor a batch twice.
 *
 * While waiting, when no receipt has come within `dropTimeout`, the SDK asks whether the
 * transaction still exists: no node knows its hash and the sender's mined nonce has not reached
 * its nonce means it was dropped (Besu drops a transaction its permissioning refuses and still
 * answers with the hash). That ends the write with {@link TransactionDroppedError}, carrying the
 * registry's `check` reason, and resets the key's nonce manager so the next write reuses the nonce.
 */
import {
  encodeFunctionData,
  keccak256,
  WaitForTransactionReceiptTimeoutError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { consortiumRegistryAbi } from "@clearhouse/contracts";
import type { Deployment } from "@clearhouse/contracts";
import {
  DuplicateWriteError,
  NonceConflictError,
  TransactionDroppedError,
  TransactionPendingError,
  type DropReason,
} from "./errors/base";
import { lookUp } from "./nodeLookup";
import { Reasons } from "./registry/roles";

/** Most a write waits for its receipt in all (viem's default), unless `receiptTimeout` says otherwise. */
export const RECEIPT_TIMEOUT_MS = 180_000;
/** Blocks of silence before a transaction is looked for (see {@link dropTimeoutOf}). */
export const DROP_AFTER_BLOCKS = 5;
const MIN_DROP_TIMEOUT_MS = 2_000;
const MAX_DROP_TIMEOUT_MS = 60_000;

/** What a send needs: the clients, the deployment (for the registry's `check`) and the timings. */
export interface SendContext {
  publicClient: PublicClient<Transport, Chain | undefined>;
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  deployment: Deployment;
  /** Blocks after the mined one (0 on QBFT). */
  confirmations: number;
  /** No receipt for this long: look whether the transaction was dropped (ms). */
  dropTimeout: number;
  /** Give up waiting after this long (ms); the transaction may still be mined. */
  receiptTimeout: number;
}

/** A simulated call's request, as viem's `simulateContract` returns it, plus the fees to name. */
export type SendRequest = Record<string, unknown> & { address: Address; abi: Abi; functionName: string };

/**
 * `DROP_AFTER_BLOCKS` times the chain's block period as its last two blocks show it, held between
 * 2 s and 60 s (a chain that mines on demand shows 0 s between blocks).
 */
export async function dropTimeoutOf(client: Pick<PublicClient, "getBlock">): Promise<number> {
  const latest = await client.getBlock({ blockTag: "latest" });
  if (latest.number === 0n) return MIN_DROP_TIMEOUT_MS;
  const parent = await client.getBlock({ blockNumber: latest.number - 1n });
  const period = Number(latest.timestamp - parent.timestamp) * 1000;
  return Math.min(MAX_DROP_TIMEOUT_MS, Math.max(MIN_DROP_TIMEOUT_MS, DROP_AFTER_BLOCKS * period));
}

/** The registry's reason for refusing `sender` → `target` (undefined when it can't be read). */
async function dropReason(
  s: SendContext,
  sender: Address,
  target: Address,
  data: Hex,
): Promise<DropReason | undefined> {
  try {
    const [, code] = await s.publicClient.readContract({
      address: s.deployment.contracts.ConsortiumRegistry.proxy,
      abi: consortiumRegistryAbi,
      functionName: "check",
      args: [sender, target, 0n, data],
    });
    const reason = Reasons[code];
    return reason ? { code: reason.code, name: reason.name, description: reason.description } : undefined;
  } catch {
    return undefined;
  }
}

/** Forget the key's nonces, so the next write asks the node again (after a drop or a failed send). */
function resetNonces(s: SendContext, address: Address, chainId: number): void {
  s.walletClient.account.nonceManager?.reset({ address, chainId });
}

/**
 * Sign `request` with the local key, send it, and wait for its receipt; see the module comment.
 * Errors from signing or sending (other than "a node already has it") are thrown as they come.
 */
export async function sendSigned(s: SendContext, request: SendRequest, action: string): Promise<TransactionReceipt> {
  const wallet = s.walletClient;
  const account = wallet.account;
  const prepare = wallet.prepareTransactionRequest as (p: unknown) => Promise<Record<string, unknown>>;
  const { abi, functionName, args, address, ...rest } = request;
  const data = encodeFunctionData({ abi, functionName, args: args as readonly unknown[] } as never);
  const chainId = wallet.chain?.id ?? (await s.publicClient.getChainId());
  let nonce: number;
  let raw: Hex;
  try {
    const prepared = await prepare({
      ...rest,
      to: address,
      data,
      account,
      chain: wallet.chain,
      nonceManager: account.nonceManager,
    });
    nonce = prepared.nonce as number;
    const sign = wallet.signTransaction as (p: unknown) => Promise<Hex>;
    // null, not undefined: no chain to assert on a client built without one (ensureNetwork checked the id)
    raw = await sign({ ...prepared, account, chain: wallet.chain ?? null });
  } catch (error) {
    resetNonces(s, account.address, chainId);
    throw error;
  }
  const hash = keccak256(raw);
  // the same key, nonce and call signed again in this process is a second write, not a retry:
  // sending it would report the first one's transaction as its own
  const seen = writesOf(account);
  if (seen.inFlight.has(hash)) {
    resetNonces(s, account.address, chainId); // the nonce this copy took is not used
    throw new DuplicateWriteError(hash, action, account.address, nonce);
  }
  seen.inFlight.add(hash);
  try {
    if (seen.completed.has(hash)) {
      // mined before: a second write unless the chain no longer has it (a reorganisation, a
      // development chain reverted to a snapshot), when sending it again is that write
      if ((await lookUp(s.publicClient, hash, account.address)).known) {
        resetNonces(s, account.address, chainId);
        throw new DuplicateWriteError(hash, action, account.address, nonce);
      }
      seen.completed.delete(hash);
    }
    const receipt = await sendAndWait(s, raw, {
      hash,
      action,
      sender: account.address,
      nonce,
      target: address,
      data,
      chainId,
    });
    remember(seen.completed, hash);
    return receipt;
  } finally {
    seen.inFlight.delete(hash);
  }
}

/** What one signer (an Account object) has sent: the hashes in flight and the last ones mined. */
interface Writes {
  inFlight: Set<Hash>;
  /** The last `COMPLETED_KEPT` hashes seen mined, oldest first. */
  completed: Set<Hash>;
}
const writes = new WeakMap<object, Writes>();
const COMPLETED_KEPT = 4_096;

function writesOf(account: object): Writes {
  let w = writes.get(account);
  if (!w) writes.set(account, (w = { inFlight: new Set(), completed: new Set() }));
  return w;
}

function remember(completed: Set<Hash>, hash: Hash): void {
  completed.add(hash);
  if (completed.size > COMPLETED_KEPT) completed.delete(completed.values().next().value as Hash);
}

/** Whether `error` is a node's JSON-RPC answer (it refused), not a connection that failed. */
function answeredByNode(error: unknown): boolean {
  for (let e = error as { name?: string; code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === "RpcRequestError") return true;
    if (typeof e.code === "number" && (e.code === 3 || (e.code <= -32000 && e.code >= -32768))) return true;
  }
  return false;
}

/** Send `raw` (hash `tx.hash`) and wait for it. */
async function sendAndWait(s: SendContext, raw: Hex, tx: Sent): Promise<TransactionReceipt> {
  try {
    await s.walletClient.sendRawTransaction({ serializedTransaction: raw });
  } catch (error) {
    // a node may have taken it before failing: if one knows the hash, wait for it like any other
    const seen = await lookUp(s.publicClient, tx.hash, tx.sender);
    if (!seen.known) {
      resetNonces(s, tx.sender, tx.chainId);
      // no node refused it in words and not every node can be asked: it may be in a pool somewhere
      if (!answeredByNode(error) && seen.answered < seen.nodes)
        throw new TransactionPendingError(tx.hash, tx.action, error);
      if (nonceConflict(error)) throw new NonceConflictError(tx.hash, tx.action, tx.sender, tx.nonce, "refused", error);
      throw error;
    }
  }
  return waitForMined(s, tx);
}

/** A node's refusal because the nonce is taken (or the same transaction is pending). */
function nonceConflict(error: unknown): boolean {
  const text: string[] = [];
  for (let e = error as { message?: string; details?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    text.push(e.message ?? "", e.details ?? "");
  return /nonce too low|nonce has already been used|replacement transaction underpriced|already known|known transaction|already imported|nonce.{0,40}(lower|less) than/i.test(
    text.join("\n"),
  );
}

/** What {@link waitForMined} watches. */
interface Sent {
  hash: Hash;
  action: string;
  sender: Address;
  nonce: number;
  target: Address;
  data: Hex;
  chainId: number;
}

/**
 * Wait for `tx`'s receipt; every `dropTimeout` without one, ask every node about it: mined
 * somewhere (a receipt the client's first node does not show yet) ends the wait; known anywhere,
 * or not every node answering, keeps it going; nowhere, with the sender's nonce short of the
 * transaction's, is a drop; nowhere with the nonce past it, another transaction took the nonce.
 */
async function waitForMined(s: SendContext, tx: Sent): Promise<TransactionReceipt> {
  const deadline = Date.now() + s.receiptTimeout;
  for (;;) {
    const left = deadline - Date.now();
    try {
      return await s.publicClient.waitForTransactionReceipt({
        hash: tx.hash,
        confirmations: 1 + s.confirmations,
        checkReplacement: false, // another transaction's receipt is not this write's (see below)
        timeout: Math.max(1, Math.min(s.dropTimeout, left)),
      });
    } catch (error) {
      if (!(error instanceof WaitForTransactionReceiptTimeoutError) || left <= s.dropTimeout)
        throw new TransactionPendingError(tx.hash, tx.action, error);
      const seen = await lookUp(s.publicClient, tx.hash, tx.sender);
      if (seen.receipt && s.confirmations === 0) return seen.receipt;
      if (seen.known || seen.answered < seen.nodes) continue;
      resetNonces(s, tx.sender, tx.chainId);
      if (seen.mined <= tx.nonce)
        throw new TransactionDroppedError(tx.hash, tx.action, await dropReason(s, tx.sender, tx.target, tx.data));
      throw new NonceConflictError(tx.hash, tx.action, tx.sender, tx.nonce, "taken");
    }
  }
}
