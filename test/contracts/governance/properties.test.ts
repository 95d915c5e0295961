/** ConsortiumMultisig properties: threshold counting over any subset and order of signatures and approvals. */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  contractEntry,
  contractSignerMultisig,
  type MultisigFixture,
  type Proposal,
  SELECTOR,
  selectorOf,
  signProposal,
  THRESHOLD,
  TTL,
} from "./helpers";
import type { MockERC1271Signer } from "../../../typechain-types";

const NUM_RUNS = 100;
/** Signer slots 0–3 are EOAs; slot 4 is the ERC-1271 wallet (keyed by account 14). */
const SLOTS = [0, 1, 2, 3, 4];
const EOA_SLOTS = [0, 1, 2, 3];
const WALLET = 4;

type Fixture = MultisigFixture & { wallet: MockERC1271Signer };

/** Run `body` on a chain snapshot and roll it back afterwards, whatever happens. */
async function isolated<T>(body: () => Promise<T>): Promise<T> {
  const id: string = await ethers.provider.send("evm_snapshot", []);
  try {
    return await body();
  } finally {
    await ethers.provider.send("evm_revert", [id]);
  }
}

const SENSITIVE: readonly string[] = [
  SELECTOR.upgradeToAndCall,
  SELECTOR.upgradeTo,
  SELECTOR.transferOwnership,
  SELECTOR.renounceOwnership,
];

/**
 * Random calldata for a call to an account without code (never one of the sensitive selectors);
 * such a call only ever gets as far as the threshold check.
 */
const calldata = fc
  .uint8Array({ maxLength: 40 })
  .map((bytes) => ethers.hexlify(bytes))
  .filter((data) => !SENSITIVE.includes(selectorOf(data)));
/**
 * Random calldata that a contract accepts: the target's `poke()` selector followed by up to 40
 * random bytes (the ABI decoder ignores trailing calldata), so every proposal hash differs.
 */
const pokeCalldata = (f: Fixture): fc.Arbitrary<string> =>
  fc
    .uint8Array({ maxLength: 40 })
    .map((bytes) => ethers.concat([f.target.interface.getFunction("poke").selector, bytes]));
const lane = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

async function baseProposal(f: Fixture): Promise<Omit<Proposal, "lane" | "data">> {
  const block = await ethers.provider.getBlock("latest");
  if (!block) throw new Error("no block");
  return { target: f.outsider.address, value: 0n, nonce: 0n, notBefore: 0n, expiry: BigInt(block.timestamp) + TTL };
}

/** The signature entry of signer slot `slot`: ECDSA for an EOA, a contract entry for the wallet. */
async function entryOf(f: Fixture, slot: number, p: Proposal): Promise<string> {
  const sig = await signProposal(f.multisig, f.signers[slot], p);
  return slot === WALLET ? contractEntry(await f.wallet.getAddress(), sig) : sig;
}

async function blobOf(f: Fixture, order: readonly number[], p: Proposal): Promise<string> {
  return ethers.concat(await Promise.all(order.map((slot) => entryOf(f, slot, p))));
}

