import { ClearhouseError, type ErrorCategory } from "@clearhouse/sdk/errors";

/** The delivery store cannot be opened or used (a bad path, a newer schema, a database gone away). */
export class DeliveryStoreError extends ClearhouseError {
  override name = "DeliveryStoreError";
  /** `category`: "internal" (500), or "network" (503) for a database that cannot be reached now. */
  constructor(shortMessage: string, hint: string, cause?: unknown, category: ErrorCategory = "internal") {
    super(shortMessage, {
      category,
      hint,
      details: cause instanceof Error ? cause.message.split("\n")[0] : cause === undefined ? undefined : String(cause),
      cause,
    });
  }
}
