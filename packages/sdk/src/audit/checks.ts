/**
 * The audit's checks: pure functions of a chain snapshot (./collect.ts). Each rebuilds a piece of
 * state from events alone and compares it with what the contracts say, or re-verifies what the
 * chain accepted (proofs, against the committed verification keys). A failure names its
 * transaction when one is to blame.
 */
import { encodeAbiParameters, keccak256, type Hex } from "viem";
import { verifyBatchFile } from "../settlement/batchFile";
import type { OnChainHeader } from "../settlement/ledger";
import type { CheckOptions, CheckResult, Finding } from "./check";
import type { AuditEvent, ChainSnapshot } from "./collect";
import { nettingCycles } from "./netting";
import { offlineVault } from "./offline";
import { proofs } from "./proofs";
import { contractImplementations } from "./contracts";
import { tokenIssuance } from "./supply";
import { formatAmount } from "./units";
import { bi, key } from "./values";

const ZERO = "0x0000000000000000000000000000000000000000";

function tokenSupply(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  const u = (v: bigint) => formatAmount(s.deployment.token, v);
  const balances = new Map<string, bigint>();
  let supply = 0n;
  for (const e of s.events) {
    if (e.contract !== "SettlementToken" || e.eventName !== "Transfer") continue;
    const from = key(e.args.from);
    const to = key(e.args.to);
    const v = bi(e.args.value);
    if (from === ZERO) supply += v;
    else balances.set(from, (balances.get(from) ?? 0n) - v);
    if (to === ZERO) supply -= v;
    else balances.set(to, (balances.get(to) ?? 0n) + v);
  }
  if (supply !== s.state.totalSupply)
    failures.push({
      detail: `Transfer events give a supply of ${u(supply)}; totalSupply() is ${u(s.state.totalSupply)}`,
    });
  let sum = 0n;
  for (const [holder, fromEvents] of balances) {
    sum += fromEvents;
    const onChain = Object.entries(s.state.balances).find(([a]) => key(a) === holder)?.[1] ?? 0n;
    if (fromEvents !== onChain)
      failures.push({ detail: `${holder}: Transfer events give ${u(fromEvents)}, balanceOf is ${u(onChain)}` });
  }
  if (sum !== supply) failures.push({ detail: `balances from events sum to ${u(sum)}, not the supply ${u(supply)}` });
  return {
    id: "token-supply",
    title: "Token: supply and every balance rebuilt from Transfer events",
    checked: balances.size + 1,
    failures,
  };
}

function registryMembers(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  const status = new Map<string, number>();
  const sanction = new Map<string, number>();
  for (const e of s.events) {
    if (e.contract !== "ConsortiumRegistry") continue;
    const a = key(e.args.account);
    if (e.eventName === "MemberAdmitted" || e.eventName === "MemberReinstated") status.set(a, 1);
    else if (e.eventName === "MemberSuspended") status.set(a, 2);
    else if (e.eventName === "MemberRemoved") status.set(a, 3);
    else if (e.eventName === "SanctionAdded") sanction.set(a, Number(e.args.reasonCode));
    else if (e.eventName === "SanctionRemoved") sanction.set(a, 0);
  }
  for (const [account, m] of Object.entries(s.state.members)) {
    const a = key(account);
    if ((status.get(a) ?? 0) !== m.status)
      failures.push({ detail: `${account}: events say status ${status.get(a) ?? 0}, memberOf says ${m.status}` });
    if ((sanction.get(a) ?? 0) !== m.sanction)
      failures.push({
        detail: `${account}: events say sanction ${sanction.get(a) ?? 0}, sanctionOf says ${m.sanction}`,
      });
  }
  return {
    id: "registry-members",
    title: "Registry: every member's status and sanction rebuilt from events",
    checked: Object.keys(s.state.members).length,
    failures,
    ...(Object.keys(s.state.members).length === 0 ? { notRunReason: "no member was ever admitted" } : {}),
  };
}

const HEADER = [
  {
    type: "tuple",
    components: [
      { name: "root", type: "bytes32" },
      { name: "entryCount", type: "uint32" },
      { name: "grossTotal", type: "uint128" },
      { name: "totalsCommitment", type: "bytes32" },
      { name: "metadataDigest", type: "bytes32" },
      { name: "counterpartyMask", type: "uint256" },
      { name: "closesAt", type: "uint40" },
    ],
  },
] as const;

