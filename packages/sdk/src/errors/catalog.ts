import { decodeErrorResult, type ContractErrorArgs, type ContractErrorName, type Hex } from "viem";
import { clearhouseErrorsAbi } from "@clearhouse/contracts";
import { rolesToNames, statusName } from "../registry/roles";
import { grouped, short, isoSeconds } from "./format";
import { settlementCatalog } from "./catalogSettlement";
import { zkCatalog } from "./catalogZk";
import { paymentsCatalog } from "./catalogPayments";

type ErrorsAbi = typeof clearhouseErrorsAbi;
/** Name of every custom error a Clearhouse contract can revert with. */
export type RevertName = ContractErrorName<ErrorsAbi>;
/** Decoded arguments of the custom error `N`. */
export type RevertArgs<N extends RevertName> = ContractErrorArgs<ErrorsAbi, N>;

export interface RevertExplanation {
  /** What went wrong, with the values that explain it. */
  message: string;
  /** What to do about it. */
  hint: string;
}

/** How amounts are shown: with the token's decimals and symbol when the caller knows them. */
export interface AmountFormat {
  amount(value: bigint): string;
}

/** Minor units, grouped: "60,000,000 minor units". */
export const minorUnits: AmountFormat = { amount: (v) => `${grouped(v)} minor units` };

type Catalog = { [N in RevertName]: (args: RevertArgs<N>, f: AmountFormat) => RevertExplanation };

const when = isoSeconds;

