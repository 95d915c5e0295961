/**
 * SDK member accounts on the in-process chain (deployed by the real deploy code): create an account,
 * admit it, act through it (enroll, approve, submit a batch, sign a dispute), rotate its key and
 * carry on, and the refusals a revoked key or bad input get.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { custom, keccak256, toHex, type Address } from "viem";
import {
  buildBatch,
  ContractNotDeployedError,
  ContractRevertError,
  createClearhouse,
  InvalidArgumentError,
  type Clearhouse,
} from "../../packages/sdk/src";
import { KEY_A, KEY_B, accountFixture } from "./accountFixture";
import { key, rejectsWith } from "./fixture";
import { BANK_FUNDS, payments } from "./settlementFixture";

/** Nord Bank (accountFixture), enrolled, funded and letting the engine pull its net debits. */
async function enrolledAccount() {
  const f = await accountFixture();
  const { account, nord } = f;
  await nord.settlement.enroll();
  await f.operator.token.mint({ bank: account, amount: BANK_FUNDS });
  await nord.token.approve({ spender: f.deployment.contracts.NettingEngine!.proxy, amount: 2n ** 255n });
  return { ...f, account, nord };
}

function nordBatch(f: { account: Address; addr: Record<string, Address> }, tag: string) {
  return buildBatch(payments(f.account, [[f.addr.baltic, 12_345n]], `nord-${tag}`), { submitter: f.account, key: tag });
}

describe("SDK member accounts", () => {
  it("creates an account at its predicted address with the first key holding every role", async () => {
    const f = await loadFixture(enrolledAccount);
    const predicted = await f.gov.accounts.predictMemberAccount({
      firstKey: key(KEY_A).address,
      salt: keccak256(toHex("nord")),
    });
    expect(predicted).to.equal(f.account);
    expect(await f.gov.accounts.memberKeys({ account: f.account })).to.deep.equal([
      { key: key(KEY_A).address, roles: 7, roleNames: ["submit", "approve", "operate"] },
    ]);
    expect(await f.gov.accounts.accountOfKey({ key: key(KEY_A).address })).to.equal(f.account);
    expect(await f.gov.accounts.accountOfKey({ key: key(KEY_B).address })).to.equal(undefined);
  });

  it("acts as the member: the batch is the account's, and survives the rotation to a new key", async () => {
    const f = await loadFixture(enrolledAccount);
    const first = nordBatch(f, "n1");
    const r1 = await f.nord.settlement.submitBatch({ key: first.key, header: first.header });
    expect(r1.created).to.equal(true);
    expect(r1.batchId).to.equal(first.batchId);
    const before = await f.gov.settlement.getLedgerBank({ bank: f.account });

    await f.nord.accounts.authorizeKey({
      account: f.account,
      key: key(KEY_B).address,
      roles: ["submit", "approve", "operate"],
    });
    const nordB: Clearhouse = f.gov.as(key(KEY_B), f.account);
    await nordB.accounts.revokeKey({ account: f.account, key: key(KEY_A).address });
    expect(await f.gov.accounts.accountOfKey({ key: key(KEY_A).address })).to.equal(undefined);

    const second = nordBatch(f, "n2");
    const refused = await rejectsWith(
      f.nord.settlement.submitBatch({ key: second.key, header: second.header }),
      ContractRevertError,
    );
    expect(refused.errorName).to.equal("MemberAccountUnauthorized");
    expect(refused.message).to.match(/not a key of this account holding SUBMIT/);
    const r2 = await nordB.settlement.submitBatch({ key: second.key, header: second.header });
    expect(r2.created).to.equal(true);
    const after = await f.gov.settlement.getLedgerBank({ bank: f.account });
    expect(after.index).to.equal(before.index);
    expect(after.sequence).to.equal(before.sequence + 1n);
    expect(await f.gov.token.getBalance({ account: f.account })).to.equal(BANK_FUNDS);
    // the chain's permissioning sees the same
    const token = f.deployment.contracts.SettlementToken.proxy;
    expect((await f.gov.registry.checkTransaction({ sender: key(KEY_A).address, target: token })).allowed).to.equal(
      false,
    );
    expect((await f.gov.registry.checkTransaction({ sender: key(KEY_B).address, target: token })).allowed).to.equal(
      true,
    );
  });

  it("signs a dispute as the account (key ‖ signature, checked by ERC-1271) that another member relays", async () => {
    const f = await loadFixture(enrolledAccount);
    const batch = buildBatch(payments(f.addr.alpine, [[f.account, 500n]], "to-nord"), {
      submitter: f.addr.alpine,
      key: "to-nord",
    });
    const { batchId } = await f.bank.alpine.settlement.submitBatch({ key: batch.key, header: batch.header });
    const signed = await f.nord.settlement.signDispute({ batchId, reasonCode: 3 });
    expect(signed.signer).to.equal(f.account);
    expect(signed.signature.length).to.equal(2 + 2 * (20 + 65));
    await f.operator.settlement.disputeBySignature(signed);
    expect((await f.gov.settlement.getBatch({ batchId })).status).to.equal("Disputed");
  });

  it("refuses bad input before sending: role names, a permit through an account, a missing deployment part", async () => {
    const f = await loadFixture(enrolledAccount);
    const bad = await rejectsWith(
      f.nord.accounts.authorizeKey({ account: f.account, key: key(KEY_B).address, roles: ["admin" as "submit"] }),
      InvalidArgumentError,
    );
    expect(bad.message).to.match(/key roles are submit, approve and operate/);
    await rejectsWith(
      f.nord.accounts.authorizeKey({ account: f.account, key: key(KEY_B).address, roles: 9 }),
      InvalidArgumentError,
    );
    await rejectsWith(
      f.nord.accounts.authorizeKey({ account: f.account, key: key(KEY_B).address, roles: [] }),
      InvalidArgumentError,
    );
    const permit = await rejectsWith(
      f.nord.token.signPermit({ spender: f.addr.alpine, value: 1n, deadline: 2n ** 40n }),
      InvalidArgumentError,
    );
    expect(permit.message).to.match(/approve through the account/);
    const last = await rejectsWith(
      f.nord.accounts.revokeKey({ account: f.account, key: key(KEY_A).address }),
      ContractRevertError,
    );
    expect(last.errorName).to.equal("MemberAccountLastOperator");
    const older = { ...f.deployment.contracts };
    delete older.MemberAccounts;
    const oldClient = createClearhouse({
      transport: custom(hre.network.provider, { retryCount: 0 }),
      deployment: { ...f.deployment, contracts: older },
      account: key(KEY_B),
    });
    const missing = await rejectsWith(
      oldClient.accounts.createMemberAccount({ firstKey: key(KEY_B).address }),
      ContractNotDeployedError,
    );
    expect(missing.message).to.match(/no MemberAccountFactory/);
  });
});
