/**
 * ConsortiumMultisig: wiring setters and OPERATOR grants are as powerful as an upgrade, so they
 * wait the sensitive delay by default (review finding "wiring setters wait only the minimum
 * delay"; decision 020). Before the fix a rogue clearing engine could be wired in after MIN_DELAY.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Interface } from "ethers";
import { deployToken, lei, Role, UNLIMITED } from "../../helpers/fixtures";
import {
  draft,
  enact,
  HOUR,
  MIN_DELAY,
  queueWith,
  SENSITIVE_DELAY,
  selfDraft,
  signAll,
  timelockedMultisig,
} from "./helpers";

const iface = async (name: string): Promise<Interface> => (await ethers.getContractFactory(name)).interface;

/** Registry + token owned by a timelocked multisig (MIN_DELAY 1 h, SENSITIVE_DELAY 2 days). */
async function governedToken() {
  const t = await deployToken();
  const m = await timelockedMultisig();
  for (const c of [t.registry, t.token]) await c.connect(t.owner).transferOwnership(m.address);
  await m.multisig.claimOwnership(await t.registry.getAddress());
  await m.multisig.claimOwnership(await t.token.getAddress());
  return { ...t, ...m, registryAddress: await t.registry.getAddress(), tokenAddress: await t.token.getAddress() };
}

