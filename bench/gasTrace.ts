/**
 * Where a transaction's gas goes, by opcode, from debug_traceTransaction: used by the settlement
 * benchmark to show what anchoring and a cycle's close spend their gas on.
 */
import hre from "hardhat";
import type { Hex } from "viem";

/** Gas of a transaction's calldata (EIP-2028: 4 per zero byte, 16 per other byte). */
export function calldataGas(input: Hex): bigint {
  let gas = 0n;
  for (let i = 2; i < input.length; i += 2) gas += input.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
}

/** Where a transaction's execution gas goes, by opcode, from debug_traceTransaction. */
export interface Breakdown {
  sstore: number;
  sload: number;
  log: number;
  calls: number;
  keccak: number;
  other: number;
  /** Across the categories: gas spent inside other contracts (registry, ledger…, depth ≥ 3). */
  otherContracts: number;
  execution: number;
  /** 21,000 + calldata. */
  intrinsic: number;
  gasUsed: number;
  /** gasUsed − intrinsic − execution: a refund if negative (0 when the trace accounts for all). */
  unattributed: number;
}

export const BREAKDOWN_ROWS: [keyof Breakdown, string][] = [
  ["sstore", "SSTORE (storage writes)"],
  ["sload", "SLOAD (storage reads)"],
  ["log", "LOG (events)"],
  ["calls", "CALL/STATICCALL/DELEGATECALL (account access, proxy)"],
  ["keccak", "KECCAK256"],
  ["other", "other opcodes (calldata, memory, arithmetic, jumps)"],
  ["execution", "execution (sum of the above)"],
  ["otherContracts", "  of which inside other contracts (registry, ledger)"],
  ["intrinsic", "intrinsic (21,000 + calldata)"],
  ["unattributed", "refund / unattributed"],
  ["gasUsed", "gasUsed"],
];

/**
 * Each step's own gas: the drop to the next step of the same frame, less what the callee frames
 * in between used (so a CALL counts only its own cost); a frame's last step counts its gasCost.
 */
function exclusiveGas(logs: readonly StructLog[]): number[] {
  const own = new Array<number>(logs.length).fill(0);
  const calls: number[] = [];
  for (let i = 0; i < logs.length; i++) {
    const next = logs[i + 1];
    if (next === undefined || next.depth < logs[i].depth) own[i] = logs[i].gasCost;
    else if (next.depth === logs[i].depth) own[i] = logs[i].gas - next.gas;
    else calls.push(i);
  }
  for (const i of calls.reverse()) {
    let k = i + 1;
    let inner = 0;
    for (; k < logs.length && logs[k].depth > logs[i].depth; k++) inner += own[k];
    own[i] = k < logs.length ? logs[i].gas - logs[k].gas - inner : logs[i].gasCost;
  }
  return own;
}

export async function breakdownOf(hash: Hex, input: Hex, gasUsed: bigint): Promise<Breakdown> {
  const trace = (await hre.network.provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStack: true, disableStorage: true },
  ])) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  const own = exclusiveGas(logs);
  const intrinsic = 21_000 + Number(calldataGas(input));
  const b: Breakdown = {
    sstore: 0,
    sload: 0,
    log: 0,
    calls: 0,
    keccak: 0,
    other: 0,
    otherContracts: 0,
    execution: 0,
    intrinsic,
    gasUsed: Number(gasUsed),
    unattributed: 0,
  };
  for (const [i, step] of logs.entries()) {
    const op = step.op;
    const key: keyof Breakdown =
      op === "SSTORE"
        ? "sstore"
        : op === "SLOAD"
          ? "sload"
          : op.startsWith("LOG")
            ? "log"
            : op === "CALL" || op === "STATICCALL" || op === "DELEGATECALL"
              ? "calls"
              : op === "KECCAK256" || op === "SHA3"
                ? "keccak"
                : "other";
    b[key] += own[i];
    b.execution += own[i];
    if (step.depth >= 3) b.otherContracts += own[i];
  }
  b.unattributed = b.gasUsed - intrinsic - b.execution;
  return b;
}
