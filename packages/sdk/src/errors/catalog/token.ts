/** Messages of the SettlementToken's errors, its ERC-20, ERC-2612 and signature errors included. */
import type { settlementTokenAbi } from "@clearhouse/contracts";
import { short } from "../format";
import type { CatalogPart, OwnErrorName } from "./types";

/** The token's own errors (limits, issuance ceiling, net settlement, ERC-20/ERC-2612). */
export const tokenErrors: CatalogPart<OwnErrorName<typeof settlementTokenAbi>> = {
  TokenOwnershipCannotBeRenounced: () => ({
    message: "the token's ownership cannot be renounced",
    hint: "Transfer ownership to the new governance instead (transferOwnership + acceptOwnership).",
  }),
  TokenZeroAddress: () => ({ message: "an address argument is zero", hint: "Pass a non-zero address." }),
  TokenZeroAmount: () => ({ message: "the amount is zero", hint: "Issue or redeem a positive amount." }),
  TokenInvalidDecimals: ([decimals]) => ({
    message: `decimals ${decimals} is above 18`,
    hint: "Use the currency's ISO 4217 minor-unit exponent (2 for EUR).",
  }),
  TokenInvalidRegistry: ([registry]) => ({
    message: `${short(registry)} holds no contract`,
    hint: "Deploy the registry first and pass its proxy address.",
  }),
  TokenUnauthorizedPauser: ([caller]) => ({
    message: `${short(caller)} is neither the owner nor the guardian`,
    hint: "Pausing is for the governance multisig or its guardian.",
  }),
  TokenSingleTransferLimitExceeded: ([account, amount, limit], f) => ({
    message: `${f.amount(amount)} exceeds ${short(account)}'s max single transfer of ${f.amount(limit)}`,
    hint: "Split the payment or ask governance to raise the member's limit.",
  }),
  TokenDailyOutflowLimitExceeded: ([account, day, spent, amount, limit], f) => ({
    message:
      `${short(account)} has sent ${f.amount(spent)} on UTC day ${day}; ` +
      `${f.amount(amount)} more would exceed its daily limit of ${f.amount(limit)}`,
    hint: "Wait for the next UTC day or ask governance to raise the daily limit.",
  }),
  TokenBalanceCapExceeded: ([account, balance, value, cap], f) => ({
    message:
      `${short(account)} holds ${f.amount(balance)}; receiving ${f.amount(value)} would exceed its balance cap ` +
      `of ${f.amount(cap)}`,
    hint:
      "Send at most the remaining headroom, or have the wallet's bank move it to a higher tier " +
      "(`clearhouse wallet tier`).",
  }),
  TokenIssuanceCeilingExceeded: ([day, issued, amount, ceiling], f) => ({
    message:
      ceiling === 0n
        ? "no daily issuance ceiling is set, so operators cannot mint"
        : `${f.amount(issued)} was issued on UTC day ${day}; ${f.amount(amount)} more would exceed the ` +
          `daily issuance ceiling of ${f.amount(ceiling)}`,
    hint:
      "Issue at most the remaining headroom (`clearhouse token issuance`), wait for the next UTC day, or ask " +
      "governance for a proposal (setIssuanceCeiling to raise the ceiling, mintBeyondCeiling for a one-off issue).",
  }),
  SafeCastOverflowedUintDowncast: ([bits, value]) => ({
    message: `${value} does not fit in ${bits} bits (a UTC day's issuance above 2^192 - 1 minor units)`,
    hint: "Issue a smaller amount; split a governance issuance over several days.",
  }),
  TokenInvalidIssuanceCeiling: ([ceiling, max]) => ({
    message: `an issuance ceiling of ${ceiling} minor units is above the maximum ${max}`,
    hint: "Use a ceiling of at most 2^128 - 1 minor units per UTC day.",
  }),
  TokenNotClearingEngine: ([caller]) => ({
    message: `${short(caller)} is not the clearing engine; only it settles net positions`,
    hint: "Net settlement happens when the operator closes a cycle on the NettingEngine.",
  }),
  TokenSettlementLengthMismatch: ([accounts, deltas]) => ({
    message: `net settlement got ${accounts} accounts but ${deltas} deltas`,
    hint: "This is a fault in the clearing engine; report it to the operator.",
  }),
  TokenSettlementUnbalanced: ([sum]) => ({
    message: `net positions sum to ${sum}, not zero: money would be created or lost`,
    hint: "This is a fault in the clearing engine; report it to the operator.",
  }),
  ERC20InsufficientBalance: ([sender, balance, needed], f) => ({
    message: `${short(sender)} holds ${f.amount(balance)}, needs ${f.amount(needed)}`,
    hint: "Fund the account first.",
  }),
  ERC20InsufficientAllowance: ([spender, allowance, needed], f) => ({
    message: `allowance of ${short(spender)} is ${f.amount(allowance)}, needs ${f.amount(needed)}`,
    hint: "Have the holder approve (or sign a permit for) the spender first.",
  }),
  ERC20InvalidApprover: ([a]) => ({ message: `${short(a)} cannot approve`, hint: "Use a non-zero owner." }),
  ERC20InvalidReceiver: ([a]) => ({ message: `${short(a)} cannot receive tokens`, hint: "Use a member address." }),
  ERC20InvalidSender: ([a]) => ({ message: `${short(a)} cannot send tokens`, hint: "Use a member address." }),
  ERC20InvalidSpender: ([a]) => ({ message: `${short(a)} cannot be a spender`, hint: "Use a non-zero spender." }),
  ERC2612ExpiredSignature: ([deadline]) => ({
    message: `the permit expired at ${new Date(Number(deadline) * 1000).toISOString()}`,
    hint: "Sign a new permit with a later deadline.",
  }),
  ERC2612InvalidSigner: ([signer, owner]) => ({
    message: `the permit was signed by ${short(signer)}, not by the owner ${short(owner)}`,
    hint: "The token holder must sign the permit (check chain id, token address and nonce).",
  }),
  InvalidAccountNonce: ([account, nonce]) => ({
    message: `nonce mismatch for ${short(account)}; current nonce is ${nonce}`,
    hint: "Sign again with the current nonce.",
  }),
  ECDSAInvalidSignature: () => ({ message: "the signature is invalid", hint: "Sign again." }),
  ECDSAInvalidSignatureLength: ([length]) => ({
    message: `the signature is ${length} bytes, expected 65`,
    hint: "Pass the full r, s, v signature.",
  }),
  ECDSAInvalidSignatureS: ([s]) => ({
    message: `the signature's s value ${short(s)} is malleable`,
    hint: "Sign with a standard library (low-s).",
  }),
};
