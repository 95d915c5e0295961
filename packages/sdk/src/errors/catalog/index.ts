/**
 * The revert catalogue: a readable message and a next step for every custom error of every
 * Clearhouse contract. Each contract's errors are described in its own module (registry.ts,
 * token.ts, multisig.ts, ledger.ts, netting.ts, verifierRegistry.ts, escrow.ts, offline.ts, accounts.ts,
 * crypto.ts; errors several
 * contracts declare in shared.ts); this module only assembles them. The parts import types.ts,
 * never this module.
 */
import { decodeErrorResult, type Hex } from "viem";
import { clearhouseErrorsAbi } from "@clearhouse/contracts";
import { accountErrors } from "./accounts";
import { cryptoErrors } from "./crypto";
import { escrowErrors } from "./escrow";
import { ledgerErrors } from "./ledger";
import { multisigErrors } from "./multisig";
import { nettingErrors } from "./netting";
import { offlineErrors } from "./offline";
import { registryErrors } from "./registry";
import { sharedErrors } from "./shared";
import { tokenErrors } from "./token";
import type { AmountFormat, RevertCatalog, RevertExplanation } from "./types";
import { verifierRegistryErrors } from "./verifierRegistry";

export {
  minorUnits,
  type AmountFormat,
  type CatalogPart,
  type Explain,
  type RevertArgs,
  type RevertCatalog,
  type RevertExplanation,
  type RevertName,
} from "./types";

/**
 * A readable message and a next step for every custom error. The type is a record over every
 * error name of `clearhouseErrorsAbi`, so a new error in a contract fails the build until its
 * contract's part describes it.
 */
export const revertCatalog: RevertCatalog = {
  ...sharedErrors,
  ...registryErrors,
  ...tokenErrors,
  ...multisigErrors(explainRevertData),
  ...ledgerErrors,
  ...nettingErrors,
  ...verifierRegistryErrors,
  ...escrowErrors,
  ...offlineErrors,
  ...accountErrors,
  ...cryptoErrors,
};

/** The revert data of a call a multisig proposal made, explained with this same catalogue. */
function explainRevertData(data: Hex, f: AmountFormat): string {
  if (data === "0x") return "it reverted without a reason";
  try {
    const { errorName, args } = decodeErrorResult({ abi: clearhouseErrorsAbi, data });
    if (!Object.hasOwn(revertCatalog, errorName)) return `it reverted with ${errorName}(${(args ?? []).join(", ")})`;
    const explain = revertCatalog[errorName] as (a: unknown, f: AmountFormat) => RevertExplanation;
    return `${errorName}: ${explain(args ?? [], f).message}`;
  } catch {
    return `it reverted with unrecognised data ${data.slice(0, 10)}`;
  }
}
