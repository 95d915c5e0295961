/**
 * Messages of the errors several contracts declare: OpenZeppelin's ownership, initialization,
 * UUPS upgrade, pause, reentrancy and SafeERC20 errors (`SharedErrorName` lists them).
 */
import { short } from "../format";
import type { CatalogPart, SharedErrorName } from "./types";

/** The shared errors, described once for every contract that can revert with them. */
export const sharedErrors: CatalogPart<SharedErrorName> = {
  ReentrancyGuardReentrantCall: () => ({
    message: "the call re-entered the contract",
    hint: "A proposal's call may not call back into execute.",
  }),
  OwnableUnauthorizedAccount: ([account]) => ({
    message: `${short(account)} is not the owner`,
    hint:
      "Admin actions go through the consortium's governance (the owner): write a proposal with the same command and " +
      "--propose --out proposal.json (SDK: the action's <action>Call with governance.buildProposal).",
  }),
  OwnableInvalidOwner: ([owner]) => ({ message: `${short(owner)} cannot be the owner`, hint: "Pass a real owner." }),
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
  SafeERC20FailedOperation: ([token]) => ({
    message: `a token transfer through ${short(token)} failed`,
    hint: "Check balances and allowances.",
  }),
};
