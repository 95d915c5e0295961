import { walkCauses } from "./walk";

/**
 * What kind of failure an error is. A caller decides from it whether to fix the input, give up,
 * or retry, and the CLI's exit code follows from it (`clearhouse` exits 2, 3, 4 or 1):
 *
 * - `"input"` — the request was refused before anything was sent: a bad argument or file, no
 *   account, missing artifacts. Fix the input; sending it again as it is fails again.
 * - `"refused"` — a contract refused the call (a decoded revert), or a mined transaction failed, or
 *   the chain's state already holds something the request contradicts (checked before sending).
 *   The chain's state is unchanged by it; the error says which rule refused.
 * - `"network"` — the node cannot be reached, is on another chain, or a sent transaction's receipt
 *   could not be read. The outcome of a write may be unknown: check before sending again.
 * - `"internal"` — anything unexpected (an error the SDK did not recognise, a bug).
 */
export type ErrorCategory = "input" | "refused" | "network" | "internal";

/** Every `ErrorCategory`, in the order above. */
export const ERROR_CATEGORIES: readonly ErrorCategory[] = ["input", "refused", "network", "internal"];

export interface ClearhouseErrorOptions {
  /** What kind of failure this is (default `"internal"`); every subclass sets its own. */
  category?: ErrorCategory;
  hint?: string;
  details?: string;
  metaMessages?: string[];
  /** The error this one wraps (e.g. viem's); `walk` and `findError` follow it. */
  cause?: unknown;
}

/** Where an error lists the names of its classes (a global symbol: the same in every copy of the SDK). */
const ERROR_BRAND = Symbol.for("clearhouse.error.classes");

/** The names of `error`'s classes, from its own up to ClearhouseError. */
function classNames(error: object): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(error) as object | null; p && p !== Error.prototype; p = Object.getPrototypeOf(p))
    names.push((p.constructor as { name: string }).name);
  return names;
}

/**
 * The root of every error the SDK throws. Modelled on viem's BaseError: a one-line `shortMessage`,
 * optional `details` and `metaMessages`, a `cause` chain with viem's `walk`, and — ours — a `hint`
 * that says what to do next and a `category`. `message` is the short message followed by the hint
 * and meta lines.
 */
export class ClearhouseError extends Error {
  /**
   * `instanceof` that also holds across copies of the SDK: an application that loads both its
   * ESM and its CommonJS build (or two installed copies) gets two `ClearhouseError` classes, and a
   * plain prototype check would say an error of one is not an instance of the other. An error
   * carries the names of its classes under a global symbol; a class accepts a value whose chain
   * holds its name.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== "object" || value === null) return false;
    const names = (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND];
    return Array.isArray(names) && names.includes(this.name);
  }

  override name = "ClearhouseError";
  readonly category: ErrorCategory;
  readonly shortMessage: string;
  readonly hint?: string;
  readonly details?: string;
  readonly metaMessages: string[];

  constructor(shortMessage: string, options: ClearhouseErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.hint) lines.push(options.hint);
    if (options.metaMessages?.length) lines.push("", ...options.metaMessages);
    if (options.details) lines.push("", `Details: ${options.details}`);
    super(lines.join("\n"), options.cause === undefined ? undefined : { cause: options.cause });
    this.category = options.category ?? "internal";
    this.shortMessage = shortMessage;
    this.hint = options.hint;
    this.details = options.details;
    this.metaMessages = options.metaMessages ?? [];
    Object.defineProperty(this, ERROR_BRAND, { value: classNames(this), enumerable: false });
  }

  /** The root cause: the last error of the `cause` chain (this error if it wraps none). */
  walk(): Error;
  /**
   * The first error of the `cause` chain, this one included, that `fn` accepts, or null — viem's
   * `BaseError.walk`, so `e.walk((x) => x instanceof ContractFunctionExecutionError)` reaches the
   * viem error a Clearhouse error wraps. `findError(e, Class)` is the typed form.
   */
  walk(fn: (err: unknown) => boolean): Error | null;
  walk(fn?: (err: unknown) => boolean): unknown {
    return walkCauses(this, fn);
  }
}

/**
 * The category of anything thrown: that of the first Clearhouse error in its cause chain,
 * `"internal"` if there is none.
 */
export function categoryOf(error: unknown): ErrorCategory {
  const found = walkCauses(error, (e) => e instanceof ClearhouseError) as ClearhouseError | null;
  return found?.category ?? "internal";
}

/** An argument failed validation before anything was sent. */
export class InvalidArgumentError extends ClearhouseError {
  override name = "InvalidArgumentError";
  constructor(
    readonly argument: string,
    readonly problem: string,
    hint?: string,
  ) {
    super(`Invalid argument \`${argument}\`: ${problem}.`, { category: "input", hint });
  }
}

/** The RPC endpoint could not be reached or answered with a transport error. */
export class NetworkError extends ClearhouseError {
  override name = "NetworkError";
  constructor(
    readonly url: string | undefined,
    cause: unknown,
  ) {
    super(`Cannot reach the chain${url ? ` at ${url}` : ""}.`, {
      category: "network",
      hint: "Check that the node is running and the RPC URL is right (CLEARHOUSE_RPC_URL or --rpc-url).",
      details: cause instanceof Error ? cause.message.split("\n")[0] : String(cause),
      cause,
    });
  }
}

/** The connected chain is not the one the deployment file was written for. */
export class WrongNetworkError extends ClearhouseError {
  override name = "WrongNetworkError";
  constructor(
    readonly expectedChainId: number,
    readonly actualChainId: number,
  ) {
    super(`Connected to chain ${actualChainId}, but the deployment is for chain ${expectedChainId}.`, {
      category: "network",
      hint: "Point the RPC URL at the consortium's chain or load the deployment file of this network.",
    });
  }
}

