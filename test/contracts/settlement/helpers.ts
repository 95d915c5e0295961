/** Fixtures, batch builders and helpers shared by the settlement-layer test files in this folder. */
import { ethers, network, upgrades } from "hardhat";
import { mine, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import type { NettingEngine, SettlementLedger } from "../../../typechain-types";
import { deployToken, lei, Role, UNLIMITED, type TokenFixture } from "../../helpers/fixtures";

export const ACK_WINDOW = 3_600;
export const DAY = 86_400;
export const INITIAL_BALANCE = 2_000_000n;
export const SANCTION_CODE = 7;
export const MAX_UINT256 = ethers.MaxUint256;

/** ISettlementLedger.BatchStatus */
export const Status = { None: 0n, Submitted: 1n, Disputed: 2n, Rejected: 3n, Final: 4n, Netted: 5n } as const;
/** INettingEngine.CycleStatus */
export const CycleStatus = { None: 0n, Open: 1n, Closed: 2n, Closing: 3n } as const;

const coder = ethers.AbiCoder.defaultAbiCoder();
const HEADER_TYPE = "tuple(bytes32,uint32,uint128,bytes32,bytes32,uint256,uint40)";
/** Seconds past now + ACK_WINDOW that `makeBatch` stamps a window end: room for the test's next transactions. */
export const STAMP_MARGIN = 600;
/** SettlementLedger.MAX_WINDOW_SLACK */
export const MAX_WINDOW_SLACK = 900;

/** ISettlementLedger.BatchHeader, as the tests build it. */
export interface BatchHeader {
  root: string;
  entryCount: bigint;
  grossTotal: bigint;
  totalsCommitment: string;
  metadataDigest: string;
  counterpartyMask: bigint;
  /** End of the acknowledgement window, stamped by the submitter (now + ACK_WINDOW … + slack). */
  closesAt: bigint;
}

/** A batch ready to submit under `key` and to declare with `counterparties`/`totals`. */
export interface Batch {
  key: string;
  header: BatchHeader;
  counterparties: string[];
  totals: bigint[];
}

export interface SettlementFixture extends TokenFixture {
  ledger: SettlementLedger;
  engine: NettingEngine;
  engineAddress: string;
}

export const bytes32 = (label: string): string => ethers.id(label);

/** keccak256(abi.encode(address[] counterparties, uint256[] totals)) */
export const totalsCommitment = (counterparties: readonly string[], totals: readonly bigint[]): string =>
  ethers.keccak256(coder.encode(["address[]", "uint256[]"], [counterparties, totals]));

/** keccak256(abi.encode(header)), what the ledger stores of a batch. */
export const digestOf = (h: BatchHeader): string =>
  ethers.keccak256(
    coder.encode(
      [HEADER_TYPE],
      [[h.root, h.entryCount, h.grossTotal, h.totalsCommitment, h.metadataDigest, h.counterpartyMask, h.closesAt]],
    ),
  );

/** keccak256(abi.encode(submitter, key)) */
export const batchIdOf = (submitter: string, key: string): string =>
  ethers.keccak256(coder.encode(["address", "bytes32"], [submitter, key]));

/** The header as the BatchSubmitted event carries it (for `.withArgs`). */
export const headerTuple = (h: BatchHeader): unknown[] => [
  h.root,
  h.entryCount,
  h.grossTotal,
  h.totalsCommitment,
  h.metadataDigest,
  h.counterpartyMask,
  h.closesAt,
];

/** The arguments of the BatchSubmitted event of `batch` anchored by `submitter` as its `sequence`-th batch. */
export const submittedArgs = (submitter: string, batch: Batch, sequence: bigint): unknown[] => [
  batchIdOf(submitter, batch.key),
  submitter,
  batch.key,
  sequence,
  digestOf(batch.header),
  headerTuple(batch.header),
];

/** The first 31 bytes of a digest, as the ledger keeps it (errors name it as bytes31). */
export const digestPrefix = (digest: string): string => digest.slice(0, 64);

/** What `anchorOf` returns for an id nothing is anchored under: no digest prefix, status None, no acknowledgement. */
export const NO_ANCHOR: readonly [string, bigint, bigint] = [`0x${"00".repeat(31)}`, 0n, 0n];

/** A window end stamped from the chain's clock: the next block's earliest valid value plus `margin`. */
export async function stampedCloseAt(margin = STAMP_MARGIN): Promise<bigint> {
  return BigInt((await clockNow()) + ACK_WINDOW + margin);
}

/**
 * The chain's clock now: a block is mined first, since after a fixture's snapshot is restored the
 * latest block can be older than the time the next block gets (the wall clock moved on meanwhile,
 * by more than STAMP_MARGIN on a loaded machine: review21's F1 failed so).
 */
async function clockNow(): Promise<number> {
  await mine();
  return time.latest();
}

/** A window end stamped from the ledger's current window (not ACK_WINDOW): latest block time + ackWindow() + `margin`. */
export async function stampedCloseAtFor(ledger: SettlementLedger, margin = STAMP_MARGIN): Promise<bigint> {
  return BigInt(await clockNow()) + (await ledger.ackWindow()) + BigInt(margin);
}

/** Move the chain past the window end of every batch given: the next block is 1 s after the latest closesAt. */
export async function passWindows(...batches: ReadonlyArray<{ header: BatchHeader }>): Promise<void> {
  const end = batches.reduce((m, b) => (b.header.closesAt > m ? b.header.closesAt : m), 0n);
  if (end === 0n) throw new Error("passWindows: no batch");
  if (BigInt(await time.latest()) <= end) await time.increaseTo(end + 1n);
}

/** The cycles that netted `batchId`, from the ledger's BatchNetted events (the ledger does not store the cycle). */
export async function nettedCyclesOf(ledger: SettlementLedger, batchId: string): Promise<bigint[]> {
  const events = await ledger.queryFilter(ledger.filters.BatchNetted(batchId));
  return events.map((e) => e.args.cycleId);
}

/** The (batchId, cycleId) of each BatchNetted event the ledger logged in `receipt`, in order. */
export async function nettedIn(
  ledger: SettlementLedger,
  receipt: ContractTransactionReceipt,
): Promise<Array<[string, bigint]>> {
  const address = (await ledger.getAddress()).toLowerCase();
  const out: Array<[string, bigint]> = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = ledger.interface.parseLog(log);
    if (parsed?.name === "BatchNetted") out.push([parsed.args.batchId as string, parsed.args.cycleId as bigint]);
  }
  return out;
}

