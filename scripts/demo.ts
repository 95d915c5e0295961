/**
 * `npm run demo`: the main job on the embedded Hardhat network, with no set-up.
 * Deploys a consortium (operator, four banks, a corporate, an auditor, a regulator) and its
 * governance multisig, bootstraps members, hands ownership to governance, issues the settlement
 * token, moves money between members, makes a compliance change through a timelocked proposal
 * signed offline, shows refused transfers with their reasons, settles a day of payments (standard
 * and private-mode batches), proves KYC membership and amounts in zero knowledge, pays a supplier
 * through a conditional escrow, admits a bank whose key is in an HSM and an SM2 official into the
 * multisig, and runs an emergency pause.
 */
import hre from "hardhat";
import { custom } from "viem";
import {
  ContractRevertError,
  consortiumRegistryAbi,
  createClearhouse,
  fromMinorUnits,
  leiWithCheckDigits,
  renderTable,
  rolesToNames,
  settlementTokenAbi,
  type Clearhouse,
} from "../packages/sdk/src";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auditChain } from "../packages/sdk/src/node/audit";
import { createServer } from "../packages/server/src/api";
import { parseServeConfig } from "../packages/server/src/config";
import { proofVerifier, releaseProver } from "../packages/zk/src";
import { deployConsortium, handOverToGovernance, writeDeployment } from "./lib/deployConsortium";
import { proposeAndQueue, waitAndExecute } from "./demo/governed";
import { privacyStep } from "./demo/privacy";
import { tracedStep } from "./demo/traced";
import { settlementDay } from "./demo/settlementDay";
import { offlineStep } from "./demo/offline";
import { supplyChainStep } from "./demo/supplyChain";
import { keysStep } from "./demo/keys";
import { EUR, GUARDIAN_KEY, PARTICIPANTS, SIGNER_KEYS, account, addressOf, participant } from "./demo/participants";

const step = (text: string) => console.log(`\n▸ ${text}`);

