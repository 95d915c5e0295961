import { concat, decodeFunctionResult, encodeFunctionData, isAddressEqual } from "viem";
import type {
  Abi,
  Account,
  Address,
  Chain,
  ContractFunctionArgs,
  ContractFunctionName,
  ContractFunctionReturnType,
  Hash,
  Hex,
  PublicClient,
  Transport,
  WalletClient,
} from "viem";
import { memberAccountAbi, type Deployment } from "@clearhouse/contracts";
import {
  ClearhouseError,
  InvalidArgumentError,
  MissingAccountError,
  TransactionFailedError,
  TransactionPendingError,
  WrongNetworkError,
} from "./errors/base";
import type { AmountFormat } from "./errors/catalog";
import { toClearhouseError } from "./errors/revert";
import { feeOverrides, type FeeOverrides } from "./fees";
import { dropTimeoutOf, RECEIPT_TIMEOUT_MS, sendSigned, type SendRequest } from "./send";
import { fromMinorUnits } from "./validate";

/**
 * What every SDK action receives first (viem style: `action(context, params)`): a public client
 * for reads, an optional wallet client for writes, and the deployment that names the contracts.
 */
export interface ClearhouseContext {
  publicClient: PublicClient<Transport, Chain | undefined>;
  walletClient?: WalletClient<Transport, Chain | undefined, Account>;
  deployment: Deployment;
  /** Shown in network errors. */
  rpcUrl?: string;
  /** How writes and log queries behave on this network (defaults suit a Besu QBFT node). */
  settings?: ClearhouseSettings;
  /**
   * The member account the signing key acts for (decision 045): every write to another contract
   * is sent as `execute(target, data)` on this account, so the member (not the key) is
   * `msg.sender`; `accountAddress` is the account. Writes to the account itself (key changes) go
   * to it directly.
   */
  memberAccount?: Address;
}

/** Per-client settings for real nodes (`createClearhouse` parameters of the same names). */
export interface ClearhouseSettings {
  /**
   * Zero gas fees on every write: true always, false never, undefined (default) when the chain's
   * latest block has `baseFeePerGas` 0 (or, without a base fee, `eth_gasPrice` is 0). Read once
   * per client.
   */
  freeGas?: boolean;
  /** Blocks to wait after the one a write is mined in (default 0: QBFT blocks are final). */
  confirmations?: number;
  /** Most blocks one `eth_getLogs` may span (default 5,000, Besu's `--rpc-max-logs-range`). */
  maxLogRange?: bigint;
  /**
   * Milliseconds without a receipt after which a write looks whether its transaction was dropped
   * (default: 5 block periods as the chain's last two blocks show, between 2 s and 60 s).
   */
  dropTimeout?: number;
  /** Milliseconds a write waits for its receipt in all (default 180,000). */
  receiptTimeout?: number;
}

/** What a successful write returns. */
export interface WriteResult {
  hash: Hash;
  blockNumber: bigint;
  gasUsed: bigint;
}

/** Amounts in error messages in the deployment's currency: "600,000.00 chEUR". */
export function amountFormat(ctx: ClearhouseContext): AmountFormat {
  const { decimals, symbol } = ctx.deployment.token;
  return { amount: (value) => `${fromMinorUnits(value, decimals)} ${symbol}` };
}

const verifiedNetworks = new WeakMap<ClearhouseContext, Promise<void>>();

/** Check once per context that the RPC serves the deployment's chain. */
export function ensureNetwork(ctx: ClearhouseContext): Promise<void> {
  let pending = verifiedNetworks.get(ctx);
  if (!pending) {
    pending = ctx.publicClient.getChainId().then(
      (actual) => {
        if (actual !== ctx.deployment.chainId) throw new WrongNetworkError(ctx.deployment.chainId, actual);
      },
      (error: unknown) => {
        throw toClearhouseError(error, "eth_chainId", ctx.rpcUrl);
      },
    );
    pending.catch(() => verifiedNetworks.delete(ctx));
    verifiedNetworks.set(ctx, pending);
  }
  return pending;
}