/** A storage slot a transaction wrote that held zero before it (a new slot: 20,000 gas). */
export interface NewSlot {
  depth: number;
  slot: string;
  value: string;
}

/**
 * The storage slots of `account` that transaction `hash` wrote from zero to non-zero, from its
 * structLog trace (SSTORE: key on top of the stack, value below) and the account's storage in the
 * block before (the transaction must be the first in its block that touches those slots).
 */
export async function newSlotsWrittenBy(
  hash: string,
  account: string,
): Promise<{ sstores: number; created: NewSlot[] }> {
  const trace = (await network.provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ])) as { structLogs: Array<{ op: string; depth: number; stack?: string[] }> };
  const receipt = await ethers.provider.getTransactionReceipt(hash);
  if (!receipt) throw new Error(`no receipt for ${hash}`);
  const word = (x: string): string => ethers.toBeHex(BigInt(x.startsWith("0x") ? x : `0x${x}`), 32);
  const writes = new Map<string, NewSlot>();
  let sstores = 0;
  for (const step of trace.structLogs) {
    if (step.op !== "SSTORE") continue;
    const stack = step.stack ?? [];
    if (stack.length < 2) throw new Error("SSTORE without a stack in the trace");
    sstores += 1;
    const slot = word(stack[stack.length - 1]);
    writes.set(slot, { depth: step.depth, slot, value: word(stack[stack.length - 2]) });
  }
  const created: NewSlot[] = [];
  for (const w of writes.values()) {
    const before = await ethers.provider.getStorage(account, w.slot, receipt.blockNumber - 1);
    if (BigInt(before) === 0n && BigInt(w.value) !== 0n) created.push(w);
  }
  return { sstores, created };
}

/** Bit mask of the ledger indexes of `banks` (each must be enrolled). */
export async function maskOf(ledger: SettlementLedger, banks: readonly string[]): Promise<bigint> {
  let mask = 0n;
  for (const bank of banks) mask |= 1n << (await ledger.bankOf(bank))[0];
  return mask;
}

/**
 * A batch paying `payments` (creditor address, amount): one counterparty entry per payment, the
 * gross total their sum, the mask their ledger indexes, the window end stamped STAMP_MARGIN seconds
 * after the earliest valid one. `overrides` replaces header fields.
 */
