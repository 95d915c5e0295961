/**
 * The transfer preflight (`token.checkTransfer`) and the token agree on every case: for random
 * member states of sender and recipient (active, suspended, removed, sanctioned) and random amounts
 * (zero, small, over the single limit, over the balance), the preflight's verdict and reason are
 * exactly what the transfer then does (issue 17: `member check` said "allowed" to a suspended bank).
 */
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ContractRevertError } from "../../packages/sdk/src/errors/revert";
import { BANK_FUNDS, settlementFixture } from "./settlementFixture";

type State = "active" | "suspended" | "removed";
const STATES: State[] = ["active", "suspended", "removed"];

describe("token.checkTransfer agrees with the token (property)", function () {
  this.timeout(300_000);

  it("same verdict and same reason as the transfer, over random member states and amounts", async () => {
    const f = await loadFixture(settlementFixture);
    const limits = await f.gov.registry.getMember({ account: f.addr.alpine });
    const amounts = [0n, 1n, 12_345n, limits.maxSingleTransfer + 1n, BANK_FUNDS + 1n];
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...STATES),
        fc.boolean(),
        fc.constantFrom(...STATES),
        fc.boolean(),
        fc.constantFrom(...amounts),
        async (fromState, fromSanctioned, toState, toSanctioned, amount) => {
          const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
          try {
            const apply = async (account: `0x${string}`, state: State, sanctioned: boolean) => {
              if (state !== "active") await f.gov.registry.suspendMember({ account });
              if (state === "removed") await f.gov.registry.removeMember({ account });
              if (sanctioned) await f.gov.registry.addSanction({ account, reasonCode: 3 });
            };
            await apply(f.addr.alpine, fromState, fromSanctioned);
            await apply(f.addr.baltic, toState, toSanctioned);
            const verdict = await f.gov.token.checkTransfer({ from: f.addr.alpine, to: f.addr.baltic, amount });
            let actual: string | undefined;
            try {
              await f.bank.alpine.token.transfer({ to: f.addr.baltic, amount });
            } catch (e) {
              if (!(e instanceof ContractRevertError)) throw e;
              actual = e.errorName;
            }
            expect(verdict.allowed, `${fromState}/${fromSanctioned} → ${toState}/${toSanctioned}, ${amount}`).to.equal(
              actual === undefined,
            );
            if (!verdict.allowed) {
              refused++;
              expect(verdict.errorName).to.equal(actual);
            }
          } finally {
            await hre.network.provider.send("evm_revert", [snapshot]);
          }
        },
      ),
      { numRuns: 40, seed: 20261206 },
    );
    expect(refused, "the runs covered refusals").to.be.greaterThan(10);
  });
});