const checkedAccounts = new WeakMap<ClearhouseContext, Promise<void>>();

/**
 * Check once per context that `memberAccount` holds a contract (a mistyped address would send
 * `execute` to nobody): InvalidArgumentError naming the option otherwise.
 */
function ensureMemberAccount(ctx: ClearhouseContext): Promise<void> {
  const account = ctx.memberAccount;
  if (!account) return Promise.resolve();
  let pending = checkedAccounts.get(ctx);
  if (!pending) {
    pending = rpc(ctx, "eth_getCode", () => ctx.publicClient.getCode({ address: account })).then((code) => {
      if (!code || code === "0x")
        throw new InvalidArgumentError(
          "memberAccount",
          `${account} holds no contract, so it is no member account`,
          "Pass the member account's address (`clearhouse keys whose <your key>` finds it), or leave it out for a member that is its own key.",
        );
    });
    pending.catch(() => checkedAccounts.delete(ctx));
    checkedAccounts.set(ctx, pending);
  }
  return pending;
}

const writeFees = new WeakMap<ClearhouseContext, Promise<FeeOverrides>>();

/** The fees every write of this context names (free gas detected once per context, then cached). */
export function feesOf(ctx: ClearhouseContext): Promise<FeeOverrides> {
  let pending = writeFees.get(ctx);
  if (!pending) {
    pending = feeOverrides(ctx.publicClient, ctx.settings?.freeGas).catch((error: unknown) => {
      throw toClearhouseError(error, "eth_getBlockByNumber", ctx.rpcUrl);
    });
    pending.catch(() => writeFees.delete(ctx));
    writeFees.set(ctx, pending);
  }
  return pending;
}

const dropTimeouts = new WeakMap<ClearhouseContext, Promise<number>>();

/** The drop timeout of this context's writes: the setting, or measured once from the chain. */
function dropTimeoutFor(ctx: ClearhouseContext): Promise<number> {
  if (ctx.settings?.dropTimeout !== undefined) return Promise.resolve(ctx.settings.dropTimeout);
  let pending = dropTimeouts.get(ctx);
  if (!pending) {
    pending = dropTimeoutOf(ctx.publicClient).catch((error: unknown) => {
      throw toClearhouseError(error, "eth_getBlockByNumber", ctx.rpcUrl);
    });
    pending.catch(() => dropTimeouts.delete(ctx));
    dropTimeouts.set(ctx, pending);
  }
  return pending;
}

type ReadFn<abi extends Abi> = ContractFunctionName<abi, "view" | "pure">;
type WriteFn<abi extends Abi> = ContractFunctionName<abi, "nonpayable" | "payable">;

/** A typed view call whose failures come back as Clearhouse errors. */
export async function readContract<
  const abi extends Abi,
  fn extends ReadFn<abi>,
  args extends ContractFunctionArgs<abi, "view" | "pure", fn>,
>(
  ctx: ClearhouseContext,
  call: { address: Address; abi: abi; functionName: fn; args: args },
): Promise<ContractFunctionReturnType<abi, "view" | "pure", fn, args>> {
  await ensureNetwork(ctx);
  try {
    const read = ctx.publicClient.readContract as (p: unknown) => Promise<unknown>;
    return (await read(call)) as ContractFunctionReturnType<abi, "view" | "pure", fn, args>;
  } catch (error) {
    throw toClearhouseError(error, call.functionName, ctx.rpcUrl, amountFormat(ctx));
  }
}

/**
 * A typed state-changing call: checks the network, simulates first (so a refusal is decoded into
 * its custom error before anything is sent), sends with the chain's fees (zero on a free-gas
 * network, see `feesOf`), waits for the receipt (and `confirmations` more blocks) and checks its
 * status. Every write the SDK sends goes through here.
 */