export async function makeBatch(
  ledger: SettlementLedger,
  label: string,
  payments: ReadonlyArray<readonly [string, bigint]>,
  overrides: Partial<BatchHeader> = {},
): Promise<Batch> {
  const counterparties = payments.map(([to]) => to);
  const totals = payments.map(([, amount]) => amount);
  const header: BatchHeader = {
    root: bytes32(`root:${label}`),
    entryCount: BigInt(Math.max(1, payments.length)),
    grossTotal: totals.reduce((a, b) => a + b, 0n),
    totalsCommitment: totalsCommitment(counterparties, totals),
    metadataDigest: bytes32(`meta:${label}`),
    counterpartyMask: 0n,
    closesAt: await stampedCloseAt(),
    ...overrides,
  };
  if (overrides.counterpartyMask === undefined) header.counterpartyMask = await maskOf(ledger, counterparties);
  return { key: bytes32(`key:${label}`), header, counterparties, totals };
}

export async function mined(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction not mined");
  return receipt;
}

/** Submit `batch` from `bank`; returns its id. */
export async function submit(ledger: SettlementLedger, bank: HardhatEthersSigner, batch: Batch): Promise<string> {
  await mined(ledger.connect(bank).submitBatch(batch.key, batch.header));
  return batchIdOf(bank.address, batch.key);
}

/** Submit `batch` from `bank` and have every counterparty acknowledge it: it is Final. */
export async function submitFinal(
  f: SettlementFixture,
  bank: HardhatEthersSigner,
  batch: Batch,
  signers: readonly HardhatEthersSigner[],
): Promise<string> {
  const id = await submit(f.ledger, bank, batch);
  const unique = [...new Set(batch.counterparties)];
  for (const cp of unique) {
    const signer = signers.find((s) => s.address === cp);
    if (!signer) throw new Error(`no signer for counterparty ${cp}`);
    await mined(f.ledger.connect(signer).acknowledge(id, batch.header));
  }
  return id;
}

/** The real minimal path into the open cycle: submit, acknowledge by all counterparties, declare. */
export async function declareFinal(
  f: SettlementFixture,
  bank: HardhatEthersSigner,
  label: string,
  payments: ReadonlyArray<readonly [HardhatEthersSigner, bigint]>,
): Promise<Batch> {
  const batch = await makeBatch(
    f.ledger,
    label,
    payments.map(([to, amount]) => [to.address, amount] as const),
  );
  await submitFinal(
    f,
    bank,
    batch,
    payments.map(([to]) => to),
  );
  const cycle = await f.engine.currentCycle();
  await mined(f.engine.connect(bank).declare(cycle, batch.key, batch.header, batch.counterparties, batch.totals));
  return batch;
}

/** Admit `account` as MEMBER_BANK with the given limits. */
export async function admitBank(f: TokenFixture, account: string, label: string, limit = UNLIMITED): Promise<void> {
  await mined(f.registry.admitMember(account, Role.MEMBER_BANK, lei(label), label, limit, limit));
}

/**
 * `n` more banks (unlimited limits): the unused Hardhat signers first (8 to 19), then impersonated
 * deterministic addresses with gas money. Admitted in the registry, not enrolled in the ledger.
 */
export async function extraBanks(f: TokenFixture, n: number): Promise<HardhatEthersSigner[]> {
  const spare = f.others.slice(7);
  const out: HardhatEthersSigner[] = [];
  for (let i = 0; i < n; i++) {
    let signer = spare[i];
    if (!signer) {
      const address = new ethers.Wallet(ethers.id(`extra-bank-${i}`)).address;
      await network.provider.request({ method: "hardhat_impersonateAccount", params: [address] });
      await setBalance(address, ethers.parseEther("100"));
      signer = await ethers.getSigner(address);
    }
    await admitBank(f, signer.address, `Extra Bank ${i}`);
    out.push(signer);
  }
  return out;
}

/** Give the operator tokens (only banks can be issued to: it is a bank for the one mint). */
export async function giveOperator(f: TokenFixture, amount: bigint): Promise<void> {
  await mined(f.registry.setRoles(f.operator.address, Role.OPERATOR | Role.MEMBER_BANK));
  await mined(f.token.connect(f.operator).mint(f.operator.address, amount));
  await mined(f.registry.setRoles(f.operator.address, Role.OPERATOR));
}

/** Put `amount` into the engine's credit pool from the operator. */
export async function fundPool(f: SettlementFixture, amount: bigint): Promise<void> {
  await giveOperator(f, amount);
  await mined(f.token.connect(f.operator).approve(f.engineAddress, amount));
  await mined(f.engine.connect(f.operator).fundCreditPool(amount));
}