async function main(): Promise<void> {
  if (hre.network.name !== "hardhat") {
    throw new Error(
      `The demo runs on the embedded network only (got "${hre.network.name}"); use \`npm run deploy\` elsewhere.`,
    );
  }
  console.log("Clearhouse demo — embedded Hardhat network\n");
  step("Deploying registry and settlement token (UUPS proxies) and the governance multisig");
  const deployment = await deployConsortium({
    token: { name: "Clearhouse Euro", symbol: "chEUR", decimals: 2 },
    governance: {
      signers: SIGNER_KEYS.map(addressOf),
      threshold: 3,
      minDelay: 3_600,
      sensitiveDelay: 2 * 86_400,
      guardian: addressOf(GUARDIAN_KEY),
    },
    log: (line) => console.log(`  ${line}`),
  });
  writeDeployment(deployment, true);

  const transport = custom(hre.network.provider, { retryCount: 0 });
  const governance = createClearhouse({ transport, deployment, account: account(0), pollingInterval: 10 });
  const as = (key: string): Clearhouse => governance.as(account(participant(key).index));
  const addr = addressOf;
  const money = (v: bigint) => `€${fromMinorUnits(v, deployment.token.decimals)}`;
  let gasUsed = 0n;
  const track = async (result: Promise<{ gasUsed: bigint }>) => {
    gasUsed += (await result).gasUsed;
  };

  step("Bootstrapping members (the deployer, before handing over)");
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

  step("Handing ownership of registry and token to the 3-of-5 multisig (operator + four banks)");
  await handOverToGovernance(deployment, (line) => console.log(`  ${line.trim()}`));

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

  step("A settlement day: 10,000 payments anchored as 4 batches, netted in a cycle, one bank gridlocked");
  const day = await settlementDay({ as, addr, log: (line) => console.log(`  ${line}`), valueDate: "2026-11-23" });
  gasUsed += day.gas;
  console.log(
    `  ${day.payments.toLocaleString("en")} payments settled with ${day.gas.toLocaleString("en")} gas in all (${(Number(day.gas) / day.payments).toFixed(0)} gas per payment)`,
  );

  step("Privacy: a private-mode batch settled from zk-proved totals, a KYC proof, an amount under a limit");
  const privacy = await privacyStep({ as, addr, log: (line) => console.log(`  ${line}`), valueDate: "2026-11-23" });
  gasUsed += privacy.gas;

  step("Controllable anonymity: the regulator reads the large private payments, not the small ones; its key rotates");
  const traced = await tracedStep({
    as,
    addr,
    log: (line) => console.log(`  ${line}`),
    valueDate: "2026-11-24",
    verifierRegistry: deployment.contracts.VerifierRegistry!.proxy,
  });
  gasUsed += traced.gas;

  step(
    "A supply-chain payout: deposit on order, balance on delivery + acceptance attestations and the supplier's KYC proof",
  );
  const supplyChain = await supplyChainStep({ as, addr, log: (line) => console.log(`  ${line}`) });
  gasUsed += supplyChain.gas;

  step("Offline payments: a customer pays two merchants with no network; a restored phone double-spends");
  const offline = await offlineStep({
    as,
    asAccount: (index) => governance.as(account(index)),
    addr,
    log: (line) => console.log(`  ${line}`),
  });
  gasUsed += offline.gas;

  const relayer = as("auditor"); // any member can relay; it needs no rights
  step("Keys as banks hold them: a bank's key in an HSM (SoftHSM2), rotated; an SM2 official in the multisig");
  const keys = await keysStep({
    governance,
    relayer,
    addr,
    log: (line) => console.log(`  ${line}`),
    valueDate: "2026-11-24",
  });
  gasUsed += keys.gas;

  step("Compliance, through governance: Danube Credit goes on the sanctions list (reason code 1)");
  const registryAddress = deployment.contracts.ConsortiumRegistry.proxy;
  const tokenAddress = deployment.contracts.SettlementToken.proxy;
  const indent = (line: string) => console.log(`  ${line}`);
  const notOwner = await governance.registry.addSanction({ account: addr("danube"), reasonCode: 1 }).catch((e) => e);
  if (notOwner instanceof ContractRevertError)
    console.log(`  the deployer alone is refused now: ${notOwner.shortMessage}`);
  const sanction = await proposeAndQueue(
    relayer,
    {
      target: registryAddress,
      abi: consortiumRegistryAbi,
      functionName: "addSanction",
      args: [addr("danube"), 1],
      description: "Sanction Danube Credit (OFAC listing)",
      signers: ["operator", "alpine", "celtic"],
    },
    indent,
  );
  gasUsed += await waitAndExecute(relayer, [sanction], indent);
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

  step("Emergency: the regulator (guardian) pauses registry and token at once");
  gasUsed += (await as(GUARDIAN_KEY).governance.pauseAll()).gasUsed;
  await attempt("Alpine pays Celtic €1,000 during the pause", () =>
    as("alpine").token.transfer({ to: addr("celtic"), amount: EUR(1_000) }),
  );
  const paused = await governance.registry.checkTransaction({ sender: addr("alpine"), target: tokenAddress });
  console.log(`  preflight during the pause: ${paused.reason.name} — ${paused.reason.description}`);
  const guardianTry = await as(GUARDIAN_KEY)
    .token.unpause()
    .catch((e: unknown) => e);
  if (guardianTry instanceof ContractRevertError)
    console.log(`  the guardian cannot unpause: ${guardianTry.shortMessage}`);
  console.log("  governance lifts the pause: two proposals in two independent lanes, queued side by side:");
  const unpauses = [];
  for (const [lane, target, abi, what] of [
    [1n, registryAddress, consortiumRegistryAbi, "registry"],
    [2n, tokenAddress, settlementTokenAbi, "token"],
  ] as const) {
    const change = { target, abi, functionName: "unpause", args: [], lane, description: `Lift the ${what} pause` };
    unpauses.push(await proposeAndQueue(relayer, { ...change, signers: ["baltic", "celtic", "operator"] }, indent));
  }
  gasUsed += await waitAndExecute(relayer, unpauses, indent);
  await track(as("alpine").token.transfer({ to: addr("celtic"), amount: EUR(1_000) }));
  console.log("  Alpine pays Celtic €1,000.00 again: settled");

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
  const pool = await governance.token.getBalance({ account: deployment.contracts.NettingEngine!.proxy });
  let offlineHeld = 0n;
  for (const holder of offline.holders) offlineHeld += await governance.token.getBalance({ account: holder });
  const sum = rows.reduce((total, r) => total + r.balance, 0n) + pool + offlineHeld;
  console.log(`\n  clearing pool (NettingEngine, the credit pool's remainder): ${money(pool)}`);
  console.log(`  customer wallets and the offline vault (allowances, guarantees): ${money(offlineHeld)}`);
  console.log(
    `  total supply ${money(info.totalSupply)} = sum of balances incl. the pool ${money(sum)}: ${sum === info.totalSupply ? "yes" : "NO"}`,
  );
  console.log(
    `  ${moves.length + 1} transfers settled, ${refusals.length} refused with a reason, ${gasUsed.toLocaleString("en")} gas used`,
  );
  const gov = await governance.governance.getGovernance();
  console.log(
    `  governance: registry, token, ledger, netting engine, verifier registry, escrow and offline vault owned by the ${gov.threshold}-of-${gov.signers.length} multisig ${await governance.registry.getRegistryOwner()}; ${3 + traced.proposals + keys.proposals} proposals executed through the timelock`,
  );
  console.log(
    `  deployment: chain ${deployment.chainId}, registry ${deployment.contracts.ConsortiumRegistry.proxy}, token ${deployment.contracts.SettlementToken.proxy}`,
  );

  step(
    "The auditor's verdict: the whole state rebuilt from events, compared with the contracts, every proof re-verified",
  );
  const audit = await auditChain(governance.context, { verifier: proofVerifier(), batchFiles: day.batchFiles }).finally(
    releaseProver,
  );
  for (const c of audit.checks) {
    console.log(
      `  ${c.result === "passed" ? "✔" : c.result === "failed" ? "✘" : "–"} ${c.title} — ${c.result === "not run" ? `not run: ${c.notRunReason}` : `${c.checked} checked${c.result === "failed" ? `, ${c.failures.length} discrepancies` : ""}`}`,
    );
    for (const f of c.failures)
      console.log(`      ${f.detail}${f.transactionHash ? ` (tx ${f.transactionHash})` : ""}`);
  }
  console.log(
    `  verdict: ${audit.ok ? "no discrepancies" : "DISCREPANCIES FOUND"} (${audit.summary.passed} passed, ${audit.summary.failed} failed, ${audit.summary.notRun} not run; ${audit.events} events, blocks ${audit.fromBlock}–${audit.toBlock})`,
  );
  if (sum !== info.totalSupply || !audit.ok) process.exitCode = 1;
  if (process.env.CLEARHOUSE_DEMO_SERVE === "1") await serveConsole(governance, addr("alpine"));
}