export async function writeContract<
  const abi extends Abi,
  fn extends WriteFn<abi>,
  args extends ContractFunctionArgs<abi, "nonpayable" | "payable", fn>,
>(ctx: ClearhouseContext, call: { address: Address; abi: abi; functionName: fn; args: args }): Promise<WriteResult> {
  const wallet = ctx.walletClient;
  if (!wallet) throw new MissingAccountError(call.functionName);
  await ensureNetwork(ctx);
  await ensureMemberAccount(ctx);
  const fees = await feesOf(ctx);
  let request: object;
  try {
    const simulate = ctx.publicClient.simulateContract as (p: unknown) => Promise<{ request: object }>;
    ({ request } = await simulate({ ...throughAccount(ctx, call), account: wallet.account, chain: wallet.chain }));
  } catch (error) {
    throw toClearhouseError(error, call.functionName, ctx.rpcUrl, amountFormat(ctx));
  }
  const confirmations = ctx.settings?.confirmations ?? 0;
  const receipt =
    wallet.account.type === "local"
      ? await sendWithLocalKey(ctx, wallet, { ...request, ...fees } as unknown as SendRequest, call.functionName)
      : await sendFromNode(ctx, wallet, { ...request, ...fees }, call.functionName, confirmations);
  if (receipt.status !== "success") throw new TransactionFailedError(receipt.transactionHash, call.functionName);
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
}

type Wallet = NonNullable<ClearhouseContext["walletClient"]>;

/** A local key: signed here, failover-safe, dropped transactions detected (./send.ts). */
async function sendWithLocalKey(ctx: ClearhouseContext, wallet: Wallet, request: SendRequest, action: string) {
  const dropTimeout = await dropTimeoutFor(ctx);
  try {
    return await sendSigned(
      {
        publicClient: ctx.publicClient,
        walletClient: wallet,
        deployment: ctx.deployment,
        confirmations: ctx.settings?.confirmations ?? 0,
        dropTimeout,
        receiptTimeout: ctx.settings?.receiptTimeout ?? RECEIPT_TIMEOUT_MS,
      },
      request,
      action,
    );
  } catch (error) {
    if (error instanceof ClearhouseError) throw error;
    throw toClearhouseError(error, action, ctx.rpcUrl, amountFormat(ctx));
  }
}

/** An account the node signs for (`eth_sendTransaction`, a development chain). */
async function sendFromNode(
  ctx: ClearhouseContext,
  wallet: Wallet,
  request: object,
  action: string,
  confirmations: number,
) {
  let hash: Hash;
  try {
    const send = wallet.writeContract as (p: unknown) => Promise<Hash>;
    hash = await send(request);
  } catch (error) {
    throw toClearhouseError(error, action, ctx.rpcUrl, amountFormat(ctx));
  }
  try {
    return await ctx.publicClient.waitForTransactionReceipt({
      hash,
      confirmations: 1 + confirmations,
      checkReplacement: false, // never report another transaction's receipt as this write's
      timeout: ctx.settings?.receiptTimeout ?? RECEIPT_TIMEOUT_MS,
    });
  } catch (error) {
    throw new TransactionPendingError(hash, action, error);
  }
}

/**
 * Simulate a state-changing call as the signing account and return what it would return, decoding
 * a refusal into its custom error. Nothing is sent.
 */
export async function simulateContract<
  const abi extends Abi,
  fn extends WriteFn<abi>,
  args extends ContractFunctionArgs<abi, "nonpayable" | "payable", fn>,
