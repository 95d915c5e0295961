/** `governance.listProposals`: every proposal the multisig has seen, read back from the chain. */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { concat, encodeFunctionData, keccak256, numberToHex, pad, toHex, type Hex } from "viem";
import {
  InvalidArgumentError,
  consortiumMultisigAbi,
  consortiumRegistryAbi,
  signGovernanceFile,
  type GovernanceFile,
} from "../../packages/sdk/src";
import { combineSignatures, proposalOf, type ProposalRecord } from "../../packages/sdk/src/governance";
import { blobSigners } from "../../packages/sdk/src/governance/recover";
import { rejectsWith } from "./fixture";
import { MIN_DELAY, SENSITIVE_DELAY, governanceFixture, signerKey, type GovernanceFixture } from "./governanceFixture";

function limitsProposal(f: GovernanceFixture, lane = 0n, daily = 5_000n): Promise<GovernanceFile> {
  return f.anyone.governance.buildProposal({
    target: f.deployment.contracts.ConsortiumRegistry.proxy,
    call: { abi: consortiumRegistryAbi, functionName: "setLimits", args: [f.bank, 500n, daily] },
    lane,
    description: "Raise Gov Bank's limits",
  });
}

const sign = (file: GovernanceFile, signers: number[]) =>
  Promise.all(signers.map((i) => signGovernanceFile(file, signerKey(i))));

const blockTime = async (f: GovernanceFixture, blockNumber: bigint) =>
  (await f.anyone.context.publicClient.getBlock({ blockNumber })).timestamp;

const find = (list: ProposalRecord[], hash: Hex) => {
  const r = list.find((p) => p.hash === hash);
  if (!r) throw new Error(`no record of ${hash}`);
  return r;
};

const who = (r: ProposalRecord) => r.approvals.map((a) => [a.signer, a.how]);

