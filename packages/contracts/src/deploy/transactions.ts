/**
 * Sending the deployment's transactions with viem: each one is sent, then its receipt awaited, so
 * they run in order from one account; a failure says which step failed and why.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";

/**
 * The clients a deployment runs with: a wallet client with the deployer's account, and a public
 * client; `fees`, when given, are named on every transaction (zero on a free-gas network, where a
 * node's suggested tip would otherwise exceed the zero fee cap: see `feeOverrides` in the SDK).
 */
export interface DeployClients {
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  publicClient: PublicClient<Transport, Chain | undefined>;
  fees?: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint } | Record<string, never>;
  /** Blocks to wait for after the one each transaction is mined in (default 0). */
  confirmations?: number;
}

/** A deployment step failed: `step` says which ("deploying SettlementLedger"), `reason` why. */
export class DeployStepError extends Error {
  override name = "DeployStepError";
  constructor(
    readonly step: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${step}: ${reason}`, options);
  }
}

/** The most telling one-line reason of a viem (or other) error: a decoded revert, the node's message. */
export function reasonOf(error: unknown): string {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError)
      return revert.data?.errorName ? `reverted with ${revert.data.errorName}` : revert.shortMessage;
    const details = error.details?.trim();
    return details ? details.split("\n")[0] : error.shortMessage;
  }
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

/** Run `action` as `step`, turning any failure into a DeployStepError. */
export async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (e) {
    if (e instanceof DeployStepError) throw e;
    throw new DeployStepError(name, reasonOf(e), { cause: e });
  }
}

async function mined(c: DeployClients, hash: Hex, what: string): Promise<TransactionReceipt> {
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash, confirmations: 1 + (c.confirmations ?? 0) });
  if (receipt.status !== "success") throw new DeployStepError(what, `transaction ${hash} was mined but failed`);
  return receipt;
}

/** Deploy `bytecode` with constructor `args`; the new contract's address and the receipt's block. */
export async function deploy(
  c: DeployClients,
  what: string,
  artifact: { abi: Abi; bytecode: Hex },
  args: readonly unknown[],
): Promise<{ address: Address; blockNumber: number }> {
  return step(what, async () => {
    const hash = await c.walletClient.deployContract({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args,
      account: c.walletClient.account,
      chain: c.walletClient.chain ?? null,
      ...c.fees,
    } as Parameters<typeof c.walletClient.deployContract>[0]);
    const receipt = await mined(c, hash, what);
    if (!receipt.contractAddress) throw new DeployStepError(what, `transaction ${hash} created no contract`);
    return { address: getAddress(receipt.contractAddress), blockNumber: Number(receipt.blockNumber) };
  });
}

/** Call `functionName` on `address` (simulated first, so a revert is decoded before anything is sent). */
export async function write(
  c: DeployClients,
  what: string,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
): Promise<void> {
  await step(what, async () => {
    const { request } = await c.publicClient.simulateContract({
      ...call,
      account: c.walletClient.account,
    } as Parameters<typeof c.publicClient.simulateContract>[0]);
    const hash = await c.walletClient.writeContract({
      ...(request as Parameters<typeof c.walletClient.writeContract>[0]),
      chain: c.walletClient.chain ?? null,
      ...c.fees,
    } as Parameters<typeof c.walletClient.writeContract>[0]);
    await mined(c, hash, what);
  });
}

/** A view call. */
export async function read<T>(
  c: DeployClients,
  what: string,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
): Promise<T> {
  return step(what, async () => (await c.publicClient.readContract(call as never)) as T);
}