describe("ConsortiumMultisig", function () {
  describe("wiring setters and OPERATOR grants wait the sensitive delay", function () {
    it("every wiring setter of every contract gets SENSITIVE_DELAY from delayOf and delayOfCall", async function () {
      const { multisig, target } = await loadFixture(timelockedMultisig);
      const anywhere = await target.getAddress();
      const a = ethers.Wallet.createRandom().address;
      const calls: [string, string, unknown[]][] = [
        ["SettlementLedger", "setNettingEngine", [a]],
        ["SettlementToken", "setClearingEngine", [a]],
        ["SettlementToken", "setIssuanceCeiling", [1n]],
        ["SettlementToken", "mintBeyondCeiling", [a, 1n]],
        ["NettingEngine", "setVerifierRegistry", [a]],
        ["ConditionalEscrow", "setVerifierRegistry", [a]],
        ["VerifierRegistry", "setConsumer", [a, true]],
        ["VerifierRegistry", "setConsumer", [a, false]],
        [
          "VerifierRegistry",
          "registerCircuit",
          [ethers.encodeBytes32String("c"), a, 3, ethers.ZeroHash, ethers.ZeroHash],
        ],
        [
          "VerifierRegistry",
          "replaceCircuit",
          [ethers.encodeBytes32String("c"), a, 3, ethers.ZeroHash, ethers.ZeroHash],
        ],
      ];
      for (const [contract, fn, args] of calls) {
        const i = await iface(contract);
        const data = i.encodeFunctionData(fn, args);
        const label = `${contract}.${fn}`;
        expect(await multisig.delayOf(anywhere, i.getFunction(fn)!.selector)).to.equal(SENSITIVE_DELAY, label);
        expect(await multisig.delayOfCall(anywhere, data)).to.equal(SENSITIVE_DELAY, label);
      }
    });

    it("admitMember and setRoles wait SENSITIVE_DELAY when the roles include OPERATOR, MIN_DELAY otherwise", async function () {
      const { multisig, target } = await loadFixture(timelockedMultisig);
      const anywhere = await target.getAddress();
      const registry = await iface("ConsortiumRegistry");
      const a = ethers.Wallet.createRandom().address;
      const admit = (roles: number) =>
        registry.encodeFunctionData("admitMember", [a, roles, lei("X"), "X", UNLIMITED, UNLIMITED]);
      const setRoles = (roles: number) => registry.encodeFunctionData("setRoles", [a, roles]);
      for (const roles of [Role.OPERATOR, Role.OPERATOR | Role.MEMBER_BANK, 31]) {
        expect(await multisig.delayOfCall(anywhere, admit(roles))).to.equal(SENSITIVE_DELAY, `admit ${roles}`);
        expect(await multisig.delayOfCall(anywhere, setRoles(roles))).to.equal(SENSITIVE_DELAY, `setRoles ${roles}`);
      }
      for (const roles of [Role.MEMBER_BANK, Role.CORPORATE | Role.AUDITOR, Role.REGULATOR]) {
        expect(await multisig.delayOfCall(anywhere, admit(roles))).to.equal(MIN_DELAY, `admit ${roles}`);
        expect(await multisig.delayOfCall(anywhere, setRoles(roles))).to.equal(MIN_DELAY, `setRoles ${roles}`);
      }
      // Truncated calldata cannot be read: treated as a grant (it would revert anyway).
      const truncated = ethers.dataSlice(setRoles(Role.MEMBER_BANK), 0, 40);
      expect(await multisig.delayOfCall(anywhere, truncated)).to.equal(SENSITIVE_DELAY);
      // delayOf(selector) cannot see the roles: it gives the delay of a grant without OPERATOR.
      expect(await multisig.delayOf(anywhere, registry.getFunction("setRoles")!.selector)).to.equal(MIN_DELAY);
    });

    it("an OPERATOR grant waits SENSITIVE_DELAY even when governance shortened the selector's delay", async function () {
      const { multisig, signers, target } = await loadFixture(timelockedMultisig);
      const registry = await iface("ConsortiumRegistry");
      const anywhere = await target.getAddress();
      const selector = registry.getFunction("setRoles")!.selector;
      const set = multisig.interface.encodeFunctionData("setDelay", [anywhere, selector, HOUR, true]);
      await enact(multisig, signers.slice(0, 3), await selfDraft(multisig, set));
      const a = ethers.Wallet.createRandom().address;
      expect(
        await multisig.delayOfCall(anywhere, registry.encodeFunctionData("setRoles", [a, Role.MEMBER_BANK])),
      ).to.equal(HOUR);
      expect(
        await multisig.delayOfCall(anywhere, registry.encodeFunctionData("setRoles", [a, Role.OPERATOR])),
      ).to.equal(SENSITIVE_DELAY);
    });

    it("the attack: a rogue clearing engine proposed and queued cannot be wired in after MIN_DELAY, only after SENSITIVE_DELAY", async function () {
      const f = await loadFixture(governedToken);
      const rogue = ethers.Wallet.createRandom().address;
      const p = await draft(f.multisig, {
        target: f.tokenAddress,
        data: f.token.interface.encodeFunctionData("setClearingEngine", [rogue]),
      });
      const queuedAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(queuedAt);
      const executableAt = await queueWith(f.multisig, f.signers.slice(0, 3), p);
      expect(executableAt).to.equal(BigInt(queuedAt + SENSITIVE_DELAY));
      await time.increaseTo(queuedAt + MIN_DELAY);
      await expect(f.multisig.execute(p, "0x"))
        .to.be.revertedWithCustomError(f.multisig, "MultisigTimelocked")
        .withArgs(await f.multisig.proposalHash(p), executableAt);
      expect(await f.token.clearingEngine()).to.equal(ethers.ZeroAddress);
      await time.increaseTo(executableAt);
      await f.multisig.execute(p, "0x");
      expect(await f.token.clearingEngine()).to.equal(rogue);
    });

    it("the attack: admitting a new OPERATOR (the power to mint) waits SENSITIVE_DELAY; a MEMBER_BANK only MIN_DELAY", async function () {
      const f = await loadFixture(governedToken);
      const [mallory, bank] = [ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address];
      const admit = (who: string, roles: number, lane: bigint) =>
        draft(f.multisig, {
          target: f.registryAddress,
          lane,
          data: f.registry.interface.encodeFunctionData("admitMember", [
            who,
            roles,
            lei(who),
            "New",
            UNLIMITED,
            UNLIMITED,
          ]),
        });
      const operatorGrant = await admit(mallory, Role.OPERATOR, 1n);
      const bankGrant = await admit(bank, Role.MEMBER_BANK, 2n);
      const opAt = await queueWith(f.multisig, f.signers.slice(0, 3), operatorGrant);
      const bankAt = await queueWith(f.multisig, f.signers.slice(0, 3), bankGrant);
      expect(opAt - bankAt).to.be.closeTo(BigInt(SENSITIVE_DELAY - MIN_DELAY), 2n);
      await time.increaseTo(bankAt);
      await f.multisig.execute(bankGrant, "0x");
      await expect(f.multisig.execute(operatorGrant, "0x")).to.be.revertedWithCustomError(
        f.multisig,
        "MultisigTimelocked",
      );
      expect(await f.registry.hasRole(mallory, Role.OPERATOR)).to.equal(false);
      await time.increaseTo(opAt);
      await f.multisig.execute(operatorGrant, "0x");
      expect(await f.registry.hasRole(mallory, Role.OPERATOR)).to.equal(true);
    });

    it("execute of a zero-delay multisig still runs an ordinary call at once, and refuses an OPERATOR grant unqueued", async function () {
      const f = await loadFixture(governedToken);
      // Set the global minimum to zero: ordinary calls execute at once; the grant still needs the queue.
      const zero = f.multisig.interface.encodeFunctionData("setDefaultDelays", [0, SENSITIVE_DELAY]);
      await enact(f.multisig, f.signers.slice(0, 3), await selfDraft(f.multisig, zero));
      const who = ethers.Wallet.createRandom().address;
      const p = await draft(f.multisig, {
        target: f.registryAddress,
        data: f.registry.interface.encodeFunctionData("setRoles", [f.operator.address, Role.OPERATOR]),
      });
      await expect(f.multisig.execute(p, await signAll(f.multisig, f.signers.slice(0, 3), p)))
        .to.be.revertedWithCustomError(f.multisig, "MultisigNotQueued")
        .withArgs(await f.multisig.proposalHash(p), SENSITIVE_DELAY);
      const q = await draft(f.multisig, {
        target: f.registryAddress,
        lane: 3n,
        data: f.registry.interface.encodeFunctionData("addSanction", [who, 1]),
      });
      await expect(f.multisig.execute(q, await signAll(f.multisig, f.signers.slice(0, 3), q))).to.emit(
        f.registry,
        "SanctionAdded",
      );
    });
  });
});
