/**
 * `clearhouse keys` and `--member-account`: a bank that is a member account, through the CLI,
 * against the in-process chain — create, admit, act, rotate, revoke, and the refusals.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import { leiWithCheckDigits, Role } from "../../packages/sdk/src";
import { key } from "../sdk/fixture";
import { BANK_LIMIT, settlementFixture } from "../sdk/settlementFixture";
import { cliWorkspace, expectFailure, jsonResult } from "./harness";

const KEY_A = 14;
const KEY_B = 15;

async function keysFixture() {
  const f = await settlementFixture();
  const ws = cliWorkspace(f.deployment, "keys");
  const created = jsonResult<{ account: string }>(
    await ws.cli(
      "--json",
      "keys",
      "create",
      "--first-key",
      key(KEY_A).address,
      "--salt",
      "nord",
      "--key-file",
      ws.keyFile(KEY_A),
    ),
  );
  await f.gov.registry.admitMember({
    account: created.account as `0x${string}`,
    roles: Role.MEMBER_BANK,
    lei: leiWithCheckDigits("5493000NORDBANK000"),
    name: "Nord Bank",
    maxSingleTransfer: BANK_LIMIT,
    maxDailyOutflow: BANK_LIMIT,
  });
  return { ...f, ...ws, account: created.account };
}

describe("CLI keys", function () {
  this.timeout(120_000);

  it("creates an account, acts through it, rotates its key, and the old key is refused", async () => {
    const f = await loadFixture(keysFixture);
    const keyA = f.keyFile(KEY_A);
    const keyB = f.keyFile(KEY_B);
    const enroll = await f.cli("--member-account", f.account, "batch", "enroll", "--key-file", keyA);
    expect(enroll.code, enroll.err).to.equal(ExitCode.ok);
    const list = await f.cli("keys", "list", f.account);
    expect(list.out).to.contain(`${key(KEY_A).address}  submit+approve+operate`);
    const add = await f.cli(
      "keys",
      "add",
      f.account,
      key(KEY_B).address,
      "--roles",
      "submit,approve,operate",
      "--key-file",
      keyA,
    );
    expect(add.code, add.err).to.equal(ExitCode.ok);
    const revoke = await f.cli("keys", "revoke", f.account, key(KEY_A).address, "--key-file", keyB);
    expect(revoke.code, revoke.err).to.equal(ExitCode.ok);
    const whose = await f.cli("keys", "whose", key(KEY_A).address);
    expect(whose.out).to.contain("signs for no account");
    expect((await f.cli("keys", "whose", key(KEY_B).address)).out).to.contain(`signs for ${f.account}`);
    // the account keeps its ledger index; the old key can no longer act for it
    const bank = await f.gov.settlement.getLedgerBank({ bank: f.account as `0x${string}` });
    expect(bank.index).to.be.greaterThan(0);
    const refused = await f.cli(
      "--member-account",
      f.account,
      "keys",
      "add",
      f.account,
      key(9).address,
      "--roles",
      "submit",
      "--key-file",
      keyA,
    );
    expectFailure(refused, ExitCode.badInput, /not a key of this account holding OPERATE/);
  });

  it("refuses bad input with one line and exit 2, sending nothing", async () => {
    const f = await loadFixture(keysFixture);
    const keyA = f.keyFile(KEY_A);
    expectFailure(
      await f.cli("keys", "add", f.account, key(KEY_B).address, "--roles", "admin", "--key-file", keyA),
      ExitCode.badInput,
      /--roles: "admin" is not a key role/,
    );
    expectFailure(
      await f.cli("keys", "revoke", "0x1234", key(KEY_B).address, "--key-file", keyA),
      ExitCode.badInput,
      /<account> "0x1234" is not an address/,
    );
    expectFailure(
      await f.cli("--member-account", "nord", "batch", "enroll", "--key-file", keyA),
      ExitCode.badInput,
      /--member-account "nord" is not an address/,
    );
    expect((await f.cli("keys", "list", f.account)).out).to.contain("1 key\n");
  });
});
