/** The demo consortium: who is who, with their roles, LEIs and limits (Hardhat's default accounts). */
import { mnemonicToAccount } from "viem/accounts";
import type { Address } from "viem";
import { Role, UNLIMITED } from "../../packages/sdk/src";

export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
export const account = (index: number) => mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });

export interface Participant {
  key: string;
  name: string;
  roles: number;
  lei: string;
  index: number;
  limits: [bigint, bigint];
}

export const EUR = (whole: number): bigint => BigInt(whole) * 100n; // 2 decimals: minor units are cents

export const PARTICIPANTS: Participant[] = [
  {
    key: "operator",
    name: "Eurosystem Operator",
    roles: Role.OPERATOR | Role.MEMBER_BANK, // it also keeps the central bank's own settlement account
    lei: "5493000EUROOPERATO",
    index: 1,
    limits: [UNLIMITED, UNLIMITED],
  },
  {
    key: "alpine",
    name: "Alpine Bank",
    roles: Role.MEMBER_BANK,
    lei: "5493000ALPINEBANK0",
    index: 2,
    limits: [EUR(500_000), EUR(2_000_000)],
  },
  {
    key: "baltic",
    name: "Baltic Savings",
    roles: Role.MEMBER_BANK,
    lei: "5493000BALTICSAVE0",
    index: 3,
    limits: [EUR(500_000), EUR(2_000_000)],
  },
  {
    key: "celtic",
    name: "Celtic Trust",
    roles: Role.MEMBER_BANK,
    lei: "5493000CELTICTRUS0",
    index: 4,
    limits: [EUR(500_000), EUR(2_000_000)],
  },
  {
    key: "danube",
    name: "Danube Credit",
    roles: Role.MEMBER_BANK,
    lei: "5493000DANUBECRED0",
    index: 5,
    limits: [EUR(500_000), EUR(2_000_000)],
  },
  {
    key: "acme",
    name: "Acme Logistics GmbH",
    roles: Role.CORPORATE,
    lei: "5493000ACMELOGIST0",
    index: 6,
    limits: [EUR(100_000), EUR(250_000)],
  },
  {
    key: "supplier",
    name: "Nordic Components AB",
    roles: Role.CORPORATE,
    lei: "5493000NORDICCOMP0",
    index: 9,
    limits: [EUR(100_000), EUR(250_000)],
  },
  {
    // Attests delivery of the purchase order (signs offline; screened by the escrow as a member).
    key: "carrier",
    name: "Hanse Freight KG",
    roles: Role.CORPORATE,
    lei: "5493000HANSEFREIG0",
    index: 10,
    limits: [0n, 0n],
  },
  {
    // Acme's quality assurance: attests acceptance of the purchase order.
    key: "buyer-qa",
    name: "Acme Quality Assurance",
    roles: Role.CORPORATE,
    lei: "5493000ACMEQUALIT0",
    index: 11,
    limits: [0n, 0n],
  },
  {
    key: "auditor",
    name: "Ledger & Co Auditors",
    roles: Role.AUDITOR,
    lei: "5493000LEDGERAUDI0",
    index: 7,
    limits: [0n, 0n],
  },
  {
    key: "regulator",
    name: "Banking Supervisor",
    roles: Role.REGULATOR | Role.AUDITOR,
    lei: "5493000SUPERVISOR0",
    index: 8,
    limits: [0n, 0n],
  },
];

/** The participant named `key`. */
export function participant(key: string): Participant {
  const p = PARTICIPANTS.find((x) => x.key === key);
  if (!p) throw new Error(`demo: no participant "${key}"`);
  return p;
}

/** The address of the participant named `key`. */
export const addressOf = (key: string): Address => account(participant(key).index).address;

/** Governance seats: the operator and the four banks (3-of-5); the regulator is the guardian. */
export const SIGNER_KEYS = ["operator", "alpine", "baltic", "celtic", "danube"] as const;
export const GUARDIAN_KEY = "regulator";
