/**
 * Review 23, finding 1 (decision 042): once a regulator key is registered (traceability on), a
 * batch enters a cycle only traced. A standard declaration (`declare`) and a fresh standard batch
 * presented at a close (in one transaction or streamed) revert NettingTraceRequired(epoch); a
 * standard batch declared before the key was registered is still settled by the close.
 */
import { expect } from "chai";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { deployZk } from "../zk/helpers";
import {
  closePending,
  declarationOf,
  deploySettlement,
  makeBatch,
  mined,
  netPositionsOf,
  submitFinal,
  type SettlementFixture,
} from "./helpers";

describe("NettingEngine — standard declarations while traceability is on", () => {
  async function fixture() {
    const f = await deploySettlement();
    const zk = await deployZk(f.engine, []);
    await mined(f.engine.connect(f.operator).openCycle());
    return { ...f, ...zk };
  }
  type F = Awaited<ReturnType<typeof fixture>>;

  async function registerKey(f: F) {
    const [x, y] = mulPointEscalar(Base8, 0x1234567890abcdefn);
    await mined(f.verifierRegistry.rotateRegulatorKey(x, y));
    await mined(f.verifierRegistry.setTraceThreshold(1_000n));
  }

  async function standardBatch(f: SettlementFixture, label: string, to: number, amount: bigint) {
    const b = await makeBatch(f.ledger, label, [[f.banks[to].address, amount]]);
    await submitFinal(f, f.banks[0], b, f.banks);
    return b;
  }

  it("declare is refused with the key's epoch", async () => {
    const f = await fixture();
    await registerKey(f);
    const b = await standardBatch(f, "evade-declare", 1, 50_000n);
    await expect(f.engine.connect(f.banks[0]).declare(1, b.key, b.header, b.counterparties, b.totals))
      .to.be.revertedWithCustomError(f.engine, "NettingTraceRequired")
      .withArgs(1);
  });

  it("a fresh standard batch is refused at the close, in one transaction or streamed", async () => {
    const f = await fixture();
    await registerKey(f);
    const b = await standardBatch(f, "evade-close", 2, 75_000n);
    const fresh = declarationOf(f.banks[0], b);
    await expect(closePending(f, 1, [fresh]))
      .to.be.revertedWithCustomError(f.engine, "NettingTraceRequired")
      .withArgs(1);
    await mined(f.engine.connect(f.operator).beginClose(1, 0n));
    await expect(f.engine.connect(f.operator).closeStep(1, [fresh]))
      .to.be.revertedWithCustomError(f.engine, "NettingTraceRequired")
      .withArgs(1);
  });

  it("a standard batch declared before the key is settled by the close after it", async () => {
    const f = await fixture();
    const b = await standardBatch(f, "before-key", 1, 50_000n);
    await mined(f.engine.connect(f.banks[0]).declare(1, b.key, b.header, b.counterparties, b.totals));
    await registerKey(f);
    await expect(closePending(f, 1)).to.emit(f.engine, "CycleClosed");
    const net = await netPositionsOf(f.engine, 1, [f.banks[0].address, f.banks[1].address]);
    expect(net).to.deep.equal([-50_000n, 50_000n]);
  });

  it("without a key, standard declarations and fresh batches are accepted as before", async () => {
    const f = await fixture();
    const b = await standardBatch(f, "no-key", 1, 50_000n);
    await expect(f.engine.connect(f.banks[0]).declare(1, b.key, b.header, b.counterparties, b.totals)).to.emit(
      f.engine,
      "BatchDeclared",
    );
    const c = await standardBatch(f, "no-key-fresh", 2, 20_000n);
    await expect(closePending(f, 1, [declarationOf(f.banks[0], c)])).to.emit(f.engine, "CycleClosed");
  });
});