describe("ConsortiumMultisig properties", function () {
  it("any permutation of any subset of ≥ threshold valid signatures (ECDSA and ERC-1271) executes", async function () {
    const f = await loadFixture(contractSignerMultisig);
    // A call with data needs a target holding code (MultisigNotAContract otherwise).
    const base = { ...(await baseProposal(f)), target: await f.target.getAddress() };
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(SLOTS, { minLength: THRESHOLD }),
        lane,
        pokeCalldata(f),
        async (order, laneId, data) =>
          isolated(async () => {
            const p: Proposal = { ...base, lane: laneId, data };
            const hash = await f.multisig.proposalHash(p);
            const tx = f.multisig.execute(p, await blobOf(f, order, p));
            await expect(tx).to.emit(f.multisig, "Executed").withArgs(hash, laneId, 0n);
            await expect(tx).to.emit(f.target, "Poked").withArgs(f.address, 0n, 1n);
            expect(await f.multisig.nonceOf(laneId)).to.equal(1n);
          }),
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("any permutation of any subset below threshold, with or without on-chain approvals, never executes", async function () {
    const f = await loadFixture(contractSignerMultisig);
    const base = await baseProposal(f);
    let withApprovals = 0;
    // The distinct signers involved (at most threshold − 1), each signing, approving on-chain or both
    // (the wallet can only sign); signatures in either order.
    type Role = "sign" | "approve" | "both";
    const split = fc
      .subarray(SLOTS, { maxLength: THRESHOLD - 1 })
      .chain((involved) =>
        fc.tuple(
          fc.constant(involved),
          fc.array(fc.constantFrom<Role>("sign", "approve", "both"), {
            minLength: involved.length,
            maxLength: involved.length,
          }),
          fc.boolean(),
        ),
      )
      .map(([involved, roles, reversed]) => {
        const role = (i: number): Role => (involved[i] === WALLET ? "sign" : roles[i]);
        const signed = involved.filter((_, i) => role(i) !== "approve");
        const approving = involved.filter((_, i) => role(i) !== "sign");
        return [reversed ? signed.reverse() : signed, approving] as const;
      });
    await fc.assert(
      fc.asyncProperty(split, lane, calldata, async ([signed, approving], laneId, data) =>
        isolated(async () => {
          const p: Proposal = { ...base, lane: laneId, data };
          const hash = await f.multisig.proposalHash(p);
          for (const slot of approving) await f.multisig.connect(f.signers[slot]).approve(hash);
          if (approving.length > 0) withApprovals++;
          const distinct = new Set([...signed, ...approving]).size;
          expect(distinct).to.be.lessThan(THRESHOLD);
          await expect(f.multisig.execute(p, await blobOf(f, signed, p)))
            .to.be.revertedWithCustomError(f.multisig, "MultisigThresholdNotMet")
            .withArgs(hash, distinct, THRESHOLD);
          expect(await f.multisig.nonceOf(laneId)).to.equal(0n);
        }),
      ),
      { numRuns: NUM_RUNS },
    );
    expect(withApprovals).to.be.greaterThan(NUM_RUNS / 5);
  });

  it("signatures plus on-chain approvals execute iff their distinct signers reach the threshold", async function () {
    const f = await loadFixture(contractSignerMultisig);
    const base = await baseProposal(f);
    let executed = 0;
    let refused = 0;
    let belowWithApprovals = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(SLOTS),
        fc.shuffledSubarray(EOA_SLOTS),
        lane,
        async (signed, approving, laneId) =>
          isolated(async () => {
            const p: Proposal = { ...base, lane: laneId, data: "0x" };
            const hash = await f.multisig.proposalHash(p);
            for (const slot of approving) await f.multisig.connect(f.signers[slot]).approve(hash);
            const expectedApprovers = [...approving].sort((a, b) => a - b).map((slot) => f.signers[slot].address);
            expect(await f.multisig.approvalsOf(hash)).to.deep.equal(expectedApprovers);
            const distinct = new Set([...signed, ...approving]).size;
            const tx = f.multisig.execute(p, await blobOf(f, signed, p));
            if (distinct >= THRESHOLD) {
              await expect(tx).to.emit(f.multisig, "Executed").withArgs(hash, laneId, 0n);
              executed++;
            } else {
              // Signers who both signed and approved count once.
              await expect(tx)
                .to.be.revertedWithCustomError(f.multisig, "MultisigThresholdNotMet")
                .withArgs(hash, distinct, THRESHOLD);
              expect(await f.multisig.nonceOf(laneId)).to.equal(0n);
              refused++;
              if (approving.length > 0) belowWithApprovals++;
            }
          }),
      ),
      { numRuns: NUM_RUNS },
    );
    // Both outcomes were exercised, refusals with approvals in the mix too.
    expect(executed).to.be.greaterThan(NUM_RUNS / 5);
    expect(refused).to.be.greaterThan(NUM_RUNS / 10);
    expect(belowWithApprovals).to.be.greaterThan(0);
  });

  it("a non-signer's signature anywhere among valid ones fails with MultisigNotSigner(its address)", async function () {
    const f = await loadFixture(contractSignerMultisig);
    const base = await baseProposal(f);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(SLOTS),
        fc.nat(),
        fc.constantFrom(...f.others, f.outsider, f.guardian, f.deployer),
        lane,
        async (order, at, stranger, laneId) => {
          const p: Proposal = { ...base, lane: laneId, data: "0x" };
          const entries = await Promise.all(order.map((slot) => entryOf(f, slot, p)));
          entries.splice(at % (entries.length + 1), 0, await signProposal(f.multisig, stranger, p));
          await expect(f.multisig.execute(p, ethers.concat(entries)))
            .to.be.revertedWithCustomError(f.multisig, "MultisigNotSigner")
            .withArgs(stranger.address);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