describe("SDK governance history: listProposals (real Hardhat network)", () => {
  it("a proposal executed with three offline signature files: signers, decoded call, times", async () => {
    const f = await loadFixture(governanceFixture);
    const file = await limitsProposal(f);
    const queued = await f.anyone.governance.queueProposal({ file, signatures: await sign(file, [2, 0, 4]) });
    await time.increase(MIN_DELAY);
    const executed = await f.anyone.governance.executeProposal({ file });

    const [r] = await f.anyone.governance.listProposals();
    expect(r.hash).to.equal(file.hash);
    expect(r).to.deep.include({ kind: "Proposal", state: "executed", lane: 0n, nonce: 0n, unrecoverable: [] });
    expect(who(r)).to.deep.equal([2, 0, 4].map((i) => [signerKey(i).address, "offline"]));
    expect(r.approvals.every((a) => a.scheme === "ecdsa" && a.transactionHash === queued.hash)).to.equal(true);
    expect(r.call).to.deep.equal({
      target: f.deployment.contracts.ConsortiumRegistry.proxy,
      contract: "ConsortiumRegistry",
      value: 0n,
      data: proposalOf(file).data,
      functionName: "setLimits",
      args: [JSON.stringify(f.bank), "500", "5000"],
    });
    const queuedAt = await blockTime(f, queued.blockNumber);
    expect(r.queued).to.deep.equal({
      at: queuedAt,
      blockNumber: queued.blockNumber,
      transactionHash: queued.hash,
      executableAt: queuedAt + BigInt(MIN_DELAY),
    });
    expect(r.executed).to.deep.equal({
      at: await blockTime(f, executed.blockNumber),
      blockNumber: executed.blockNumber,
      transactionHash: executed.hash,
    });
    expect(r.executed!.at >= r.queued!.executableAt).to.equal(true);
    expect(r.expiry).to.equal(proposalOf(file).expiry);

    // Read from after the queueing, the signatures that queued it are out of range: said, not guessed.
    const [late] = await f.anyone.governance.listProposals({ fromBlock: executed.blockNumber });
    expect(late).to.deep.include({ state: "executed", approvals: [] });
    expect(late.call?.functionName).to.equal("setLimits");
    expect(late.unrecoverable).to.have.length(1);
    expect(late.unrecoverable[0].reason).to.match(/not queued within the blocks read/);
  });

  it("marks on-chain approvals as on chain, beside offline signatures, and open states from the contract", async () => {
    const f = await loadFixture(governanceFixture);
    const file = await limitsProposal(f, 3n);
    const approvals = [
      await f.signer(1).governance.approveOnChain({ hash: file.hash }),
      await f.signer(3).governance.approveOnChain({ hash: file.hash }),
    ];
    let [r] = await f.anyone.governance.listProposals();
    expect(r).to.deep.include({ hash: file.hash, kind: "Unknown", state: "approving" });
    expect(r.call).to.equal(undefined);
    await f.anyone.governance.queueProposal({ file, signatures: await sign(file, [0]) });
    [r] = await f.anyone.governance.listProposals();
    expect(r).to.deep.include({ kind: "Proposal", state: "queued", lane: 3n, nonce: 0n });
    expect(who(r)).to.deep.equal([
      [signerKey(1).address, "on-chain"],
      [signerKey(3).address, "on-chain"],
      [signerKey(0).address, "offline"],
    ]);
    expect(r.approvals.slice(0, 2).map((a) => [a.transactionHash, a.epoch])).to.deep.equal(
      approvals.map((a) => [a.hash, 0]),
    );
    expect(r.call?.functionName).to.equal("setLimits");
    await time.increase(MIN_DELAY);
    [r] = await f.anyone.governance.listProposals();
    expect(r.state).to.equal("executable");
  });

  it("does not list an on-chain approval made after the proposal was executed among its approvals", async () => {
    // `approve` takes any hash at any time. A signer who approves a proposal after it ran (or a
    // cancelled one) did not authorize it; listed beside the real signers, with no mark, the
    // console's "signed by" column shows them as one of its approvers.
    const f = await loadFixture(governanceFixture);
    const file = await limitsProposal(f);
    await f.anyone.governance.queueProposal({ file, signatures: await sign(file, [0, 1, 2]) });
    await time.increase(MIN_DELAY);
    await f.anyone.governance.executeProposal({ file });
    await f.signer(4).governance.approveOnChain({ hash: file.hash });
    const [r] = await f.anyone.governance.listProposals();
    expect(r.state).to.equal("executed");
    expect(who(r)).to.deep.equal([0, 1, 2].map((i) => [signerKey(i).address, "offline"]));
  });

  it("a cancelled proposal shows cancelled, and the cancel its signers", async () => {
    const f = await loadFixture(governanceFixture);
    const stuck = await limitsProposal(f, 1n);
    await f.anyone.governance.queueProposal({ file: stuck, signatures: await sign(stuck, [0, 1, 2]) });
    const cancel = await f.anyone.governance.buildCancel({ lane: 1n });
    const done = await f.anyone.governance.executeProposal({ file: cancel, signatures: await sign(cancel, [1, 3, 4]) });
    const list = await f.anyone.governance.listProposals();
    const r = find(list, stuck.hash);
    expect(r.state).to.equal("cancelled");
    expect(r.cancelled).to.deep.equal({
      at: await blockTime(f, done.blockNumber),
      blockNumber: done.blockNumber,
      transactionHash: done.hash,
      cancelHash: cancel.hash,
    });
    const c = find(list, cancel.hash);
    expect(c).to.deep.include({ kind: "Cancel", state: "executed", lane: 1n, nonce: 0n });
    expect(c.call).to.equal(undefined);
    expect(who(c)).to.deep.equal([1, 3, 4].map((i) => [signerKey(i).address, "offline"]));
  });

  it("a proposal executed at once (zero delay) shows the signers of its execute transaction", async () => {
    const f = await loadFixture(governanceFixture);
    const multisig = f.deployment.contracts.ConsortiumMultisig!.address;
    const noDelay = await f.anyone.governance.buildProposal({
      target: multisig,
      call: { abi: consortiumMultisigAbi, functionName: "setDefaultDelays", args: [0, SENSITIVE_DELAY] },
      description: "No minimum delay",
    });
    await f.anyone.governance.queueProposal({ file: noDelay, signatures: await sign(noDelay, [0, 1, 2]) });
    await time.increase(SENSITIVE_DELAY);
    await f.anyone.governance.executeProposal({ file: noDelay });
    const file = await limitsProposal(f, 2n, 7_000n);
    const run = await f.anyone.governance.executeProposal({ file, signatures: await sign(file, [4, 3, 2]) });
    const list = await f.anyone.governance.listProposals();
    expect(find(list, noDelay.hash).call).to.deep.include({
      contract: "ConsortiumMultisig",
      functionName: "setDefaultDelays",
      args: ["0", String(SENSITIVE_DELAY)],
    });
    const r = find(list, file.hash);
    expect(r).to.deep.include({ state: "executed", unrecoverable: [] });
    expect(r.queued).to.equal(undefined);
    expect(who(r)).to.deep.equal([4, 3, 2].map((i) => [signerKey(i).address, "offline"]));
    expect(r.approvals[0].transactionHash).to.equal(run.hash);
  });

  it("says the signatures are not recoverable when a relayer contract wrapped the multisig call", async () => {
    const f = await loadFixture(governanceFixture);
    const multisig = f.deployment.contracts.ConsortiumMultisig!.address;
    const file = await limitsProposal(f);
    const { blob } = await combineSignatures(file, await sign(file, [0, 1, 2]));
    const relay = await hre.ethers.deployContract("ReentrantTarget");
    const queue = encodeFunctionData({
      abi: consortiumMultisigAbi,
      functionName: "queue",
      args: [proposalOf(file), blob],
    });
    await (await relay.arm(multisig, queue)).wait();
    const relayed = await (await relay.poke()).wait();
    let [r] = await f.anyone.governance.listProposals();
    expect(r).to.deep.include({ hash: file.hash, kind: "Proposal", state: "queued", approvals: [] });
    expect(r.call).to.equal(undefined);
    expect(r.unrecoverable).to.deep.equal([{ transactionHash: relayed!.hash, reason: r.unrecoverable[0].reason }]);
    expect(r.unrecoverable[0].reason).to.match(/^signatures not recoverable from the transaction/);
    // Executed directly: the call is read from the execute transaction; its signatures did not count.
    await time.increase(MIN_DELAY);
    await f.anyone.governance.executeProposal({ file });
    [r] = await f.anyone.governance.listProposals();
    expect(r).to.deep.include({ state: "executed", approvals: [] });
    expect(r.call?.functionName).to.equal("setLimits");
    expect(r.unrecoverable).to.have.length(1);
  });

  it("refuses an empty block range and block numbers that are not bigints", async () => {
    const f = await loadFixture(governanceFixture);
    const error = await rejectsWith(
      f.anyone.governance.listProposals({ fromBlock: 10_000_000n, toBlock: 5n }),
      InvalidArgumentError,
    );
    expect(error.argument).to.equal("fromBlock");
    const notBigint = { toBlock: 5 } as unknown as { toBlock: bigint };
    expect((await rejectsWith(f.anyone.governance.listProposals(notBigint), InvalidArgumentError)).argument).to.equal(
      "toBlock",
    );
  });
});

describe("governance history: signature blobs", () => {
  it("reads key signatures and contract (ERC-1271) entries in blob order, and refuses a malformed blob", async () => {
    const hash = keccak256(toHex("a proposal"));
    const wallet = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const inner = await signerKey(1).sign({ hash });
    const blob = concat([
      await signerKey(0).sign({ hash }),
      pad(wallet), // r = the contract signer
      numberToHex(65, { size: 32 }), // s = the length of its signature
      "0x00", // v = 0
      inner,
      await signerKey(2).sign({ hash }),
    ]);
    expect(await blobSigners(blob, hash)).to.deep.equal([
      { signer: signerKey(0).address, scheme: "ecdsa" },
      { signer: wallet, scheme: "erc1271" },
      { signer: signerKey(2).address, scheme: "ecdsa" },
    ]);
    expect(await blobSigners("0x", hash)).to.deep.equal([]);
    expect(await blobSigners(blob.slice(0, -2) as Hex, hash)).to.equal(undefined); // 64 bytes left
    const overlong = concat([pad(wallet), numberToHex(1_000, { size: 32 }), "0x00", inner]);
    expect(await blobSigners(overlong, hash)).to.equal(undefined);
  });
});
