import { expect } from "chai";
import hre from "hardhat";
import { time, loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { custom } from "viem";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { ContractRevertError, createClearhouse, leiWithCheckDigits, Role, UNLIMITED } from "../../packages/sdk/src";
import {
  acceptVoucher,
  allowanceFromJson,
  allowanceToJson,
  checkVoucher,
  newDeviceState,
  payOffline,
  planBulk,
  signAllowance,
  signVoucherWithSerial,
  voucherFromJson,
  voucherToJson,
  VoucherRefusedError,
  DevicePaymentError,
  type OfflineContext,
  type PayeeBook,
} from "../../packages/sdk/src/offline";
import { deployConsortium } from "../../scripts/lib/deployConsortium";
import { key, rejectsWith } from "./fixture";

const CAP = 50_000n;
const COUNT = 10;

async function offlineFixture() {
  const deployment = await deployConsortium({ token: { name: "Test Euro", symbol: "tEUR", decimals: 2 } });
  const transport = custom(hre.network.provider, { retryCount: 0 });
  const gov = createClearhouse({ transport, deployment, account: key(0), pollingInterval: 10 });
  const [operator, bankA, bankB, payer, shop1, shop2] = [1, 2, 3, 10, 11, 12].map((i) => gov.as(key(i)));
  await gov.registry.admitMember({
    account: key(1).address,
    roles: Role.OPERATOR,
    lei: leiWithCheckDigits("5493000OPERATOR000"),
    name: "Operator",
    maxSingleTransfer: UNLIMITED,
    maxDailyOutflow: UNLIMITED,
  });
  for (const i of [2, 3])
    await gov.registry.admitMember({
      account: key(i).address,
      roles: Role.MEMBER_BANK,
      lei: leiWithCheckDigits(`5493000BANK${i}000000`),
      name: `Bank ${i}`,
      maxSingleTransfer: UNLIMITED,
      maxDailyOutflow: UNLIMITED,
    });
  await operator.token.mint({ bank: key(2).address, amount: 10_000_000n });
  await bankA.registry.openWallet({ wallet: key(10).address, tier: 2 });
  for (const i of [11, 12]) await bankB.registry.openWallet({ wallet: key(i).address, tier: 2 });
  await bankA.token.transfer({ to: key(10).address, amount: 1_000_000n });
  await bankA.offline.postGuarantee({ amount: 1_000_000n });
  const vault = deployment.contracts.OfflineVault!.proxy;
  const domain = { chainId: deployment.chainId, vault };
  const device = privateKeyToAccount(generatePrivateKey());
  const expiry = BigInt(await time.latest()) + 30n * 86_400n;
  const allowance = await signAllowance(key(2), domain, {
    wallet: key(10).address,
    device: device.address,
    bank: key(2).address,
    cap: CAP,
    count: COUNT,
    expiry,
    nonce: 1n,
  });
  const anchored = await payer.offline.anchorAllowance({ allowance });
  return { deployment, gov, bankA, bankB, payer, shop1, shop2, device, allowance, anchored, domain, expiry };
}

describe("SDK offline payments (real Hardhat network)", () => {
  it("anchors a bank-signed certificate from the wallet, approving the vault for it", async () => {
    const { gov, anchored, allowance } = await loadFixture(offlineFixture);
    expect(anchored.locked).to.equal(CAP * BigInt(COUNT));
    const a = await gov.offline.getAllowance({ allowanceId: anchored.allowanceId });
    expect(a).to.deep.include({ status: 1, remaining: CAP * BigInt(COUNT), device: allowance.cert.device });
    expect((await gov.offline.getBankBook({ bank: key(2).address })).locked).to.equal(CAP * BigInt(COUNT));
  });

  it("pays offline, accepts offline with no node, redeems on reconnect; a replay pays once", async () => {
    const { gov, shop1, device, allowance, domain, expiry } = await loadFixture(offlineFixture);
    let state = newDeviceState(allowance);
    const now = expiry - 86_400n;
    const paid = await payOffline(state, device, { payee: key(11).address, amount: 12_500n, now });
    state = paid.state;
    expect(state.nextSerial).to.equal(2);
    // The payee's side: JSON in, nothing but the certificate and the bank list.
    const received = voucherFromJson(JSON.parse(JSON.stringify(voucherToJson(paid.voucher))));
    const cert = allowanceFromJson(JSON.parse(JSON.stringify(allowanceToJson(allowance))));
    const ctx: OfflineContext = { ...domain, payee: key(11).address, banks: [key(2).address, key(3).address], now };
    let book: PayeeBook = { payee: key(11).address, accepted: [] };
    ({ book } = await acceptVoucher(book, cert, received, ctx));
    expect(book.accepted).to.have.length(1);
    const replay = await acceptVoucher(book, cert, received, ctx).catch((e: unknown) => e);
    expect(replay).to.be.instanceOf(VoucherRefusedError);
    expect((replay as VoucherRefusedError).reason).to.equal("serial-seen");
    // Reconnect.
    expect(await gov.offline.getVoucherStatus({ voucher: received })).to.equal("open");
    await shop1.offline.redeemVoucher({ voucher: received });
    expect(await gov.offline.getVoucherStatus({ voucher: received })).to.equal("redeemed");
    expect(await gov.token.getBalance({ account: key(11).address })).to.equal(12_500n);
    const again = await rejectsWith(gov.offline.redeemVoucher({ voucher: received }), ContractRevertError);
    expect(again.message).to.match(/was redeemed already/);
  });

  it("refuses offline what the vault would refuse: forged, over cap, wrong chain, expired, unknown bank", async () => {
    const { device, allowance, domain, expiry } = await loadFixture(offlineFixture);
    const now = expiry - 10n;
    const ctx: OfflineContext = { ...domain, payee: key(11).address, banks: [key(2).address], now };
    const reason = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as VoucherRefusedError).reason;
    const good = (await payOffline(newDeviceState(allowance), device, { payee: key(11).address, amount: 1n, now }))
      .voucher;
    expect(await checkVoucher(allowance, good, new Set(), ctx)).to.have.property("digest");
    const forged = { ...good, voucher: { ...good.voucher, amount: 2n } };
    expect(await reason(checkVoucher(allowance, forged, new Set(), ctx))).to.equal("bad-device-signature");
    const over = await signVoucherWithSerial(allowance, device, {
      payee: key(11).address,
      amount: CAP + 1n,
      serial: 2,
    });
    expect(await reason(checkVoucher(allowance, over, new Set(), ctx))).to.equal("bad-amount");
    expect(await reason(checkVoucher(allowance, { ...good, chainId: 1 }, new Set(), ctx))).to.equal("wrong-chain");
    expect(await reason(checkVoucher(allowance, good, new Set(), { ...ctx, now: expiry + 1n }))).to.equal(
      "certificate-expired",
    );
    expect(await reason(checkVoucher(allowance, good, new Set(), { ...ctx, banks: [key(3).address] }))).to.equal(
      "unknown-bank",
    );
    expect(await reason(checkVoucher(allowance, good, new Set(), { ...ctx, payee: key(12).address }))).to.equal(
      "wrong-payee",
    );
    const badSerial = await signVoucherWithSerial(allowance, device, {
      payee: key(11).address,
      amount: 1n,
      serial: 11,
    });
    expect(await reason(checkVoucher(allowance, badSerial, new Set(), ctx))).to.equal("bad-serial");
    // The device refuses what it cannot cover.
    const exhausted = { ...newDeviceState(allowance), nextSerial: COUNT + 1 };
    const err = await payOffline(exhausted, device, { payee: key(11).address, amount: 1n, now }).catch(
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DevicePaymentError);
    expect((err as DevicePaymentError).reason).to.equal("exhausted");
  });

  it("a double spend is caught on reconnect and made whole from the bank's guarantee", async () => {
    const { gov, shop1, shop2, device, allowance } = await loadFixture(offlineFixture);
    const a = await signVoucherWithSerial(allowance, device, { payee: key(11).address, amount: 30_000n, serial: 3 });
    const b = await signVoucherWithSerial(allowance, device, { payee: key(12).address, amount: 40_000n, serial: 3 });
    await shop1.offline.redeemVoucher({ voucher: a });
    expect(await gov.offline.getVoucherStatus({ voucher: b })).to.equal("taken-by-another");
    await shop2.offline.redeemVoucher({ voucher: b });
    expect(await gov.offline.getVoucherStatus({ voucher: b })).to.equal("compensated");
    expect(await gov.token.getBalance({ account: key(12).address })).to.equal(40_000n);
    expect((await gov.offline.getBankBook({ bank: key(2).address })).guarantee).to.equal(1_000_000n - 40_000n);
  });

  it("bulk: plans claims, claims, settles after the window; a later duplicate finds its evidence on chain", async () => {
    const { gov, bankB, shop2, device, allowance, expiry } = await loadFixture(offlineFixture);
    let state = newDeviceState(allowance);
    const vouchers = [];
    for (const payee of [11, 12, 11]) {
      const r = await payOffline(state, device, { payee: key(payee).address, amount: 1_000n, now: expiry - 100n });
      state = r.state;
      vouchers.push(r.voucher);
    }
    const dup = await signVoucherWithSerial(allowance, device, { payee: key(12).address, amount: 999n, serial: 2 });
    const plan = planBulk({ chainId: allowance.chainId, vault: allowance.vault }, [...vouchers, dup]);
    expect(plan.vouchers).to.equal(3);
    expect(plan.duplicates).to.deep.equal([dup]);
    expect(plan.claims[0].serials).to.equal(0b111n);
    const claimed = await bankB.offline.claimBulk({ plan });
    expect(claimed.total).to.equal(3_000n);
    expect((await gov.offline.getBulkBatch({ batchId: claimed.batchId })).claimsHash).to.equal(plan.claimsHash);
    expect(await gov.offline.getVoucherStatus({ voucher: dup })).to.equal("claimed-in-bulk");
    await time.increaseTo(claimed.disputeEnd + 1n);
    await gov.offline.settleBulk({ batchId: claimed.batchId });
    const evidence = await gov.offline.findBulkEvidence({ allowanceId: dup.voucher.allowanceId, serial: 2 });
    expect(evidence?.batchId).to.equal(claimed.batchId);
    await shop2.offline.redeemDoubleSpent({ voucher: dup });
    expect(await gov.offline.getVoucherStatus({ voucher: dup })).to.equal("compensated");
  });
});
