/** Messages of the registry's KYC tier and customer wallet errors (contracts/access/WalletTiers.sol). */
import { short } from "../format";
import type { CatalogPart } from "./types";

/** Status names of a wallet, as in IConsortiumRegistry.WalletStatus. */
const walletStatus = (status: number): string => ["never opened", "open", "closed"][status] ?? `status ${status}`;

type WalletErrorName =
  | "RegistryInvalidTier"
  | "RegistryInvalidTierLimits"
  | "RegistryUnknownTier"
  | "RegistryWalletIsMember"
  | "RegistryAccountIsWallet"
  | "RegistryWalletExists"
  | "RegistryNotWallet"
  | "RegistryWalletClosed"
  | "RegistryNotWalletBank"
  | "RegistryWalletTierUnchanged";

export const walletErrors: CatalogPart<WalletErrorName> = {
  RegistryInvalidTier: ([tier]) => ({
    message: `tier ${tier} is not a tier number (tiers run from 1 to 255; 0 means no tier)`,
    hint: "Use a tier from 1 (phone number only) upwards; a higher tier is better identified.",
  }),
  RegistryInvalidTierLimits: ([single, daily, balance], f) => ({
    message:
      balance === 0n
        ? "a tier's balance cap must be above zero"
        : `the tier's single-payment limit ${f.amount(single)} exceeds its daily limit ${f.amount(daily)}`,
    hint: "Make maxSingle at most maxDaily, and maxBalance positive.",
  }),
  RegistryUnknownTier: ([tier]) => ({
    message: `tier ${tier} is not defined`,
    hint: "List the defined tiers (`clearhouse tier list`) or have governance define it (setTier).",
  }),
  RegistryWalletIsMember: ([account]) => ({
    message: `${short(account)} is a consortium member; a member cannot be a customer wallet`,
    hint: "Give the customer a wallet address of its own.",
  }),
  RegistryAccountIsWallet: ([account, status]) => ({
    message: `${short(account)} is a customer wallet (${walletStatus(status)}); a wallet cannot be admitted as a member`,
    hint: "Admit the member with an address of its own.",
  }),
  RegistryWalletExists: ([wallet, status, bank]) => ({
    message: `${short(wallet)} was already opened as a wallet by ${short(bank)} and is ${walletStatus(status)}`,
    hint:
      status === 2
        ? "A closed wallet is never reopened: give the customer a new address."
        : "Change its tier with setWalletTier (its bank) instead.",
  }),
  RegistryNotWallet: ([account]) => ({
    message: `${short(account)} is not a customer wallet`,
    hint: "Check the address, or have a member bank open it first (`clearhouse wallet open`).",
  }),
  RegistryWalletClosed: ([wallet, since]) => ({
    message: `wallet ${short(wallet)} was closed at block ${since}`,
    hint: "A closed wallet can neither send nor receive, and is never reopened.",
  }),
  RegistryNotWalletBank: ([caller, wallet, bank]) => ({
    message: `${short(caller)} is not the bank of wallet ${short(wallet)} (its bank is ${short(bank)})`,
    hint: "Only the wallet's bank may change its tier or close it (governance may also close it).",
  }),
  RegistryWalletTierUnchanged: ([wallet, tier]) => ({
    message: `wallet ${short(wallet)} is already in tier ${tier}`,
    hint: "Nothing to do.",
  }),
};
