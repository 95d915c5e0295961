import {
  ClearhouseError,
  DeploymentError,
  InvalidArgumentError,
  MissingAccountError,
  NetworkError,
  TransactionFailedError,
  TransactionPendingError,
  WrongNetworkError,
} from "@clearhouse/sdk/errors";
import { ContractRevertError, UnknownRevertError } from "@clearhouse/sdk/errors";
import { GovernanceFileError } from "@clearhouse/sdk/governance";
import { BatchFileError } from "@clearhouse/sdk/settlement";
import { Iso20022Error } from "@clearhouse/sdk/settlement";
import { ZkArtifactsMissingError, ZkWitnessError } from "@clearhouse/zk";

/** Exit codes: scripts can tell bad input from a refusal by the chain from a network failure. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  refusedByChain: 3,
  network: 4,
  /** `audit report` found a discrepancy. */
  auditFailed: 5,
} as const;

/** The exit code for an error. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return error.exitCode;
  if (
    error instanceof InvalidArgumentError ||
    error instanceof DeploymentError ||
    error instanceof GovernanceFileError ||
    error instanceof MissingAccountError ||
    error instanceof Iso20022Error ||
    error instanceof BatchFileError ||
    error instanceof ZkArtifactsMissingError ||
    error instanceof ZkWitnessError ||
    error instanceof UsageError
  ) {
    return ExitCode.badInput;
  }
  if (
    error instanceof ContractRevertError ||
    error instanceof UnknownRevertError ||
    error instanceof TransactionFailedError
  ) {
    return ExitCode.refusedByChain;
  }
  if (error instanceof NetworkError || error instanceof WrongNetworkError || error instanceof TransactionPendingError) {
    return ExitCode.network;
  }
  return ExitCode.unexpected;
}

/** A command line that cannot be acted on (missing option, bad value). */
export class UsageError extends ClearhouseError {
  override name = "UsageError";
  constructor(
    message: string,
    hint = "Run the command with --help for its usage and an example.",
    /** The command already printed its result (e.g. a failed verification): print nothing more. */
    readonly reported = false,
    /** The exit code (bad input unless told). */
    readonly exitCode: number = ExitCode.badInput,
  ) {
    super(message, { hint });
  }
}
