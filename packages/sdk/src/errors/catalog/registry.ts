/** Messages of the ConsortiumRegistry's errors (membership, roles, limits, sanctions, node allowlist). */
import type { consortiumRegistryAbi } from "@clearhouse/contracts";
import { rolesToNames, statusName } from "../../registry/roles";
import { short } from "../format";
import type { CatalogPart, OwnErrorName } from "./types";
import { walletErrors } from "./wallets";

const roleList = (role: number): string => rolesToNames(role).join("+") || `role ${role}`;
const ASK_GOVERNANCE = "Ask the consortium's governance (the registry owner) to act.";

/** The registry's own errors (the ledger re-declares some of them; they are described here). */
export const registryErrors: CatalogPart<OwnErrorName<typeof consortiumRegistryAbi>> = {
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
  ...walletErrors,
  RegistryKeyBound: ([key, account]) => ({
    message: `key ${short(key)} already signs for account ${short(account)}`,
    hint: "Use a fresh key, or have its account revoke it first (a key signs for one account only).",
  }),
  RegistryKeyNotBound: ([key]) => ({
    message: `key ${short(key)} is not bound to any account`,
    hint: "Nothing to unbind: check the key address (`clearhouse keys list <account>`).",
  }),
  RegistryKeyUnusable: ([key]) => ({
    message:
      `${short(key)} can't be a signing key: it is zero, the account itself, governance, a member, ` +
      "a customer wallet, sanctioned, or another member account",
    hint: "Generate a new key (file or HSM) for the account; members and wallets are identities, not keys.",
  }),
  RegistryNotKeyAccount: ([caller, key, account]) => ({
    message: `${short(caller)} may not unbind key ${short(key)}: only its account ${short(account)} may`,
    hint: "Revoke the key through its account (`clearhouse keys revoke`, or `--propose` for governance).",
  }),
  RegistryAddressIsKey: ([key, account]) => ({
    message: `${short(key)} is a signing key of account ${short(account)}; it can't also be a member or a wallet`,
    hint: "Admit or open the account's address instead, or revoke the key from its account first.",
  }),
  RegistryNotMemberAccount: ([caller]) => ({
    message: `${short(caller)} is not a member account of the registry's account factory: only those bind keys`,
    hint: "Create the member's account (`clearhouse keys create`) and authorize keys through it.",
  }),
};