/** `npm run demo -- --serve`: the API and auditor console on the demo's chain until Ctrl-C. */
async function serveConsole(ch: Clearhouse, alpine: string): Promise<void> {
  const key = () => randomBytes(12).toString("hex");
  const keys = { operator: key(), auditor: key(), regulator: key(), alpine: key() };
  const config = parseServeConfig({
    apiKeys: [
      { name: "Scheme operations desk", key: keys.operator, role: "operator" },
      { name: "Ledger & Co Auditors", key: keys.auditor, role: "auditor" },
      { name: "Banking Supervisor", key: keys.regulator, role: "regulator" },
      { name: "Alpine Bank operations", key: keys.alpine, role: "member", account: alpine },
    ],
    outbox: join(mkdtempSync(join(tmpdir(), "clearhouse-demo-")), "outbox.json"),
  });
  const server = await createServer({ ch, config });
  const port = Number(process.env.CLEARHOUSE_DEMO_PORT ?? 8080);
  await server.app.listen({ port, host: "127.0.0.1" });
  server.feed.start();
  step("The auditor console is up (Ctrl-C stops the demo)");
  console.log(`  auditor:   http://127.0.0.1:${port}/?key=${keys.auditor}`);
  console.log(`  regulator: http://127.0.0.1:${port}/?key=${keys.regulator}`);
  console.log(`  operator (the day's KPIs): http://127.0.0.1:${port}/?key=${keys.operator}#operations`);
  console.log(
    `  a member (Alpine Bank, sees only its own batches and agreements): http://127.0.0.1:${port}/?key=${keys.alpine}`,
  );
  console.log(`  API: curl -H "Authorization: Bearer ${keys.auditor}" http://127.0.0.1:${port}/api/cycles`);
  console.log(`  metrics: curl -H "Authorization: Bearer ${keys.operator}" http://127.0.0.1:${port}/metrics`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
