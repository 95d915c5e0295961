/**
 * Rotation keeps a member's history: a bank that is a MemberAccount enrolls, submits and settles
 * through one key, rotates to another, and carries on with the same batches, sequence, ledger
 * index, limits, roles and balance. Also: what `execute` costs beside a direct call.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Role } from "../../helpers/fixtures";
import {
  batchIdOf,
  deploySettlement,
  INITIAL_BALANCE,
  makeBatch,
  MAX_UINT256,
  mined,
  Status,
  type Batch,
} from "../settlement/helpers";
import { admitAccountBank, createAccount, deployAccountKit, KeyRole } from "./accounts";

async function accountBank() {
  const f = await deploySettlement();
  const kit = await deployAccountKit(f.registry, f.owner);
  const [keyA, keyB] = f.others.slice(8, 10);
  const account = await createAccount(kit, keyA);
  const address = await account.getAddress();
  await admitAccountBank(f.registry, address, "Account Bank");
  const ledger = await f.ledger.getAddress();
  await mined(account.connect(keyA).execute(ledger, f.ledger.interface.encodeFunctionData("enroll")));
  await mined(f.token.connect(f.operator).mint(address, INITIAL_BALANCE));
  const approve = f.token.interface.encodeFunctionData("approve", [f.engineAddress, MAX_UINT256]);
  await mined(account.connect(keyA).execute(await f.token.getAddress(), approve));
  return { ...f, kit, account, address, keyA, keyB };
}

describe("MemberAccount rotation", function () {
  it("keeps batches, sequence, index, limits, roles and balance across a key rotation", async function () {
    const f = await loadFixture(accountBank);
    const ledger = await f.ledger.getAddress();
    const submitVia = async (key: typeof f.keyA, batch: Batch) =>
      mined(
        f.account
          .connect(key)
          .execute(ledger, f.ledger.interface.encodeFunctionData("submitBatch", [batch.key, batch.header])),
      );
    const first = await makeBatch(f.ledger, "acct-1", [[f.banks[0].address, 1_000n]]);
    await submitVia(f.keyA, first);
    const firstId = batchIdOf(f.address, first.key);
    const [index] = await f.ledger.bankOf(f.address);
    const before = {
      member: await f.registry.memberOf(f.address),
      balance: await f.token.balanceOf(f.address),
      sequence: (await f.ledger.bankOf(f.address))[1],
    };

    await mined(f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.ALL));
    await mined(f.account.connect(f.keyB).revokeKey(f.keyA.address));

    const second = await makeBatch(f.ledger, "acct-2", [[f.banks[1].address, 2_000n]]);
    await expect(submitVia(f.keyA, second))
      .to.be.revertedWithCustomError(f.account, "MemberAccountUnauthorized")
      .withArgs(f.keyA.address, KeyRole.SUBMIT);
    await submitVia(f.keyB, second);
    const secondId = batchIdOf(f.address, second.key);

    // what keyA did before its revocation stands
    // (the batch id is keccak(submitter, key): anchored under the account's id, not a key's)
    expect(await f.ledger.statusOf(firstId, first.header)).to.equal(Status.Submitted);
    expect(await f.ledger.statusOf(secondId, second.header)).to.equal(Status.Submitted);
    const [indexAfter, sequenceAfter] = await f.ledger.bankOf(f.address);
    expect(indexAfter).to.equal(index);
    expect(sequenceAfter).to.equal(before.sequence + 1n);
    const member = await f.registry.memberOf(f.address);
    expect(member.roles).to.equal(Role.MEMBER_BANK);
    expect(member.maxDailyOutflow).to.equal(before.member.maxDailyOutflow);
    expect(await f.token.balanceOf(f.address)).to.equal(before.balance);
    // the counterparty acknowledges the account's batch as any other
    await mined(f.ledger.connect(f.banks[1]).acknowledge(secondId, second.header));
    expect(await f.ledger.statusOf(secondId, second.header)).to.equal(Status.Final);
  });

  it("costs a bounded overhead over a direct call (gas printed for docs/access.md)", async function () {
    const f = await loadFixture(accountBank);
    const ledger = await f.ledger.getAddress();
    const direct = await makeBatch(f.ledger, "direct", [[f.banks[0].address, 1_000n]]);
    const directGas = (await mined(f.ledger.connect(f.banks[2]).submitBatch(direct.key, direct.header))).gasUsed;
    const via = await makeBatch(f.ledger, "via", [[f.banks[0].address, 1_000n]]);
    const data = f.ledger.interface.encodeFunctionData("submitBatch", [via.key, via.header]);
    const viaGas = (await mined(f.account.connect(f.keyA).execute(ledger, data))).gasUsed;
    const overhead = viaGas - directGas;
    console.log(`      submitBatch direct ${directGas}, through execute ${viaGas}, overhead ${overhead}`);
    expect(overhead).to.be.lessThan(30_000n);
    const rotateGas =
      (await mined(f.account.connect(f.keyA).authorizeKey(f.keyB.address, KeyRole.ALL))).gasUsed +
      (await mined(f.account.connect(f.keyB).revokeKey(f.keyA.address))).gasUsed;
    console.log(`      rotation (authorize + revoke) ${rotateGas}`);
  });
});
