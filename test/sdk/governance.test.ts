import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  ContractRevertError,
  GovernanceFileError,
  InvalidArgumentError,
  consortiumRegistryAbi,
  settlementTokenAbi,
  signGovernanceFile,
  type GovernanceFile,
} from "../../packages/sdk/src";
import { encodeGovernedCall } from "../../packages/sdk/src/governance";
import { rejectsWith, key } from "./fixture";
import { MIN_DELAY, SENSITIVE_DELAY, governanceFixture, signerKey } from "./governanceFixture";

async function limitsProposal(f: Awaited<ReturnType<typeof governanceFixture>>, lane = 0n): Promise<GovernanceFile> {
  return f.anyone.governance.buildProposal({
    target: f.deployment.contracts.ConsortiumRegistry.proxy,
    call: { abi: consortiumRegistryAbi, functionName: "setLimits", args: [f.bank, 500n, 5_000n], contract: "registry" },
    lane,
    description: "Raise Gov Bank's limits to 5.00 / 50.00",
  });
}

describe("SDK governance (real Hardhat network)", () => {
  it("hands the registry and token over to the multisig and reads its configuration", async () => {
    const f = await loadFixture(governanceFixture);
    const gov = await f.anyone.governance.getGovernance();
    expect(gov.threshold).to.equal(3);
    expect(gov.signers).to.have.length(5);
    expect([gov.minDelay, gov.sensitiveDelay]).to.deep.equal([MIN_DELAY, SENSITIVE_DELAY]);
    expect(await f.anyone.registry.getRegistryOwner()).to.equal(gov.address);
  });

  it("runs the offline flow: propose → sign ×3 → queue → wait → execute", async () => {
    const f = await loadFixture(governanceFixture);
    const file = await limitsProposal(f);
    expect(file.call).to.deep.equal({
      contract: "registry",
      functionName: "setLimits",
      args: [JSON.stringify(f.bank), "500", "5000"],
    });
    // Air-gapped signers need only the JSON file and their key: no RPC involved.
    const offline = JSON.parse(JSON.stringify(file)) as GovernanceFile;
    const sigs = await Promise.all([2, 0, 4].map((i) => signGovernanceFile(offline, signerKey(i))));
    let status = await f.anyone.governance.getProposalStatus({ file, signatures: sigs.slice(0, 2) });
    expect(status.state).to.equal("collecting");
    expect(status.approvers).to.have.length(2);
    status = await f.anyone.governance.getProposalStatus({ file, signatures: sigs });
    expect(status.state).to.equal("ready-to-queue");
    expect(status.delay).to.equal(MIN_DELAY);
    await f.anyone.governance.queueProposal({ file, signatures: sigs });
    status = await f.anyone.governance.getProposalStatus({ file });
    expect(status.state).to.equal("queued");
    const early = await rejectsWith(f.anyone.governance.executeProposal({ file }), ContractRevertError);
    expect(early.errorName).to.equal("MultisigTimelocked");
    expect(early.shortMessage).to.match(/is timelocked until \d{4}-\d\d-\d\dT/);
    await time.increase(MIN_DELAY);
    expect((await f.anyone.governance.getProposalStatus({ file })).state).to.equal("executable");
    await f.anyone.governance.executeProposal({ file });
    expect((await f.anyone.registry.getMember({ account: f.bank })).maxDailyOutflow).to.equal(5_000n);
    expect((await f.anyone.governance.getProposalStatus({ file })).state).to.equal("executed");
  });

  it("builds a proposal from encodeGovernedCall: its calldata, described by decoding it", async () => {
    const f = await loadFixture(governanceFixture);
    const call = encodeGovernedCall({
      contract: "ConsortiumRegistry",
      functionName: "setLimits",
      args: [f.bank, "500", 5000],
    });
    const file = await f.anyone.governance.buildProposal({
      target: f.deployment.contracts.ConsortiumRegistry.proxy,
      call,
      description: "Raise Gov Bank's limits",
    });
    expect(file.typedData.primaryType).to.equal("Proposal");
    expect(file.typedData.message).to.deep.include({ data: call.data });
    expect(file.call).to.deep.equal({
      contract: "ConsortiumRegistry",
      functionName: "setLimits",
      args: [JSON.stringify(f.bank), "500", "5000"],
    });
    // Raw calldata without a contract name gets no description (nothing vouches for one).
    const raw = await f.anyone.governance.buildProposal({
      target: f.deployment.contracts.ConsortiumRegistry.proxy,
      call: { data: call.data },
      description: "raw",
    });
    expect(raw.call).to.equal(undefined);
  });

  it("counts on-chain approvals together with offline signatures", async () => {
    const f = await loadFixture(governanceFixture);
    const file = await limitsProposal(f);
    await f.signer(1).governance.approveOnChain({ hash: file.hash });
    await f.signer(3).governance.approveOnChain({ hash: file.hash });
    const sig = await signGovernanceFile(file, signerKey(0));
    expect((await f.anyone.governance.getProposalStatus({ file, signatures: [sig] })).state).to.equal("ready-to-queue");
    await f.anyone.governance.queueProposal({ file, signatures: [sig] });
    const again = await rejectsWith(f.signer(1).governance.approveOnChain({ hash: file.hash }), ContractRevertError);
    expect(again.errorName).to.equal("MultisigAlreadyApproved");
  });

  it("refuses to sign or submit a tampered file", async () => {
    const f = await loadFixture(governanceFixture);
    const file = await limitsProposal(f);
    const tampered = JSON.parse(JSON.stringify(file)) as GovernanceFile;
    if (tampered.typedData.primaryType !== "Proposal") throw new Error("unexpected");
    tampered.typedData.message.data =
      file.typedData.primaryType === "Proposal"
        ? (`${file.typedData.message.data.slice(0, -2)}ff` as `0x${string}`)
        : "0x";
    const error = await rejectsWith(signGovernanceFile(tampered, signerKey(0)), GovernanceFileError);
    expect(error.message).to.match(/the file was altered/);
    await rejectsWith(f.anyone.governance.queueProposal({ file: tampered }), GovernanceFileError);
  });

  it("refuses a file whose description disagrees with its calldata, even with a recomputed hash", async () => {
    const f = await loadFixture(governanceFixture);
    const benign = await limitsProposal(f);
    const harmful = await f.anyone.governance.buildProposal({
      target: f.deployment.contracts.ConsortiumRegistry.proxy,
      call: { abi: consortiumRegistryAbi, functionName: "transferOwnership", args: [f.bank] },
      description: "Hand the registry over",
    });
    // The attacker keeps the benign description and call text over the harmful, re-hashed data.
    const forged = { ...harmful, description: benign.description, call: benign.call };
    const error = await rejectsWith(signGovernanceFile(forged, signerKey(0)), GovernanceFileError);
    expect(error.message).to.match(/its description says setLimits\(.*\) but its data calls transferOwnership\(/);
  });

  it("refuses signature files of another proposal, forged signers and duplicates", async () => {
    const f = await loadFixture(governanceFixture);
    const file = await limitsProposal(f);
    const other = await limitsProposal(f, 7n);
    const foreign = await signGovernanceFile(other, signerKey(0));
    const e1 = await rejectsWith(
      f.anyone.governance.queueProposal({ file, signatures: [foreign] }),
      GovernanceFileError,
    );
    expect(e1.message).to.match(/not this proposal/);
    const forged = { ...(await signGovernanceFile(file, signerKey(0))), signer: signerKey(1).address };
    const e2 = await rejectsWith(
      f.anyone.governance.queueProposal({ file, signatures: [forged] }),
      GovernanceFileError,
    );
    expect(e2.message).to.match(/not by the declared signer/);
    const sig = await signGovernanceFile(file, signerKey(0));
    const e3 = await rejectsWith(
      f.anyone.governance.queueProposal({ file, signatures: [sig, sig] }),
      InvalidArgumentError,
    );
    expect(e3.message).to.match(/appears twice/);
  });

  it("decodes a non-signer's signature and a below-threshold queue", async () => {
    const f = await loadFixture(governanceFixture);
    const file = await limitsProposal(f);
    const outsider = await signGovernanceFile(file, key(3));
    const notSigner = await rejectsWith(
      f.anyone.governance.queueProposal({ file, signatures: [outsider] }),
      ContractRevertError,
    );
    expect(notSigner.errorName).to.equal("MultisigNotSigner");
    const status = await f.anyone.governance.getProposalStatus({ file, signatures: [outsider] });
    expect(status.notSigners).to.deep.equal([key(3).address]);
    const one = await signGovernanceFile(file, signerKey(0));
    const below = await rejectsWith(
      f.anyone.governance.queueProposal({ file, signatures: [one] }),
      ContractRevertError,
    );
    expect(below.shortMessage).to.match(/has 1 of the 3 approvals it needs/);
  });

  it("explains a governed call that fails inside the multisig", async () => {
    const f = await loadFixture(governanceFixture);
    const file = await f.anyone.governance.buildProposal({
      target: f.deployment.contracts.ConsortiumRegistry.proxy,
      call: { abi: consortiumRegistryAbi, functionName: "reinstateMember", args: [f.bank] },
      description: "Reinstate an active bank (fails)",
    });
    const sigs = await Promise.all([0, 1, 2].map((i) => signGovernanceFile(file, signerKey(i))));
    await f.anyone.governance.queueProposal({ file, signatures: sigs });
    await time.increase(MIN_DELAY);
    const error = await rejectsWith(f.anyone.governance.executeProposal({ file }), ContractRevertError);
    expect(error.errorName).to.equal("MultisigCallFailed");
    expect(error.shortMessage).to.match(/its call failed: RegistryMemberNotSuspended: .* is Active, not suspended/);
  });

  it("cancels a lane's nonce so a queued proposal can never run, without blocking other lanes", async () => {
    const f = await loadFixture(governanceFixture);
    const stuck = await limitsProposal(f, 1n);
    const sigs = await Promise.all([0, 1, 2].map((i) => signGovernanceFile(stuck, signerKey(i))));
    await f.anyone.governance.queueProposal({ file: stuck, signatures: sigs });
    const other = await limitsProposal(f, 2n);
    const otherSigs = await Promise.all([2, 3, 4].map((i) => signGovernanceFile(other, signerKey(i))));
    await f.anyone.governance.queueProposal({ file: other, signatures: otherSigs });
    const cancel = await f.anyone.governance.buildCancel({ lane: 1n });
    const cancelSigs = await Promise.all([1, 3, 4].map((i) => signGovernanceFile(cancel, signerKey(i))));
    await f.anyone.governance.executeProposal({ file: cancel, signatures: cancelSigs });
    expect((await f.anyone.governance.getProposalStatus({ file: stuck })).state).to.equal("cancelled");
    await time.increase(MIN_DELAY);
    const dead = await rejectsWith(f.anyone.governance.executeProposal({ file: stuck }), ContractRevertError);
    expect(dead.errorName).to.equal("MultisigStaleNonce");
    await f.anyone.governance.executeProposal({ file: other });
    expect((await f.anyone.governance.getProposalStatus({ file: other })).state).to.equal("executed");
  });

  it("lets the guardian pause everything and only governance unpause", async () => {
    const f = await loadFixture(governanceFixture);
    const gov = await f.anyone.governance.getGovernance();
    const setPausables = await f.anyone.governance.buildProposal({
      target: gov.address,
      call: {
        abi: [
          {
            type: "function",
            name: "setPausables",
            stateMutability: "nonpayable",
            inputs: [{ name: "targets", type: "address[]" }],
            outputs: [],
          },
        ],
        functionName: "setPausables",
        args: [[f.deployment.contracts.ConsortiumRegistry.proxy, f.deployment.contracts.SettlementToken.proxy]],
      },
      description: "Let the guardian pause registry and token",
    });
    const sigs = await Promise.all([0, 1, 2].map((i) => signGovernanceFile(setPausables, signerKey(i))));
    await f.anyone.governance.queueProposal({ file: setPausables, signatures: sigs });
    await time.increase(SENSITIVE_DELAY);
    await f.anyone.governance.executeProposal({ file: setPausables });
    const notGuardian = await rejectsWith(f.anyone.governance.pauseAll(), ContractRevertError);
    expect(notGuardian.errorName).to.equal("MultisigNotGuardian");
    await f.guardian.governance.pauseAll();
    expect((await f.anyone.token.getTokenInfo()).paused).to.equal(true);
    const check = await f.anyone.registry.checkTransaction({
      sender: f.bank,
      target: f.deployment.contracts.SettlementToken.proxy,
    });
    expect(check.reason.name).to.equal("RegistryPaused");
    const guardianUnpause = await rejectsWith(f.guardian.token.unpause(), ContractRevertError);
    expect(guardianUnpause.errorName).to.equal("OwnableUnauthorizedAccount");
    const unpause = await f.anyone.governance.buildProposal({
      target: f.deployment.contracts.SettlementToken.proxy,
      call: { abi: settlementTokenAbi, functionName: "unpause", args: [] },
      description: "Lift the token pause",
    });
    const unpauseSigs = await Promise.all([2, 3, 4].map((i) => signGovernanceFile(unpause, signerKey(i))));
    await f.anyone.governance.queueProposal({ file: unpause, signatures: unpauseSigs });
    await time.increase(MIN_DELAY);
    await f.anyone.governance.executeProposal({ file: unpause });
    expect((await f.anyone.token.getTokenInfo()).paused).to.equal(false);
  });

  it("validates proposal arguments before reading or sending anything", async () => {
    const f = await loadFixture(governanceFixture);
    const target = f.deployment.contracts.ConsortiumRegistry.proxy;
    const bad = [
      () =>
        f.anyone.governance.buildProposal({ target: "0x12" as `0x${string}`, call: { data: "0x" }, description: "x" }),
      () => f.anyone.governance.buildProposal({ target, call: { data: "0x" }, lane: -1n, description: "x" }),
      () =>
        f.anyone.governance.buildProposal({
          target,
          call: { data: "0x" },
          expiry: 10n,
          notBefore: 20n,
          description: "x",
        }),
      () =>
        f.anyone.governance.buildProposal({
          target,
          call: { abi: consortiumRegistryAbi, functionName: "setLimits", args: ["nope"] },
          description: "x",
        }),
    ];
    const args = [];
    for (const p of bad) args.push((await rejectsWith(p(), InvalidArgumentError)).argument);
    expect(args).to.deep.equal(["target", "lane", "expiry", "call"]);
  });
});