>(
  ctx: ClearhouseContext,
  call: { address: Address; abi: abi; functionName: fn; args: args },
): Promise<ContractFunctionReturnType<abi, "nonpayable" | "payable", fn, args>> {
  const wallet = ctx.walletClient;
  if (!wallet) throw new MissingAccountError(call.functionName);
  await ensureNetwork(ctx);
  await ensureMemberAccount(ctx);
  try {
    const simulate = ctx.publicClient.simulateContract as (p: unknown) => Promise<{ result: unknown }>;
    const routed = throughAccount(ctx, call);
    const { result } = await simulate({ ...routed, account: wallet.account, chain: wallet.chain });
    if (routed === call) return result as ContractFunctionReturnType<abi, "nonpayable" | "payable", fn, args>;
    const decode = decodeFunctionResult as (p: unknown) => unknown;
    return decode({
      abi: call.abi,
      functionName: call.functionName,
      args: call.args,
      data: result,
    }) as ContractFunctionReturnType<abi, "nonpayable" | "payable", fn, args>;
  } catch (error) {
    throw toClearhouseError(error, call.functionName, ctx.rpcUrl, amountFormat(ctx));
  }
}

/** A raw RPC read (block, logs, receipt) whose failure comes back as a Clearhouse error. */
export async function rpc<T>(ctx: ClearhouseContext, what: string, read: () => Promise<T>): Promise<T> {
  await ensureNetwork(ctx);
  try {
    return await read();
  } catch (error) {
    throw toClearhouseError(error, what, ctx.rpcUrl, amountFormat(ctx));
  }
}

/**
 * The address the contracts see as the caller: the member account when the context acts through
 * one, else the signing key's address; MissingAccountError without a signer.
 */
export function accountAddress(ctx: ClearhouseContext, action: string): Address {
  if (!ctx.walletClient) throw new MissingAccountError(action);
  return ctx.memberAccount ?? ctx.walletClient.account.address;
}

/** The signing key's own address (what signs), or MissingAccountError. */
export function keyAddress(ctx: ClearhouseContext, action: string): Address {
  if (!ctx.walletClient) throw new MissingAccountError(action);
  return ctx.walletClient.account.address;
}

type Call = { address: Address; abi: Abi; functionName: string; args?: unknown };

/**
 * `call` as the context's member account sends it (`execute(target, data)` on the account), or
 * `call` itself without a member account or when it is addressed to the account.
 */
export function throughAccount(ctx: ClearhouseContext, call: Call): Call {
  const account = ctx.memberAccount;
  if (!account || isAddressEqual(account, call.address)) return call;
  const encode = encodeFunctionData as (p: unknown) => Hex;
  const data = encode({ abi: call.abi, functionName: call.functionName, args: call.args });
  return { address: account, abi: memberAccountAbi, functionName: "execute", args: [call.address, data] };
}

/** The EIP-712 type a member account's key signs (MemberAccount.accountDigest). */
export const ACCOUNT_SIGNATURE_TYPES = { AccountSignature: [{ name: "hash", type: "bytes32" }] } as const;

/**
 * The signature a verifier's ERC-1271 call on the context's member account accepts for `hash`:
 * the key's address followed by its EIP-712 signature of `AccountSignature(hash)` in the
 * account's domain ({ name "Clearhouse MemberAccount", version "1", chainId, verifyingContract:
 * the account }). Without a member account: the key's own signature of the typed data `sign` gives.
 */
export async function accountSignature(ctx: ClearhouseContext, hash: Hex, action: string): Promise<Hex> {
  const wallet = ctx.walletClient;
  if (!wallet) throw new MissingAccountError(action);
  const account = ctx.memberAccount;
  if (!account) throw new InvalidArgumentError("memberAccount", `is needed to sign ${action} for a member account`);
  const chainId = wallet.chain?.id ?? (await ctx.publicClient.getChainId());
  const signature = await wallet.signTypedData({
    account: wallet.account,
    domain: { name: "Clearhouse MemberAccount", version: "1", chainId, verifyingContract: account },
    types: ACCOUNT_SIGNATURE_TYPES,
    primaryType: "AccountSignature",
    message: { hash },
  });
  return concat([wallet.account.address, signature]);
}