/** The inner revert of a call the multisig executed, explained with this same catalog. */
function innerReason(data: Hex, f: AmountFormat): string {
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

const roleList = (role: number): string => rolesToNames(role).join("+") || `role ${role}`;
const ASK_GOVERNANCE = "Ask the consortium's governance (the registry owner) to act.";

/**
 * A readable message and a next step for every custom error. The type makes this exhaustive:
 * a new error in a contract fails the build until it is described here.
 */
export const revertCatalog: Catalog = {
  ...settlementCatalog,
  ...zkCatalog,
  ...paymentsCatalog,
  // ------------------------------------------------------------- registry
  RegistryZeroAddress: () => ({ message: "an address argument is zero", hint: "Pass a non-zero address." }),
  RegistryInvalidRoles: ([roles]) => ({
    message: `roles bitmask ${roles} is empty or has bits outside the five roles`,
    hint: "Use a combination of OPERATOR(1), MEMBER_BANK(2), CORPORATE(4), AUDITOR(8), REGULATOR(16).",
  }),
  RegistryInvalidName: ([length]) => ({
    message: `display name is ${length} bytes; it must be 1 to 64`,
    hint: "Shorten or supply the member's display name.",
  }),
  RegistryInvalidLeiHash: () => ({
    message: "the legal-entity identifier hash is zero",
    hint: "Pass keccak256 of the member's ISO 17442 LEI (the SDK's `leiHash(lei)`).",
  }),
  RegistryInvalidLimits: ([single, daily], f) => ({
    message: `max single transfer ${f.amount(single)} exceeds max daily outflow ${f.amount(daily)}`,
    hint: "Make the single-transfer limit at most the daily limit.",
  }),
  RegistryMemberExists: ([account, status]) => ({
    message: `${short(account)} is already a member (${statusName(status)})`,
    hint: "Use setRoles/setLimits to change it, or reinstate it if suspended.",
  }),
  RegistryNotMember: ([account]) => ({
    message: `${short(account)} is not a member of the consortium`,
    hint: "Check the address, or have it admitted first.",
  }),
  RegistryMemberSuspended: ([account, since]) => ({
    message: `${short(account)} is suspended since block ${since}`,
    hint: `${ASK_GOVERNANCE} A suspended member can act again once reinstated.`,
  }),
  RegistryMemberRemoved: ([account, since]) => ({
    message: `${short(account)} was removed from the consortium at block ${since}`,
    hint: "A removed member must be admitted again before it can act.",
  }),
  RegistryMemberNotSuspended: ([account, status]) => ({
    message: `${short(account)} is ${statusName(status)}, not suspended`,
    hint: "Only a suspended member can be reinstated.",
  }),
  RegistryMissingRole: ([account, role]) => ({
    message: `${short(account)} lacks the ${roleList(role)} role`,
    hint: `Use an account holding ${roleList(role)}, or ${ASK_GOVERNANCE.toLowerCase()}`,
  }),
  RegistryAccountSanctioned: ([account, code]) => ({
    message: `${short(account)} is on the sanctions list (reason code ${code})`,
    hint: "No member may transact with a sanctioned address; contact compliance.",
  }),
  RegistryNotSanctioned: ([account]) => ({
    message: `${short(account)} is not on the sanctions list`,
    hint: "Nothing to remove.",
  }),
  RegistryInvalidReasonCode: () => ({
    message: "sanction reason code 0 is reserved",
    hint: "Use a reason code from 1 upwards.",
  }),
  RegistryInvalidEnodeId: ([enodeId]) => ({
    message: `enode id "${short(enodeId)}" is not 128 hexadecimal characters`,
    hint: "Pass the node's public key as Besu prints it, without 0x or the enode:// prefix.",
  }),
  RegistryInvalidNodeAddress: ([ip, port]) => ({
    message: `node address "${ip}:${port}" is invalid (host 1–64 bytes, port non-zero)`,
    hint: "Pass the node's IP or host and its P2P port.",
  }),
  RegistryNodeExists: ([key]) => ({
    message: `node ${short(key)} is already on the allowlist`,
    hint: "Nothing to do.",
  }),
  RegistryUnknownNode: ([key]) => ({
    message: `node ${short(key)} is not on the allowlist`,
    hint: "Check the enode id, host and port.",
  }),
  RegistryCannotSanctionGovernance: ([account]) => ({
    message:
      `${short(account)} is governance (the registry's owner or pending owner); sanctioning it would ` +
      "drop every transaction to it, the one lifting the sanction included",
    hint: "To bar a governance signer, remove it from the multisig (`gov` removeSigner proposal) instead.",
  }),
  RegistryOwnershipCannotBeRenounced: () => ({
    message: "the registry's ownership cannot be renounced",
    hint: "Transfer ownership to the new governance instead (transferOwnership + acceptOwnership).",
  }),
  // ------------------------------------------------------------- token
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
  // ------------------------------------------------------------- governance
  MultisigOnlySelf: ([caller]) => ({
    message: `${short(caller)} called a governance function directly`,
    hint: "Signer, delay and guardian changes are proposals the multisig executes on itself.",
  }),
  MultisigNotSigner: ([account]) => ({
    message: `${short(account)} is not a current signer`,
    hint: "Check the key, or whether this signer was rotated out (`gov status` lists the signers).",
  }),
  MultisigNotGuardian: ([caller]) => ({
    message: `${short(caller)} is not the guardian`,
    hint: "Only the guardian set by governance may pause everything at once.",
  }),
  MultisigInvalidSigner: ([signer]) => ({
    message: `${short(signer)} cannot be added as a signer (zero, the multisig itself, or already a signer)`,
    hint: "Use a new, non-zero address.",
  }),
  MultisigInvalidThreshold: ([threshold, count]) => ({
    message: `threshold ${threshold} is not between 1 and the ${count} signers`,
    hint: "Choose a threshold M with 1 ≤ M ≤ N.",
  }),
  MultisigTooManySigners: ([count, max]) => ({
    message: `${count} signers exceed the maximum of ${max}`,
    hint: "Remove a signer first.",
  }),
  MultisigDuplicateSigner: ([signer]) => ({
    message: `${short(signer)} signed twice`,
    hint: "Give each signer's signature once (order does not matter).",
  }),
  MultisigInvalidSignature: ([offset]) => ({
    message: `the signature at byte ${offset} is malformed or invalid`,
    hint: "Re-sign the proposal file; signatures are 65-byte r‖s‖v entries (or ERC-1271 entries).",
  }),
  MultisigThresholdNotMet: ([hash, approvals, threshold]) => ({
    message: `proposal ${short(hash)} has ${approvals} of the ${threshold} approvals it needs`,
    hint: "Collect more signatures (`gov sign`) or on-chain approvals (`gov approve`).",
  }),
  MultisigStaleNonce: ([lane, expected, nonce]) => ({
    message: `lane ${lane} expects nonce ${expected}, the proposal has ${nonce}`,
    hint: "It was executed or cancelled already, or an earlier proposal in its lane is pending; rebuild it.",
  }),
  MultisigAlreadyQueued: ([hash, at]) => ({
    message: `proposal ${short(hash)} is already queued, executable at ${when(at)}`,
    hint: "Execute it once the timelock has elapsed.",
  }),
  MultisigNotQueued: ([hash, delay]) => ({
    message: `proposal ${short(hash)} has a ${delay}-second timelock and was not queued`,
    hint: "Queue it first (`gov queue`), then execute after the delay.",
  }),
  MultisigNothingToQueue: ([hash]) => ({
    message: `proposal ${short(hash)} has no timelock, so there is nothing to queue`,
    hint: "Execute it directly with its signatures.",
  }),
  MultisigTimelocked: ([hash, at]) => ({
    message: `proposal ${short(hash)} is timelocked until ${when(at)}`,
    hint: "Wait for the timelock to elapse, then execute.",
  }),
  MultisigExpired: ([hash, expiry]) => ({
    message: `proposal ${short(hash)} expired at ${when(expiry)}`,
    hint: "Build a new proposal with a later expiry (and cancel the lane's nonce if it is stuck).",
  }),
  MultisigCallFailed: ([hash, reason], f) => ({
    message: `proposal ${short(hash)} ran, but its call failed: ${innerReason(reason, f)}`,
    hint: "Nothing changed; fix the proposal's call and propose again.",
  }),
  MultisigInvalidDelay: ([delay, max]) => ({
    message: `delay ${delay} s exceeds the maximum of ${max} s`,
    hint: "Use a delay of at most 30 days.",
  }),
  MultisigAlreadyApproved: ([hash, signer]) => ({
    message: `${short(signer)} already approved ${short(hash)} on-chain`,
    hint: "Nothing to do.",
  }),
  MultisigNotAContract: ([target]) => ({
    message: `${short(target)} holds no contract code`,
    hint: "Check the address: calls with data and the guardian's pausables must be contracts.",
  }),
  MultisigSignerSetChanged: ([hash, queuedEpoch, epoch]) => ({
    message: `proposal ${short(hash)} was queued by signer set #${queuedEpoch}, but the signers or threshold changed since (now #${epoch})`,
    hint: "Collect signatures from the current signers and queue it again.",
  }),
  ReentrancyGuardReentrantCall: () => ({
    message: "the call re-entered the contract",
    hint: "A proposal's call may not call back into execute.",
  }),
  InvalidShortString: () => ({ message: "invalid EIP-712 short string", hint: "Deployment-time error." }),
  StringTooLong: ([str]) => ({ message: `string "${str}" is too long`, hint: "Deployment-time error." }),
  // ------------------------------------------------------------- OpenZeppelin
  OwnableUnauthorizedAccount: ([account]) => ({
    message: `${short(account)} is not the owner`,
    hint: "Admin actions go through the consortium's governance (the owner).",
  }),
  OwnableInvalidOwner: ([owner]) => ({ message: `${short(owner)} cannot be the owner`, hint: "Pass a real owner." }),
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
  EnforcedPause: () => ({
    message: "the contract is paused",
    hint: "Wait for governance to unpause it.",
  }),
  ExpectedPause: () => ({ message: "the contract is not paused", hint: "Nothing to unpause." }),
  InvalidInitialization: () => ({
    message: "the contract is already initialized",
    hint: "Initializers run once, at deployment.",
  }),
  NotInitializing: () => ({ message: "not in an initializer", hint: "Call this only while initializing." }),
  ECDSAInvalidSignature: () => ({ message: "the signature is invalid", hint: "Sign again." }),
  ECDSAInvalidSignatureLength: ([length]) => ({
    message: `the signature is ${length} bytes, expected 65`,
    hint: "Pass the full r, s, v signature.",
  }),
  ECDSAInvalidSignatureS: ([s]) => ({
    message: `the signature's s value ${short(s)} is malleable`,
    hint: "Sign with a standard library (low-s).",
  }),
  AddressEmptyCode: ([target]) => ({
    message: `${short(target)} has no code`,
    hint: "Point at a deployed implementation.",
  }),
  ERC1967InvalidImplementation: ([impl]) => ({
    message: `${short(impl)} is not a valid implementation`,
    hint: "Deploy the new implementation and pass its address.",
  }),
  ERC1967NonPayable: () => ({ message: "the upgrade call sent value", hint: "Send no value with upgrades." }),
  FailedCall: () => ({ message: "a low-level call failed", hint: "Check the upgrade's initializer call data." }),
  UUPSUnauthorizedCallContext: () => ({
    message: "upgrade functions must be called through the proxy",
    hint: "Call the proxy address, not the implementation.",
  }),
  UUPSUnsupportedProxiableUUID: ([slot]) => ({
    message: `the new implementation reports proxiable UUID ${short(slot)}`,
    hint: "The new implementation must be UUPS-compatible.",
  }),
};
