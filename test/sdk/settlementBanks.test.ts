import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  ContractRevertError,
  InvalidArgumentError,
  maskIndexes,
  type Batch,
  type Clearhouse,
} from "../../packages/sdk/src";
import { rejectsWith } from "./fixture";
import { paymentBatch, settlementFixture, smallSampleBatch } from "./settlementFixture";

/** SettlementLedger.RELEASE_QUARANTINE: 30 days + 15 minutes. */
const QUARANTINE = 30 * 86_400 + 900;

async function submit(bank: Clearhouse, batch: Batch) {
  const r = await bank.settlement.submitBatch({ key: batch.key, header: batch.header });
  expect(r.created).to.equal(true);
  return r;
}

describe("SDK settlement: 256-bank masks, release, barring, signed disputes, verifyRecord", () => {
  it("masks are bigints; maskIndexes names the indexes of a mask up to bit 255", async () => {
    const f = await loadFixture(settlementFixture);
    const { header } = await submit(f.bank.alpine, smallSampleBatch(f));
    expect(header.counterpartyMask).to.equal(0b1110n);
    expect(maskIndexes(header.counterpartyMask)).to.deep.equal([1, 2, 3]);
    expect(maskIndexes((1n << 255n) | 1n)).to.deep.equal([0, 255]);
    expect(maskIndexes(0n)).to.deep.equal([]);
  });

  it("verifyRecordOnChain: true for every record, false for a forged amount; header checked", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    const { batchId, header } = await submit(f.bank.alpine, batch);
    for (let i = 0; i < batch.records.length; i++) {
      const proof = batch.tree.proof(i);
      const ok = await f.operator.settlement.verifyRecordOnChain({ batchId, header, record: batch.records[i], proof });
      expect(ok).to.equal(true);
    }
    const forged = { ...batch.records[0], amount: batch.records[0].amount + 1n };
    const proof = batch.tree.proof(0);
    expect(await f.operator.settlement.verifyRecordOnChain({ batchId, header, record: forged, proof })).to.equal(false);
    const mismatch = await rejectsWith(
      f.operator.settlement.verifyRecordOnChain({
        batchId,
        header: { ...header, entryCount: header.entryCount + 1 },
        record: batch.records[0],
        proof,
      }),
      ContractRevertError,
    );
    expect(mismatch.errorName).to.equal("LedgerHeaderMismatch");
  });

  it("a suspended counterparty signs its dispute; the operator relays it: Disputed", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = paymentBatch(f, "alpine", [[f.addr.baltic, 1n]], "one-cent");
    const { batchId } = await submit(f.bank.alpine, batch);
    await f.gov.registry.suspendMember({ account: f.addr.baltic });
    const signed = await f.bank.baltic.settlement.signDispute({ batchId, reasonCode: 4 });
    expect(signed).to.deep.include({ batchId, reasonCode: 4, signer: f.addr.baltic });
    const info = await f.operator.settlement.getBatch({ batchId });
    expect(signed.deadline).to.equal(BigInt(info.windowClosesAt));
    // Tampered (another reason): refused with the catalogue's message.
    const tampered = await rejectsWith(
      f.operator.settlement.disputeBySignature({ ...signed, reasonCode: 5 }),
      ContractRevertError,
    );
    expect(tampered.errorName).to.equal("LedgerInvalidSignature");
    expect(tampered.message).to.match(/is not 0x.*'s over this batch, reason and deadline/);
    const tx = await f.operator.settlement.disputeBySignature(signed);
    expect(tx.hash).to.match(/^0x/);
    expect((await f.operator.settlement.getBatch({ batchId })).status).to.equal("Disputed");
    const expired = await f.bank.celtic.settlement.signDispute({ batchId, reasonCode: 1, deadline: 1n });
    const late = await rejectsWith(f.operator.settlement.disputeBySignature(expired), ContractRevertError);
    expect(late.errorName).to.equal("LedgerSignatureExpired");
  });

  it("releases a removed bank's index: masks refuse it, a new bank gets a new index during the quarantine", async () => {
    const f = await loadFixture(settlementFixture);
    await f.gov.registry.removeMember({ account: f.addr.danube });
    const notOperator = await rejectsWith(
      f.bank.alpine.settlement.releaseBank({ bank: f.addr.danube }),
      ContractRevertError,
    );
    expect(notOperator.errorName).to.equal("RegistryMissingRole");
    const notRemoved = await rejectsWith(
      f.operator.settlement.releaseBank({ bank: f.addr.celtic }),
      ContractRevertError,
    );
    expect(notRemoved.errorName).to.equal("LedgerBankNotRemoved");
    expect(notRemoved.message).to.contain("is Active in the registry, not Removed");
    await f.operator.settlement.releaseBank({ bank: f.addr.danube });
    expect(await f.operator.settlement.getLedgerBank({ bank: f.addr.danube })).to.deep.include({
      index: 3,
      barred: false,
      released: true,
    });
    const [free] = await f.operator.settlement.freeIndexes();
    expect(free.index).to.equal(3);
    expect(free.availableAt).to.equal((await time.latest()) + QUARANTINE + 1);
    // A batch can no longer name the released bank.
    await rejectsWith(
      f.bank.alpine.settlement.submitBatch({
        key: "to-danube",
        header: paymentBatch(f, "alpine", [[f.addr.danube, 5n]], "d").header,
      }),
      InvalidArgumentError,
    );
    // Index 4 is still new: the late bank enrolls there; the next one would wait for index 3.
    expect((await f.unenrolled.settlement.enroll()).index).to.equal(4);
    await time.increaseTo(free.availableAt);
    expect(await f.operator.settlement.freeIndexes()).to.have.length(1);
  });

  it("ledgerIndexOf: an enrolled bank's index, undefined for one never enrolled, kept after release", async () => {
    const f = await loadFixture(settlementFixture);
    const { index } = await f.operator.settlement.getLedgerBank({ bank: f.addr.celtic });
    expect(await f.operator.settlement.ledgerIndexOf({ bank: f.addr.celtic })).to.equal(index);
    expect(await f.operator.settlement.ledgerIndexOf({ bank: f.addr.alpine })).to.equal(0);
    expect(await f.operator.settlement.ledgerIndexOf({ bank: f.unenrolledAddress })).to.equal(undefined);
    await f.gov.registry.removeMember({ account: f.addr.danube });
    await f.operator.settlement.releaseBank({ bank: f.addr.danube });
    expect(await f.operator.settlement.ledgerIndexOf({ bank: f.addr.danube })).to.equal(3);
    const bad = await rejectsWith(
      f.operator.settlement.ledgerIndexOf({ bank: "0x1234" as `0x${string}` }),
      InvalidArgumentError,
    );
    expect(bad.message).to.contain("bank");
  });

  it("the owner bars a bank: isBarred, its new batches refused with LedgerBankBarred's hint", async () => {
    const f = await loadFixture(settlementFixture);
    expect(await f.operator.settlement.isBarred({ bank: f.addr.alpine })).to.equal(false);
    await f.gov.settlement.setBarred({ bank: f.addr.alpine, barred: true });
    expect(await f.operator.settlement.isBarred({ bank: f.addr.alpine })).to.equal(true);
    const refused = await rejectsWith(f.bank.alpine.settlement.submitBatch(smallSampleBatch(f)), ContractRevertError);
    expect(refused.errorName).to.equal("LedgerBankBarred");
    expect(refused.message).to.contain("barred from anchoring new batches");
    const byBank = await rejectsWith(
      f.bank.baltic.settlement.setBarred({ bank: f.addr.alpine, barred: false }),
      ContractRevertError,
    );
    expect(byBank.errorName).to.equal("LedgerUnauthorizedBarring");
    await f.gov.settlement.setBarred({ bank: f.addr.alpine, barred: false });
    await submit(f.bank.alpine, smallSampleBatch(f));
  });
});
