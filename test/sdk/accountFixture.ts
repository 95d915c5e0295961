/**
 * A member bank that is a member account (decision 045) on the settlement fixture: Nord Bank, its
 * first key Hardhat account 12, admitted as MEMBER_BANK; `nord` is the client acting for it.
 */
import { keccak256, toHex } from "viem";
import { leiWithCheckDigits, Role } from "../../packages/sdk/src";
import { key } from "./fixture";
import { BANK_LIMIT, settlementFixture } from "./settlementFixture";

export const KEY_A = 12;
export const KEY_B = 13;

export async function accountFixture() {
  const f = await settlementFixture();
  const { account } = await f.gov
    .as(key(KEY_A))
    .accounts.createMemberAccount({ firstKey: key(KEY_A).address, salt: keccak256(toHex("nord")) });
  await f.gov.registry.admitMember({
    account,
    roles: Role.MEMBER_BANK,
    lei: leiWithCheckDigits("5493000ACCOUNT1000"),
    name: "Nord Bank",
    maxSingleTransfer: BANK_LIMIT,
    maxDailyOutflow: BANK_LIMIT,
  });
  return { ...f, account, nord: f.gov.as(key(KEY_A), account) };
}
