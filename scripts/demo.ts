/**
 * `npm run demo`: the main job on the embedded Hardhat network, with no set-up.
 * Deploys a consortium (operator, four banks, a corporate, an auditor, a regulator), issues the
 * settlement token, moves money between members, and shows refused transfers with their reasons.
 */
import hre from "hardhat";
import { custom, type Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import {
  ContractRevertError,
  Role,
  UNLIMITED,
  createClearhouse,
  fromMinorUnits,
  leiWithCheckDigits,
  renderTable,
  rolesToNames,
  type Clearhouse,
} from "../src";

import { deployConsortium, writeDeployment } from "./lib/deployConsortium";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const account = (index: number) => mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });

interface Participant {
  key: string;
  name: string;
  roles: number;
  lei: string;
  index: number;
  limits: [bigint, bigint];
}

const EUR = (whole: number): bigint => BigInt(whole) * 100n; // 2 decimals: minor units are cents

const PARTICIPANTS: Participant[] = [
  {
    key: "operator",
    name: "Eurosystem Operator",
    roles: Role.OPERATOR,
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

const step = (text: string) => console.log(`\n▸ ${text}`);

async function main(): Promise<void> {
  console.log("Clearhouse demo — embedded Hardhat network\n");
  step("Deploying the consortium's registry and settlement token behind UUPS proxies");
  const deployment = await deployConsortium({
    token: { name: "Clearhouse Euro", symbol: "chEUR", decimals: 2 },
    log: (line) => console.log(`  ${line}`),
  });
  writeDeployment(deployment, true);

  const transport = custom(hre.network.provider, { retryCount: 0 });
  const governance = createClearhouse({ transport, deployment, account: account(0), pollingInterval: 10 });
  const as = (key: string): Clearhouse => governance.as(account(PARTICIPANTS.find((p) => p.key === key)!.index));
  const addr = (key: string): Address => account(PARTICIPANTS.find((p) => p.key === key)!.index).address;
  const money = (v: bigint) => `€${fromMinorUnits(v, deployment.token.decimals)}`;
  let gasUsed = 0n;
  const track = async (result: Promise<{ gasUsed: bigint }>) => {
    gasUsed += (await result).gasUsed;
  };

  step("Admitting members (governance)");
  for (const p of PARTICIPANTS) {
    await track(
      governance.registry.admitMember({
        account: account(p.index).address,
        roles: p.roles,
        lei: leiWithCheckDigits(p.lei),
        name: p.name,
        maxSingleTransfer: p.limits[0],
        maxDailyOutflow: p.limits[1],
      }),
    );
    console.log(`  ${p.name.padEnd(22)} ${rolesToNames(p.roles).join("+")}`);
  }

  step("Allow-listing four QBFT validator nodes (what Besu asks through connectionAllowed)");
  for (let i = 1; i <= 4; i++) {
    const enodeId = (BigInt(i) * 0x1234567890abcdefn).toString(16).padStart(128, "a");
    await track(governance.registry.allowNode({ enodeId, ip: `10.0.0.${i}`, port: 30303, kind: "validator" }));
  }
  console.log("  4 validators allowed on 10.0.0.1–4:30303");

  step("Issuing settlement tokens to banks (two-tier: operator → banks)");
  for (const bank of ["alpine", "baltic", "celtic", "danube"]) {
    await track(as("operator").token.mint({ bank: addr(bank), amount: EUR(1_000_000) }));
    console.log(`  ${money(EUR(1_000_000))} → ${bank}`);
  }

  step("Moving money between members");
  const moves: [string, string, bigint][] = [
    ["alpine", "baltic", EUR(250_000)],
    ["baltic", "celtic", EUR(120_500)],
    ["celtic", "acme", EUR(48_750)],
    ["danube", "alpine", EUR(310_000)],
  ];
  for (const [from, to, amount] of moves) {
    await track(as(from).token.transfer({ to: addr(to), amount }));
    console.log(`  ${from} → ${to}: ${money(amount)}`);
  }

  step("Compliance: Danube Credit is put on the sanctions list (reason code 1)");
  await track(governance.registry.addSanction({ account: addr("danube"), reasonCode: 1 }));
  const preflight = await governance.registry.checkTransaction({ sender: addr("danube"), target: addr("alpine") });
  console.log(
    `  preflight for any transaction from Danube: ${preflight.reason.name} — ${preflight.reason.description}`,
  );

  const refusals: { attempt: string; error: string }[] = [];
  const attempt = async (label: string, action: () => Promise<unknown>) => {
    try {
      await action();
      throw new Error(`demo expected "${label}" to be refused, but it succeeded`);
    } catch (error) {
      if (!(error instanceof ContractRevertError)) throw error;
      refusals.push({ attempt: label, error: error.shortMessage });
      console.log(`  refused: ${label}\n    ${error.shortMessage}\n    → ${error.hint}`);
    }
  };
  await attempt("Alpine pays Danube €10,000", () =>
    as("alpine").token.transfer({ to: addr("danube"), amount: EUR(10_000) }),
  );
  await attempt("Danube pays Celtic €5,000", () =>
    as("danube").token.transfer({ to: addr("celtic"), amount: EUR(5_000) }),
  );
  await attempt("Baltic pays Celtic €600,000 (above its single-transfer limit)", () =>
    as("baltic").token.transfer({ to: addr("celtic"), amount: EUR(600_000) }),
  );

  step("Summary");
  const info = await governance.token.getTokenInfo();
  const rows = await Promise.all(
    PARTICIPANTS.map(async (p) => {
      const m = await governance.registry.getMember({ account: account(p.index).address });
      const balance = await governance.token.getBalance({ account: m.account });
      return { p, m, balance };
    }),
  );
  console.log(
    renderTable(rows, [
      { header: "member", value: (r) => r.p.name },
      { header: "address", value: (r) => `${r.m.account.slice(0, 8)}…` },
      { header: "roles", value: (r) => r.m.roleNames.join("+") },
      { header: "status", value: (r) => (r.m.sanction ? `${r.m.status}, SANCTIONED(${r.m.sanction})` : r.m.status) },
      { header: `balance (${info.symbol})`, value: (r) => fromMinorUnits(r.balance, info.decimals), align: "right" },
    ]),
  );
  const sum = rows.reduce((total, r) => total + r.balance, 0n);
  console.log(
    `\n  total supply ${money(info.totalSupply)} = sum of balances ${money(sum)}: ${sum === info.totalSupply ? "yes" : "NO"}`,
  );
  console.log(
    `  ${moves.length} transfers settled, ${refusals.length} refused with a reason, ${gasUsed.toLocaleString("en")} gas used`,
  );
  console.log(
    `  deployment: chain ${deployment.chainId}, registry ${deployment.contracts.ConsortiumRegistry.proxy}, token ${deployment.contracts.SettlementToken.proxy}`,
  );
  if (sum !== info.totalSupply) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
