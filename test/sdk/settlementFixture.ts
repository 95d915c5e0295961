/**
 * The settlement layer on the in-process Hardhat chain: registry, token, ledger and netting engine
 * deployed with the real deploy code; an operator and the four banks of samples/iso20022/banks.json
 * (Hardhat accounts 2–5) admitted, funded, enrolled in the ledger and letting the engine pull their
 * net debits. One more bank (account 6) is admitted but never enrolls.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import { custom, getAddress, type Address } from "viem";
import {
  Role,
  accountHash,
  buildBatch,
  createClearhouse,
  importPacs008,
  leiWithCheckDigits,
  type Batch,
  type Clearhouse,
  type PaymentRecord,
} from "../../packages/sdk/src";
import type { Deployment } from "../../packages/contracts/src/deployment";
import { deployConsortium } from "../../scripts/lib/deployConsortium";
import { key } from "./fixture";

export const ACK_WINDOW = 3_600;
export const SAMPLES = join(__dirname, "..", "..", "samples", "iso20022");
export const BANKS_JSON = join(SAMPLES, "banks.json");
export const SMALL_SAMPLE = join(SAMPLES, "pacs008-alpine-small.xml");
/** Per-bank limits: far above anything a test moves (€100m). */
export const BANK_LIMIT = 10_000_000_000n;
/** What each bank is issued (€10m), enough to pay the sample's €1m payment in. */
export const BANK_FUNDS = 1_000_000_000n;

export const BANK_NAMES = ["alpine", "baltic", "celtic", "danube"] as const;
export type BankName = (typeof BANK_NAMES)[number];
/** The BICs of samples/iso20022/banks.json, by bank. */
export const BICS: Record<BankName, string> = {
  alpine: "ALPNCHZZXXX",
  baltic: "BALTLV22XXX",
  celtic: "CELTIE2DXXX",
  danube: "DANUATWWXXX",
};
/** Hardhat account index of each bank (as banks.json maps them). */
export const BANK_INDEX: Record<BankName, number> = { alpine: 2, baltic: 3, celtic: 4, danube: 5 };
export const OPERATOR_INDEX = 1;
export const UNENROLLED_INDEX = 6;

export interface SettlementFixture {
  deployment: Deployment;
  gov: Clearhouse;
  /** OPERATOR | MEMBER_BANK, not enrolled in the ledger. */
  operator: Clearhouse;
  bank: Record<BankName, Clearhouse>;
  addr: Record<BankName, Address>;
  /** A member bank that never enrolled in the ledger. */
  unenrolled: Clearhouse;
  unenrolledAddress: Address;
  /** samples/iso20022/banks.json: BIC → address. */
  bicMap: Record<string, Address>;
}