function ledgerBatches(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  const lastSeq = new Map<string, bigint>();
  const disputed = new Set<string>();
  const resolved = new Map<string, boolean>();
  const allAcked = new Set<string>();
  const netted = new Set<string>();
  const submitted: AuditEvent[] = [];
  for (const e of s.events) {
    if (e.contract !== "SettlementLedger") continue;
    const id = key(e.args.batchId);
    if (e.eventName === "BatchSubmitted") {
      submitted.push(e);
      const who = key(e.args.submitter);
      const seq = bi(e.args.sequence);
      const expected = (lastSeq.get(who) ?? 0n) + 1n;
      if (seq !== expected)
        failures.push({
          detail: `${who} anchored batch ${e.args.batchId} with sequence ${seq}, expected ${expected}`,
          transactionHash: e.transactionHash,
        });
      lastSeq.set(who, seq);
      const h = e.args.header as OnChainHeader;
      const digest = keccak256(encodeAbiParameters(HEADER, [h]));
      if (digest !== e.args.digest)
        failures.push({
          detail: `batch ${e.args.batchId}: its header hashes to ${digest}, the event says ${e.args.digest}`,
          transactionHash: e.transactionHash,
        });
    } else if (e.eventName === "BatchDisputed") disputed.add(id);
    else if (e.eventName === "DisputeResolved") resolved.set(id, Boolean(e.args.upheld));
    else if (e.eventName === "BatchAcknowledged" && e.args.allAcknowledged) allAcked.add(id);
    else if (e.eventName === "BatchNetted") netted.add(id);
  }
  for (const e of submitted) {
    const id = key(e.args.batchId);
    const st = Object.entries(s.state.batches).find(([b]) => key(b) === id)?.[1];
    if (!st) {
      failures.push({
        detail: `batch ${e.args.batchId} has a BatchSubmitted event but no state`,
        transactionHash: e.transactionHash,
      });
      continue;
    }
    // The ledger keeps the digest's first 31 bytes.
    if (st.digest.toLowerCase() !== String(e.args.digest).slice(0, 64).toLowerCase())
      failures.push({
        detail: `batch ${e.args.batchId}: stored digest ${st.digest}…, event ${e.args.digest}`,
        transactionHash: e.transactionHash,
      });
    const expected = netted.has(id)
      ? [5]
      : resolved.has(id)
        ? resolved.get(id)
          ? [3]
          : [4]
        : disputed.has(id)
          ? [2]
          : allAcked.has(id)
            ? [4]
            : [1, 4];
    if (!expected.includes(st.status))
      failures.push({
        detail: `batch ${e.args.batchId}: events allow status ${expected.join(" or ")}, the ledger says ${st.status}`,
        transactionHash: e.transactionHash,
      });
  }
  for (const id of Object.keys(s.state.batches)) {
    if (!submitted.some((e) => key(e.args.batchId) === key(id)))
      failures.push({ detail: `batch ${id} is in the ledger but no BatchSubmitted event announces it` });
  }
  return {
    id: "ledger-batches",
    title: "Ledger: batch sequences, header digests and statuses from events",
    checked: submitted.length,
    failures,
    ...(submitted.length === 0
      ? {
          notRunReason: s.addresses.SettlementLedger
            ? "no batch was anchored"
            : "the deployment has no SettlementLedger",
        }
      : {}),
  };
}

