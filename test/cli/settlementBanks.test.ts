import { expect } from "chai";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import {
  BANK_INDEX,
  BANK_NAMES,
  OPERATOR_INDEX,
  paymentBatch,
  settlementFixture,
  type BankName,
} from "../sdk/settlementFixture";
import { cliWorkspace } from "./harness";

async function cliFixture() {
  const f = await settlementFixture();
  const { cli, keyFile } = cliWorkspace(f.deployment, "settlement-banks");
  const keyOf = Object.fromEntries(BANK_NAMES.map((b) => [b, keyFile(BANK_INDEX[b])])) as Record<BankName, string>;
  return { ...f, cli, keyOf, operatorKey: keyFile(OPERATOR_INDEX) };
}

describe("clearhouse batch dispute --sign-only / relay-dispute / release / bank (CLI)", () => {
  it("a suspended bank signs its dispute to a file; the operator relays it", async () => {
    const f = await loadFixture(cliFixture);
    const batch = paymentBatch(f, "alpine", [[f.addr.baltic, 1n]], "cli-one-cent");
    const { batchId } = await f.bank.alpine.settlement.submitBatch({ key: batch.key, header: batch.header });
    await f.gov.registry.suspendMember({ account: f.addr.baltic });
    const out = join(mkdtempSync(join(tmpdir(), "clearhouse-cli-dispute-")), "dispute.json");
    const signed = await f.cli(
      "--key-file",
      f.keyOf.baltic,
      "batch",
      "dispute",
      batchId,
      "--reason",
      "2",
      "--sign-only",
      "--out",
      out,
    );
    expect(signed.code, signed.err).to.equal(ExitCode.ok);
    expect(signed.out).to.include(`Signed a dispute of ${batchId} (reason 2) as ${f.addr.baltic}: wrote ${out}`);
    expect(JSON.parse(readFileSync(out, "utf8"))).to.deep.include({ batchId, reasonCode: 2, signer: f.addr.baltic });
    const relayed = await f.cli("--key-file", f.operatorKey, "batch", "relay-dispute", out);
    expect(relayed.code, relayed.err).to.equal(ExitCode.ok);
    expect(relayed.out).to.match(new RegExp(`^Relayed ${f.addr.baltic}'s dispute of ${batchId} \\(tx 0x`));
    expect((await f.operator.settlement.getBatch({ batchId })).status).to.equal("Disputed");
    const again = await f.cli("--key-file", f.operatorKey, "batch", "relay-dispute", out);
    expect(again.code).to.equal(ExitCode.refusedByChain);
    expect(again.err).to.match(/^error: LedgerWrongStatus: /);
  });

  it("the operator releases a removed bank; batch bank shows it released", async () => {
    const f = await loadFixture(cliFixture);
    const early = await f.cli("--key-file", f.operatorKey, "batch", "release", f.addr.danube);
    expect(early.code).to.equal(ExitCode.refusedByChain);
    expect(early.err).to.match(/^error: LedgerBankNotRemoved: .* is Active in the registry, not Removed/);
    await f.gov.registry.removeMember({ account: f.addr.danube });
    const released = await f.cli("--key-file", f.operatorKey, "batch", "release", f.addr.danube);
    expect(released.code, released.err).to.equal(ExitCode.ok);
    expect(released.out).to.match(new RegExp(`^Released the ledger index of ${f.addr.danube} \\(tx 0x`));
    const shown = await f.cli("batch", "bank", f.addr.danube);
    expect(shown.out).to.equal(`Bank ${f.addr.danube}: index 3, 0 batches anchored, released (left the consortium)\n`);
    const active = await f.cli("batch", "bank", f.addr.alpine);
    expect(active.out).to.equal(`Bank ${f.addr.alpine}: index 0, 0 batches anchored, active\n`);
  });
});
