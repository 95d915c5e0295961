/**
 * Review of fe8051d: what TransactionDroppedError tells the user when the registry's reason could not
 * be read (send.ts passes `reason` undefined then, and the details say "could not be read").
 */
import { expect } from "chai";
import { TransactionDroppedError } from "../../packages/sdk/src/errors/base";

const HASH = `0x${"ab".repeat(32)}`;

describe("review: TransactionDroppedError without the registry's reason", () => {
  it("does not claim the registry allows the transaction when its check could not be read", () => {
    const error = new TransactionDroppedError(HASH, "transfer", undefined);
    expect(error.details).to.equal("registry check: could not be read");
    expect(error.hint, "the hint contradicts the details").to.not.match(/The registry allows it/);
  });

  it("says the registry allows it when its check answered Allowed", () => {
    const error = new TransactionDroppedError(HASH, "transfer", { code: 0, name: "Allowed", description: "allowed" });
    expect(error.hint).to.match(/The registry allows it/);
  });
});
