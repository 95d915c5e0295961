/**
 * The demo's settlement day (scripts/demo/settlementDay.ts: 10,000 payments in four batches, two
 * netting cycles, a gridlocked bank settled on a credit line) on a faulty Besu-like network: each
 * bank and the operator talk to their own node of the front (test/helpers/besuFront.ts), with the
 * other nodes as fallbacks. Baltic's node dies in the middle of Baltic's batch submission and
 * comes back 10 s later; the operator's node is cut off the moment it takes a cycle close and
 * heals 8 s later. Every batch must be anchored exactly once, every cycle closed, and the audit
 * must pass. Not a consensus test (one chain behind every node; see besuFront.ts).
 */
import { expect } from "chai";
import {
  createPublicClient,
  fallback,
  http,
  parseEventLogs,
  parseTransaction,
  toFunctionSelector,
  type Address,
  type Hex,
  type Transport,
} from "viem";
import { nettingEngineAbi, settlementLedgerAbi } from "../../packages/contracts/src";
import { createClearhouse, type Clearhouse } from "../../packages/sdk/src";
import { auditChain } from "../../packages/sdk/src/node/audit";
import { proofVerifier, releaseProver } from "../../packages/zk/src";
import { settlementDay, type SettlementDayResult } from "../../scripts/demo/settlementDay";
import { devKey } from "../helpers/besuAnvil";
import { startBesuConsortium, type BesuConsortium } from "../helpers/besuConsortium";
import { startBesuFront, type BesuFront } from "../helpers/besuFront";

const key = (i: number) => devKey(i);
/** Who runs on which node, and their development account (as in config/consortium.example.yaml). */
const PARTIES = {
  alpine: { node: 0, account: 2 },
  baltic: { node: 1, account: 3 },
  celtic: { node: 2, account: 4 },
  danube: { node: 3, account: 5 },
  operator: { node: 4, account: 1 },
} as const;
type Party = keyof typeof PARTIES;
const BANKS = ["alpine", "baltic", "celtic", "danube"] as const;

/** The selectors of the netting engine's close functions (closeCycle, closeCycleWith, closeStep, …). */
const CLOSE_SELECTORS = new Set(
  nettingEngineAbi
    .filter((item) => item.type === "function" && item.name.startsWith("close"))
    .map((item) => toFunctionSelector(item as never)),
);