function escrowAgreements(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  const totals = new Map<
    string,
    { total: bigint; released: bigint; refunded: bigint; tx: Hex; settlementToken: boolean }
  >();
  for (const e of s.events) {
    if (e.contract !== "ConditionalEscrow") continue;
    const id = String(e.args.agreementId);
    if (e.eventName === "AgreementCreated") {
      totals.set(id, {
        total: bi(e.args.total),
        released: 0n,
        refunded: 0n,
        tx: e.transactionHash,
        settlementToken: key(e.args.token) === key(s.addresses.SettlementToken),
      });
    }
    const t = totals.get(id);
    if (!t) continue;
    if (e.eventName === "MilestoneReleased") t.released += bi(e.args.amount);
    else if (e.eventName === "MilestoneRefunded") t.refunded += bi(e.args.amount);
    else if (e.eventName === "DisputeResolved") {
      t.released += bi(e.args.toPayee);
      t.refunded += bi(e.args.toPayer);
    }
  }
  let locked = 0n;
  const u = (v: bigint) => formatAmount(s.deployment.token, v);
  for (const [id, t] of totals) {
    const st = s.state.agreements[id];
    // Amounts in another token than the settlement token are shown in its minor units.
    const a = (v: bigint) => (t.settlementToken ? u(v) : `${v} minor units`);
    if (!st || st.total !== t.total || st.released !== t.released || st.refunded !== t.refunded) {
      failures.push({
        detail: `agreement ${id}: events give total ${a(t.total)}, released ${a(t.released)}, refunded ${a(t.refunded)}; agreementOf says ${st ? `${a(st.total)}, ${a(st.released)}, ${a(st.refunded)}` : "nothing"}`,
        transactionHash: t.tx,
      });
    }
    // Only agreements in the settlement token are compared with the escrow's settlement-token balance.
    if (t.settlementToken) locked += t.total - t.released - t.refunded;
  }
  const escrow = s.addresses.ConditionalEscrow;
  if (escrow) {
    const balance = Object.entries(s.state.balances).find(([a]) => key(a) === key(escrow))?.[1] ?? 0n;
    if (balance !== locked)
      failures.push({ detail: `the escrow holds ${u(balance)}, but its agreements lock ${u(locked)}` });
  }
  return {
    id: "escrow-agreements",
    title: "Escrow: each agreement's funded, released and refunded amounts; the escrow's balance",
    checked: totals.size,
    failures,
    ...(totals.size === 0
      ? { notRunReason: escrow ? "no agreement was created" : "the deployment has no ConditionalEscrow" }
      : {}),
  };
}

function governance(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  const multisig = s.addresses.ConsortiumMultisig;
  const owners = Object.entries(s.state.owners);
  if (multisig) {
    for (const [name, owner] of owners) {
      if (key(owner) !== key(multisig))
        failures.push({ detail: `${name} is owned by ${owner}, not the governance multisig ${multisig}` });
    }
  }
  const executed = s.events.filter((e) => e.contract === "ConsortiumMultisig" && e.eventName === "Executed").length;
  return {
    id: "governance",
    title: `Governance: every contract owned by the multisig (${executed} proposals executed)`,
    checked: multisig ? owners.length : 0,
    failures,
    ...(multisig && owners.length ? {} : { notRunReason: "the deployment has no governance multisig" }),
  };
}

function batchFiles(s: ChainSnapshot, opts: CheckOptions): CheckResult {
  const failures: Finding[] = [];
  for (const { path, file } of opts.batchFiles ?? []) {
    const e = s.events.find((x) => x.eventName === "BatchSubmitted" && key(x.args.batchId) === key(file.batchId));
    if (!e) {
      failures.push({ detail: `${path}: batch ${file.batchId} was never anchored` });
      continue;
    }
    const h = e.args.header as OnChainHeader;
    // The tree hash the ledger recorded (BatchTreeHash, SM3 only) must be the file's: otherwise no
    // payment of it can be proved on chain, though the file matches its root (review 24c, F1).
    const sm3 = s.events.some(
      (x) =>
        x.eventName === "BatchTreeHash" && key(x.args.batchId) === key(file.batchId) && Number(x.args.treeHash) === 1,
    );
    const recorded = sm3 ? "sm3" : "keccak256";
    const built = file.treeHash ?? "keccak256";
    if (recorded !== built)
      failures.push({
        detail: `${path}: its tree is ${built}, but the ledger recorded ${recorded} for batch ${file.batchId}: no payment of it can be proved on chain`,
        transactionHash: e.transactionHash,
      });
    const v = verifyBatchFile(file, h);
    for (const m of v.mismatches)
      failures.push({ detail: `${path}: payment ${m.paymentId}: ${m.problem}`, transactionHash: e.transactionHash });
    for (const p of v.problems) failures.push({ detail: `${path}: ${p}`, transactionHash: e.transactionHash });
  }
  return {
    id: "batch-files",
    title: "Off-chain records: bank batch files against their anchored roots",
    checked: opts.batchFiles?.length ?? 0,
    failures,
    ...(opts.batchFiles?.length
      ? {}
      : { notRunReason: "no bank batch files given: pass --batch-file <file> to check off-chain records" }),
  };
}

/** Run every check on a snapshot. */
export async function runChecks(s: ChainSnapshot, opts: CheckOptions): Promise<CheckResult[]> {
  return [
    contractImplementations(s),
    tokenSupply(s),
    tokenIssuance(s),
    registryMembers(s),
    ledgerBatches(s),
    nettingCycles(s),
    escrowAgreements(s),
    offlineVault(s),
    await proofs(s, opts),
    governance(s),
    batchFiles(s, opts),
  ];
}
