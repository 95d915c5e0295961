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
import { DuplicateWriteError, TransactionDroppedError, TransactionPendingError, type DropReason } from "./errors/base";
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

/** Whether any node the client reaches knows `hash` (in a pool or a block). */
async function isKnown(client: SendContext["publicClient"], hash: Hash): Promise<boolean> {
  try {
    await client.getTransaction({ hash });
    return true;
  } catch {
    return false;
  }
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
    raw = await sign({ ...prepared, account, chain: wallet.chain });
  } catch (error) {
    resetNonces(s, account.address, chainId);
    throw error;
  }
  const hash = keccak256(raw);
  // the same key, nonce and call signed twice in this process is two writes, not one retried
  if (inFlight.has(hash)) throw new DuplicateWriteError(hash, action, account.address, nonce);
  inFlight.add(hash);
  try {
    return await sendAndWait(s, raw, { hash, action, sender: account.address, nonce, target: address, data, chainId });
  } finally {
    inFlight.delete(hash);
  }
}

/** The hashes this process is sending or waiting for. */
const inFlight = new Set<Hash>();

/** Send `raw` (hash `tx.hash`) and wait for it. */
async function sendAndWait(s: SendContext, raw: Hex, tx: Sent): Promise<TransactionReceipt> {
  try {
    await s.walletClient.sendRawTransaction({ serializedTransaction: raw });
  } catch (error) {
    // a node may have taken it before failing: if one knows the hash, wait for it like any other
    if (!(await isKnown(s.publicClient, tx.hash))) {
      resetNonces(s, tx.sender, tx.chainId);
      throw error;
    }
  }
  return waitForMined(s, tx);
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

/** Wait for `tx`'s receipt, looking every `dropTimeout` whether it was dropped. */
async function waitForMined(s: SendContext, tx: Sent): Promise<TransactionReceipt> {
  const deadline = Date.now() + s.receiptTimeout;
  for (;;) {
    const left = deadline - Date.now();
    try {
      return await s.publicClient.waitForTransactionReceipt({
        hash: tx.hash,
        confirmations: 1 + s.confirmations,
        timeout: Math.max(1, Math.min(s.dropTimeout, left)),
      });
    } catch (error) {
      if (!(error instanceof WaitForTransactionReceiptTimeoutError) || left <= s.dropTimeout)
        throw new TransactionPendingError(tx.hash, tx.action, error);
      let mined: number;
      try {
        mined = await s.publicClient.getTransactionCount({ address: tx.sender, blockTag: "latest" });
      } catch (readError) {
        throw new TransactionPendingError(tx.hash, tx.action, readError);
      }
      if (mined <= tx.nonce && !(await isKnown(s.publicClient, tx.hash))) {
        resetNonces(s, tx.sender, tx.chainId);
        throw new TransactionDroppedError(tx.hash, tx.action, await dropReason(s, tx.sender, tx.target, tx.data));
      }
      if (mined > tx.nonce && !(await isKnown(s.publicClient, tx.hash)))
        throw new TransactionPendingError(
          tx.hash,
          tx.action,
          new Error(`nonce ${tx.nonce} of ${tx.sender} was used by another transaction; this one will not be mined`),
        );
      // still in a pool, or mined and its receipt on its way: keep waiting
    }
  }
}
