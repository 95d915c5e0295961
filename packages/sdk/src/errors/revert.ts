import {
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  TimeoutError,
  WebSocketRequestError,
  decodeErrorResult,
  type Hex,
} from "viem";
import { clearhouseErrorsAbi } from "@clearhouse/contracts";
import { ClearhouseError, NetworkError } from "./base";
import {
  minorUnits,
  revertCatalog,
  type AmountFormat,
  type RevertArgs,
  type RevertExplanation,
  type RevertName,
} from "./catalog";

/** A decoded revert: the custom error's name and its typed arguments. */
export type DecodedRevert = { [N in RevertName]: { errorName: N; args: RevertArgs<N> } }[RevertName];

/**
 * A contract refused the call with one of its custom errors. `errorName` and `args` are typed,
 * so callers can branch: `if (e instanceof ContractRevertError && e.revert.errorName === "RegistryNotMember")`.
 * Its message reads like `RegistryMemberSuspended: 0xAbCd…1234 is suspended since block 41`.
 */
export class ContractRevertError extends ClearhouseError {
  override name = "ContractRevertError";
  readonly revert: DecodedRevert;
  constructor(
    revert: DecodedRevert,
    readonly functionName: string,
    cause?: unknown,
    format: AmountFormat = minorUnits,
  ) {
    const explain = revertCatalog[revert.errorName] as (args: unknown, f: AmountFormat) => RevertExplanation;
    const { message, hint, category } = explain(revert.args, format);
    super(`${revert.errorName}: ${message}`, {
      category: category ?? "refused",
      hint,
      metaMessages: [`while calling ${functionName}`],
      cause,
    });
    this.revert = revert;
  }
  /** Shorthand for `revert.errorName`. */
  get errorName(): RevertName {
    return this.revert.errorName;
  }
}

/** The call reverted with data that matches no Clearhouse error (or with none at all). */
export class UnknownRevertError extends ClearhouseError {
  override name = "UnknownRevertError";
  constructor(
    readonly functionName: string,
    readonly data: Hex | undefined,
    cause?: unknown,
  ) {
    super(`${functionName} reverted${data ? ` with unrecognised data ${data.slice(0, 10)}` : " without a reason"}.`, {
      category: "refused",
      hint: "The target may not be a Clearhouse contract of this version; check the deployment file.",
      cause,
    });
  }
}

/**
 * Decode raw revert data into a Clearhouse custom error, or undefined if it matches none (viem also
 * decodes Solidity's built-in `Error(string)` and `Panic(uint256)`; those are not Clearhouse errors
 * and come back undefined so the caller reports them as `UnknownRevertError`).
 */
export function decodeRevertData(data: Hex): DecodedRevert | undefined {
  try {
    const { errorName, args } = decodeErrorResult({ abi: clearhouseErrorsAbi, data });
    if (!Object.hasOwn(revertCatalog, errorName)) return undefined;
    return { errorName, args: args ?? [] } as DecodedRevert;
  } catch {
    return undefined;
  }
}

function findRevertData(error: ViemBaseError): Hex | undefined {
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.raw) return reverted.raw;
  const withData = error.walk((e) => typeof (e as { data?: unknown }).data === "string") as { data?: Hex } | null;
  return withData?.data;
}

/**
 * Turn anything viem (or the transport) throws into a Clearhouse error: custom errors become
 * `ContractRevertError`, transport failures `NetworkError`. Clearhouse errors pass through.
 */
export function toClearhouseError(
  error: unknown,
  functionName: string,
  rpcUrl?: string,
  format?: AmountFormat,
): ClearhouseError {
  if (error instanceof ClearhouseError) return error;
  if (error instanceof ViemBaseError) {
    const transport = error.walk(
      (e) => e instanceof HttpRequestError || e instanceof WebSocketRequestError || e instanceof TimeoutError,
    );
    if (transport) return new NetworkError(rpcUrl, transport);
    const data = findRevertData(error);
    if (data) {
      const decoded = decodeRevertData(data);
      return decoded
        ? new ContractRevertError(decoded, functionName, error, format)
        : new UnknownRevertError(functionName, data, error);
    }
    if (error.walk((e) => e instanceof ContractFunctionRevertedError)) {
      return new UnknownRevertError(functionName, undefined, error);
    }
    return new ClearhouseError(`${functionName} failed: ${error.shortMessage}`, { cause: error });
  }
  if (error instanceof Error && /ECONNREFUSED|fetch failed|ENOTFOUND/.test(error.message)) {
    return new NetworkError(rpcUrl, error);
  }
  return new ClearhouseError(`${functionName} failed: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}