/** A write was attempted without an account to sign with. */
export class MissingAccountError extends ClearhouseError {
  override name = "MissingAccountError";
  constructor(action: string) {
    super(`\`${action}\` sends a transaction but the client has no account.`, {
      category: "input",
      hint: "Pass `account` (a viem Account or an unlocked address) to createClearhouse.",
    });
  }
}

/** A deployment file is missing, unreadable or malformed. */
export class DeploymentError extends ClearhouseError {
  override name = "DeploymentError";
  constructor(problem: string, hint?: string) {
    super(`Deployment: ${problem}.`, { category: "input", hint });
  }
}

/**
 * The deployment has no such contract (e.g. a consortium deployed without its settlement layer):
 * what `contractOf` throws. A DeploymentError, so it is bad input (CLI exit 2).
 */
export class ContractNotDeployedError extends DeploymentError {
  override name = "ContractNotDeployedError";
  constructor(
    readonly contract: string,
    hint: string,
  ) {
    super(`this deployment has no ${contract}`, hint);
  }
}

/** The transaction was sent but its receipt could not be obtained (timeout, RPC failure). */
export class TransactionPendingError extends ClearhouseError {
  override name = "TransactionPendingError";
  constructor(
    readonly hash: string,
    readonly functionName: string,
    cause: unknown,
  ) {
    super(`Transaction ${hash} (${functionName}) was sent, but its receipt could not be read.`, {
      category: "network",
      hint: "Do not send it again blindly: check the hash on the node; it may still be mined.",
      details: cause instanceof Error ? cause.message.split("\n")[0] : String(cause),
      cause,
    });
  }
}

/** The transaction was mined but failed without decodable revert data (e.g. out of gas). */
export class TransactionFailedError extends ClearhouseError {
  override name = "TransactionFailedError";
  constructor(
    readonly hash: string,
    readonly functionName: string,
  ) {
    super(`Transaction ${hash} (${functionName}) was mined but failed.`, {
      category: "refused",
      hint: "Inspect it with a block explorer or `debug_traceTransaction`; it may have run out of gas.",
    });
  }
}

/** Why the consortium registry refuses a transaction (its `check`): code, name and description. */
export interface DropReason {
  code: number;
  name: string;
  description: string;
}

/**
 * A sent transaction vanished: no receipt within the drop timeout, no node knows its hash, and the
 * sender's nonce has not moved. A Besu node whose permissioning refuses a transaction drops it this
 * way while answering with its hash. The chain's state is unchanged; `reason` is the registry's
 * `check` for the same sender and target (absent when it could not be read).
 */
export class TransactionDroppedError extends ClearhouseError {
  override name = "TransactionDroppedError";
  constructor(
    readonly hash: string,
    readonly functionName: string,
    readonly reason?: DropReason,
  ) {
    super(`Transaction ${hash} (${functionName}) was dropped: no node knows it and the sender's nonce did not move.`, {
      category: "refused",
      hint: !reason
        ? "The registry's reason could not be read: ask it (`clearhouse member check`, `checkTransaction`), check the node's logs and permissions, then send it again."
        : reason.code !== 0
          ? `The consortium registry refuses it: ${reason.name} (${reason.description}). Fix that, then send it again.`
          : "The registry allows it, so a node's own rules or a full pool dropped it: check the node's logs and permissions, then send it again.",
      details: reason ? `registry check: ${reason.code} ${reason.name}` : "registry check: could not be read",
    });
  }
}

/**
 * Two writes in one process signed the same transaction (same key, nonce and call): the account
 * has no nonce manager and they ran at once. The second is not sent (the node would take it as the
 * first); the first goes on.
 */
export class DuplicateWriteError extends ClearhouseError {
  override name = "DuplicateWriteError";
  constructor(
    readonly hash: string,
    readonly functionName: string,
    readonly sender: string,
    readonly nonce: number,
  ) {
    super(
      `Write ${functionName} signed transaction ${hash} (nonce ${nonce} of ${sender}) that another write of this process is sending; it was not sent again.`,
      {
        category: "refused",
        hint: "Writes sent at once from one key need distinct nonces: give the account a nonce manager (viem's createNonceManager; the CLI's keys have one), or send them one after another.",
      },
    );
  }
}

/**
 * A write's nonce went to another transaction of the same key: the node refused this one at once
 * (`how` "refused": "nonce too low", "replacement transaction underpriced"…), or, while this one
 * waited, another transaction with its nonce was mined (`how` "taken"). This transaction will not
 * be mined; the chain's state is unchanged by it.
 */
export class NonceConflictError extends ClearhouseError {
  override name = "NonceConflictError";
  constructor(
    readonly hash: string,
    readonly functionName: string,
    readonly sender: string,
    readonly nonce: number,
    readonly how: "refused" | "taken",
    cause?: unknown,
  ) {
    super(
      how === "refused"
        ? `The node refused ${functionName} (transaction ${hash}): nonce ${nonce} of ${sender} is already used by another transaction.`
        : `Transaction ${hash} (${functionName}) will not be mined: nonce ${nonce} of ${sender} was used by another transaction.`,
      {
        category: "refused",
        hint: "Writes sent at once from one key need distinct nonces: give the account a nonce manager (viem's createNonceManager; the CLI's keys have one) and use the key from one process; then send this one again if it is still wanted.",
        details: cause instanceof Error ? cause.message.split("\n")[0] : undefined,
        cause,
      },
    );
  }
}