export async function settlementFixture(): Promise<SettlementFixture> {
  const deployment = await deployConsortium({
    token: { name: "Test Euro", symbol: "tEUR", decimals: 2 },
    settlement: { ackWindow: ACK_WINDOW },
  });
  const gov = createClearhouse({
    transport: custom(hre.network.provider, { retryCount: 0 }),
    deployment,
    account: key(0),
    pollingInterval: 10,
  });
  const bicMap = JSON.parse(readFileSync(BANKS_JSON, "utf8")) as Record<string, Address>;
  const addr = Object.fromEntries(BANK_NAMES.map((b) => [b, getAddress(bicMap[BICS[b]])])) as Record<BankName, Address>;
  for (const b of BANK_NAMES) {
    if (addr[b] !== key(BANK_INDEX[b]).address) throw new Error(`banks.json: ${b} is not Hardhat #${BANK_INDEX[b]}`);
  }
  const operatorAddress = key(OPERATOR_INDEX).address;
  await gov.registry.admitMember({
    account: operatorAddress,
    roles: Role.OPERATOR | Role.MEMBER_BANK,
    lei: leiWithCheckDigits("5493000SETTLEOPS00"),
    name: "Settlement operator",
    maxSingleTransfer: BANK_LIMIT,
    maxDailyOutflow: BANK_LIMIT,
  });
  const operator = gov.as(key(OPERATOR_INDEX));
  const unenrolledAddress = key(UNENROLLED_INDEX).address;
  const members: [Address, string][] = [
    ...BANK_NAMES.map((b): [Address, string] => [addr[b], `${b[0].toUpperCase()}${b.slice(1)} Bank`]),
    [unenrolledAddress, "Late Bank"],
  ];
  for (const [i, [account, name]] of members.entries()) {
    await gov.registry.admitMember({
      account,
      roles: Role.MEMBER_BANK,
      lei: leiWithCheckDigits(`5493000SETTLE${i}0000`),
      name,
      maxSingleTransfer: BANK_LIMIT,
      maxDailyOutflow: BANK_LIMIT,
    });
  }
  const engine = deployment.contracts.NettingEngine!.proxy;
  const bank = Object.fromEntries(BANK_NAMES.map((b) => [b, gov.as(key(BANK_INDEX[b]))])) as Record<
    BankName,
    Clearhouse
  >;
  for (const b of BANK_NAMES) {
    await operator.token.mint({ bank: addr[b], amount: BANK_FUNDS });
    await bank[b].settlement.enroll();
    await bank[b].token.approve({ spender: engine, amount: 2n ** 255n });
  }
  return {
    deployment,
    gov,
    operator,
    bank,
    addr,
    unenrolled: gov.as(key(UNENROLLED_INDEX)),
    unenrolledAddress,
    bicMap,
  };
}

/** The five records of samples/iso20022/pacs008-alpine-small.xml (Alpine pays Baltic, Celtic, Danube). */
export function smallSampleRecords(bicMap: Record<string, Address>): { messageId: string; records: PaymentRecord[] } {
  return importPacs008(readFileSync(SMALL_SAMPLE), { file: SMALL_SAMPLE, banks: bicMap });
}

/** Alpine's batch of the small sample under `key`. */
export function smallSampleBatch(f: SettlementFixture, key = "2025-03-14-A"): Batch {
  const { records, messageId } = smallSampleRecords(f.bicMap);
  return buildBatch(records, { submitter: f.addr.alpine, key, metadata: { messageId } });
}

/** Payments from `debtor` to each creditor of `to` ([creditor, minor units] pairs), ids prefixed by `tag`. */
export function payments(debtor: Address, to: readonly [Address, bigint][], tag: string): PaymentRecord[] {
  return to.map(([creditor, amount], i) => ({
    paymentId: `${tag}-${i + 1}`,
    debtorBank: debtor,
    creditorBank: creditor,
    amount,
    currency: "EUR",
    valueDate: "2025-03-14",
    endToEndId: `E2E-${tag}-${i + 1}`,
    debtorAccountHash: accountHash(`DEBTOR-${tag}-${i}`),
    creditorAccountHash: accountHash(`CREDITOR-${tag}-${i}`),
  }));
}

/** `debtor`'s batch under `key` of payments to each creditor of `to` ([address, minor units] pairs). */
export function paymentBatch(f: SettlementFixture, debtor: BankName, to: [Address, bigint][], key: string): Batch {
  return buildBatch(payments(f.addr[debtor], to, `${debtor}-${key}`), { submitter: f.addr[debtor], key });
}

/** One batch per bank under `key`: Alpine's is the small pacs.008 sample, the others pay each other. */
export function dayOfBatches(f: SettlementFixture, key: string): Record<BankName, Batch> {
  const { alpine, baltic, celtic, danube } = f.addr;
  return {
    alpine: smallSampleBatch(f, key),
    baltic: paymentBatch(
      f,
      "baltic",
      [
        [alpine, 40_000_000n],
        [celtic, 1_500_000n],
        [alpine, 2_500n],
      ],
      key,
    ),
    celtic: paymentBatch(
      f,
      "celtic",
      [
        [danube, 2_000_000n],
        [alpine, 750_000n],
      ],
      key,
    ),
    danube: paymentBatch(f, "danube", [[baltic, 3_000_000n]], key),
  };
}
