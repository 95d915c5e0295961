import { ClearhouseError } from "@clearhouse/sdk/errors";

/** The delivery store cannot be opened or used (a bad path, a newer schema, a database gone away). */
export class DeliveryStoreError extends ClearhouseError {
  override name = "DeliveryStoreError";
  constructor(shortMessage: string, hint: string, cause?: unknown) {
    super(shortMessage, {
      category: "internal",
      hint,
      details: cause instanceof Error ? cause.message.split("\n")[0] : cause === undefined ? undefined : String(cause),
      cause,
    });
  }
}