describe("The settlement day on a faulty Besu-like network (4 banks on 4 nodes)", function () {
  this.timeout(300_000);
  let net: BesuConsortium;
  let front: BesuFront;
  const faults: string[] = [];
  const timers: Promise<unknown>[] = [];

  before(async () => {
    net = await startBesuConsortium({ blockTime: 1 });
    front = await startBesuFront({ upstream: net.anvil.url, endpoints: 5 });
  });

  after(async () => {
    await Promise.allSettled(timers);
    await front?.close();
    await net?.anvil.stop();
    await releaseProver();
  });

  /** Its own node first, then the others in order. */
  const urlsOf = (party: Party): string[] => {
    const own = PARTIES[party].node;
    return [...front.urls.slice(own), ...front.urls.slice(0, own)];
  };

  /** The operator's transport: the first cycle close it sends cuts its node off for 8 s. */
  const operatorTransport = (urls: string[]): Transport => {
    const inner = fallback(
      urls.map((url) => http(url, { retryCount: 0 })),
      { rank: false },
    );
    let cut = false;
    return (options) => {
      const t = inner(options);
      const request = (async (args: { method: string; params?: unknown }) => {
        if (!cut && args.method === "eth_sendRawTransaction") {
          const data = parseTransaction((args.params as [Hex])[0]).data ?? "0x";
          if (CLOSE_SELECTORS.has(data.slice(0, 10) as Hex)) {
            cut = true;
            const frozenAt = await front.partition(PARTIES.operator.node);
            faults.push(`operator's node cut off at block ${frozenAt} as it takes a close`);
            timers.push(
              new Promise((r) => setTimeout(r, 8_000)).then(async () => {
                const sent = await front.heal(PARTIES.operator.node);
                faults.push(`operator's node healed; it forwarded ${sent.length} held transaction(s)`);
              }),
            );
          }
        }
        return t.request(args as never);
      }) as typeof t.request;
      return { ...t, request };
    };
  };

  it("anchors every batch once, closes every cycle and passes the audit, through a node crash and a partition", async () => {
    const started = Date.now();
    const clients = new Map<Party, Clearhouse>();
    for (const party of Object.keys(PARTIES) as Party[]) {
      const urls = urlsOf(party);
      const common = { deployment: net.deployment, account: key(PARTIES[party].account), pollingInterval: 200 };
      clients.set(
        party,
        party === "operator"
          ? createClearhouse({ ...common, transport: operatorTransport(urls) })
          : createClearhouse({ ...common, rpcUrls: urls }),
      );
    }
    const as = (party: string): Clearhouse => {
      const c = clients.get(party as Party);
      if (!c) throw new Error(`no party ${party}`);
      return c;
    };
    const addr = (party: string): Address => as(party).context.walletClient!.account.address;
    for (const bank of BANKS) await as("operator").token.mint({ bank: addr(bank), amount: 1_000_000_00n });

    const log = (line: string): void => {
      if (line.startsWith("each bank anchors its batch")) {
        // Baltic's node dies once it has passed Baltic's submission on, before it answers
        front.crashOnNextSend(PARTIES.baltic.node);
        faults.push("baltic's node set to crash on its next send");
        timers.push(
          new Promise((r) => setTimeout(r, 10_000)).then(async () => {
            await front.restart(PARTIES.baltic.node);
            faults.push("baltic's node restarted");
          }),
        );
      }
    };
    const day: SettlementDayResult = await settlementDay({ as, addr, log, valueDate: "2026-12-07" });
    await Promise.all(timers);
    expect(faults).to.deep.equal([
      "baltic's node set to crash on its next send",
      "baltic's node restarted",
      `operator's node cut off at block ${faults[2]?.match(/block (\d+)/)?.[1]} as it takes a close`,
      "operator's node healed; it forwarded 1 held transaction(s)",
    ]);
    expect(front.crashes(PARTIES.baltic.node), "baltic's node crashed on baltic's submission").to.equal(1);
    const baltic = createPublicClient({ transport: http(front.urls[PARTIES.baltic.node], { retryCount: 0 }) });
    expect(await baltic.getBlockNumber(), "baltic's node is back").to.be.a("bigint");

    // every batch anchored exactly once
    const chain = createPublicClient({ chain: net.anvil.chain, transport: http(net.anvil.url) });
    const logs = await chain.getLogs({
      address: net.deployment.contracts.SettlementLedger!.proxy,
      fromBlock: 0n,
      toBlock: "latest",
    });
    const anchored = parseEventLogs({ abi: settlementLedgerAbi, logs, eventName: "BatchSubmitted" });
    expect(anchored).to.have.length(4);
    expect(new Set(anchored.map((e) => e.args.batchId)).size).to.equal(4);
    expect(day.payments).to.equal(10_000);

    // every cycle closed
    const operator = as("operator");
    for (const cycleId of [1n, 2n]) expect((await operator.settlement.getCycle({ cycleId })).status).to.equal("Closed");

    // the audit passes on what the chain and the banks' files say
    const audit = await auditChain(operator.context, { verifier: proofVerifier(), batchFiles: day.batchFiles });
    const failed = audit.checks
      .filter((c) => c.result === "failed")
      .map((c) => `${c.title}: ${JSON.stringify(c.failures)}`);
    expect(failed).to.deep.equal([]);
    expect(audit.ok).to.equal(true);
    console.log(`      settlement day on the faulty network: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