/** Registry + token (deployToken), ledger and engine behind UUPS proxies, owned by signer 0. */
export async function deployLedgerAndEngine(): Promise<SettlementFixture> {
  const f = await deployToken();
  const ledgerFactory = await ethers.getContractFactory("SettlementLedger");
  const ledger = (await upgrades.deployProxy(
    ledgerFactory,
    [f.owner.address, await f.registry.getAddress(), ACK_WINDOW],
    {
      kind: "uups",
    },
  )) as unknown as SettlementLedger;
  await ledger.waitForDeployment();
  const engineFactory = await ethers.getContractFactory("NettingEngine");
  const engine = (await upgrades.deployProxy(
    engineFactory,
    [f.owner.address, await f.registry.getAddress(), await ledger.getAddress(), await f.token.getAddress()],
    { kind: "uups" },
  )) as unknown as NettingEngine;
  await engine.waitForDeployment();
  const engineAddress = await engine.getAddress();
  await mined(f.token.setClearingEngine(engineAddress));
  await mined(ledger.setNettingEngine(engineAddress));
  await mined(
    f.registry.admitMember(engineAddress, Role.CORPORATE, lei("ENGINE"), "Netting Engine", UNLIMITED, UNLIMITED),
  );
  return { ...f, ledger, engine, engineAddress };
}

/**
 * The settlement fixture: the 4 banks enrolled in order (bank i has index i), each holding
 * INITIAL_BALANCE and allowing the engine everything. The chain is 1 h into a fresh UTC day, so
 * daily outflow limits start at zero and a test can pass several windows within the day.
 */
export async function deploySettlement(): Promise<SettlementFixture> {
  const f = await deployLedgerAndEngine();
  const day = Math.floor((await time.latest()) / DAY) + 1;
  await time.setNextBlockTimestamp(day * DAY + 3_600);
  for (const bank of f.banks) {
    await mined(f.ledger.connect(bank).enroll());
    await mined(f.token.connect(f.operator).mint(bank.address, INITIAL_BALANCE));
    await mined(f.token.connect(bank).approve(f.engineAddress, MAX_UINT256));
  }
  return f;
}

export interface WideFixture extends SettlementFixture {
  /** The 4 fixture banks then 12 extra ones (unlimited limits); bank i has ledger index i. */
  all: HardhatEthersSigner[];
}

/** deploySettlement plus 12 unlimited banks (indexes 4 to 15), funded and allowing the engine. */
export async function deployWide(): Promise<WideFixture> {
  const f = await deploySettlement();
  const extra = await extraBanks(f, 12);
  for (const bank of extra) {
    await mined(f.ledger.connect(bank).enroll());
    await mined(f.token.connect(f.operator).mint(bank.address, INITIAL_BALANCE));
    await mined(f.token.connect(bank).approve(f.engineAddress, MAX_UINT256));
  }
  return { ...f, all: [...f.banks, ...extra] };
}

/**
 * The revert of a transaction mined in a block (not sent through estimateGas): a rejected promise
 * carrying the revert data, which `revertedWithCustomError` decodes.
 */
export async function minedRevert(hash: string): Promise<never> {
  const trace = (await network.provider.request({
    method: "debug_traceTransaction",
    params: [hash, { disableMemory: true, disableStack: true, disableStorage: true }],
  })) as { failed: boolean; returnValue: string };
  if (!trace.failed) throw new Error(`transaction ${hash} did not revert`);
  const data = trace.returnValue.startsWith("0x") ? trace.returnValue : `0x${trace.returnValue}`;
  throw Object.assign(new Error(`transaction ${hash} reverted`), { data });
}

/** Run `fn` on a snapshot of the chain and revert to it afterwards. */
export async function onSnapshot<T>(fn: () => Promise<T>): Promise<T> {
  const id = (await network.provider.send("evm_snapshot", [])) as string;
  try {
    return await fn();
  } finally {
    await network.provider.send("evm_revert", [id]);
  }
}

/** Send transactions with automine off and mine them in one block; returns their hashes in order. */
export async function inOneBlock(sends: ReadonlyArray<() => Promise<ContractTransactionResponse>>): Promise<string[]> {
  await network.provider.send("evm_setAutomine", [false]);
  const hashes: string[] = [];
  try {
    for (const send of sends) hashes.push((await send()).hash);
    await network.provider.send("evm_mine", []);
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
  return hashes;
}

/** Suspend or sanction `account`; returns the registry error `requireActive` raises for it. */
export async function impair(
  f: TokenFixture,
  account: string,
  how: "suspended" | "sanctioned",
): Promise<{ name: string; args: unknown[] }> {
  if (how === "sanctioned") {
    await mined(f.registry.addSanction(account, SANCTION_CODE));
    return { name: "RegistryAccountSanctioned", args: [account, SANCTION_CODE] };
  }
  const receipt = await mined(f.registry.suspendMember(account));
  return { name: "RegistryMemberSuspended", args: [account, receipt.blockNumber] };
}

/** Sum of a list of bigints. */
export const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

/** Token balances of `accounts`. */
export async function balancesOf(f: TokenFixture, accounts: readonly string[]): Promise<bigint[]> {
  return Promise.all(accounts.map((a) => f.token.balanceOf(a)));
}

/** Net positions of a closed cycle, from its NetPosition events (they are not stored); 0 for a bank without one. */
export async function netPositionsOf(
  engine: NettingEngine,
  cycle: bigint | number,
  banks: readonly string[],
): Promise<bigint[]> {
  const events = await engine.queryFilter(engine.filters.NetPosition(cycle));
  const net = new Map(events.map((e) => [e.args.bank.toLowerCase(), e.args.net]));
  return banks.map((b) => net.get(b.toLowerCase()) ?? 0n);
}

/** INettingEngine.Declaration: a batch as the close takes it (bank, key, anchored header, totals). */
export interface Declaration extends Batch {
  bank: string;
}

/** What the close takes for `batch` anchored by `bank`. */
export const declarationOf = (bank: HardhatEthersSigner | string, batch: Batch): Declaration => ({
  bank: typeof bank === "string" ? bank : bank.address,
  key: batch.key,
  header: batch.header,
  counterparties: batch.counterparties,
  totals: batch.totals,
});

/**
 * The batches pending in `cycleId` (`pendingOf != 0`), rebuilt from events: the engine's
 * BatchDeclared of the cycle and BatchCarried of the previous one name them, the first
 * BatchDeclared of each batch gives its debtor, creditors and amounts, and the ledger's
 * BatchSubmitted its key and anchored header.
 */
export async function pendingDeclarations(f: SettlementFixture, cycleId: bigint | number): Promise<Declaration[]> {
  const cycle = BigInt(cycleId);
  const ids: string[] = [];
  for (const e of await f.engine.queryFilter(f.engine.filters.BatchDeclared(cycle))) ids.push(e.args.batchId);
  if (cycle > 1n) {
    for (const e of await f.engine.queryFilter(f.engine.filters.BatchCarried(cycle - 1n))) ids.push(e.args.batchId);
  }
  const out: Declaration[] = [];
  for (const id of [...new Set(ids)]) {
    if ((await f.engine.pendingOf(cycle, id)) === 0n) continue;
    const [declared] = await f.engine.queryFilter(f.engine.filters.BatchDeclared(undefined, id));
    const [submitted] = await f.ledger.queryFilter(f.ledger.filters.BatchSubmitted(id));
    if (!declared || !submitted) throw new Error(`pendingDeclarations: no record of ${id}`);
    const h = submitted.args.header;
    out.push({
      bank: declared.args.debtor,
      key: submitted.args.key,
      header: {
        root: h.root,
        entryCount: h.entryCount,
        grossTotal: h.grossTotal,
        totalsCommitment: h.totalsCommitment,
        metadataDigest: h.metadataDigest,
        counterpartyMask: h.counterpartyMask,
        closesAt: h.closesAt,
      },
      counterparties: [...declared.args.creditors],
      totals: [...declared.args.amounts],
    });
  }
  const expected = (await f.engine.cycleOf(cycle)).pending;
  if (BigInt(out.length) !== expected) {
    throw new Error(`pendingDeclarations: found ${out.length} of the ${expected} batches pending in cycle ${cycle}`);
  }
  return out;
}

/** closeCycleWith(cycleId, every pending batch of the cycle + `fresh`, openNext), as the operator. */
export function closePending(
  f: SettlementFixture,
  cycleId: bigint | number,
  fresh: readonly Declaration[] = [],
  openNext = false,
): Promise<ContractTransactionResponse> {
  return pendingDeclarations(f, cycleId).then((pending) =>
    f.engine.connect(f.operator).closeCycleWith(cycleId, [...pending, ...fresh], openNext),
  );
}

/** The decoded events `name` the engine logged in `receipt`, in order. */
export function engineEvents(f: SettlementFixture, receipt: ContractTransactionReceipt, name: string) {
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === f.engineAddress.toLowerCase())
    .map((l) => f.engine.interface.parseLog(l))
    .filter((e) => e?.name === name)
    .map((e) => e!.args);
}
