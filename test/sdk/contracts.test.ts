/**
 * The contract manifest (@clearhouse/contracts) and `contractOf` (the SDK): the manifest's ABIs are
 * the compiled ones, its names are the deployment file's, and a deployment without a contract
 * gives one typed error (a DeploymentError, so the CLI exits 2) naming what to deploy.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  AUDITED_CONTRACTS,
  CONTRACTS,
  CONTRACT_NAMES,
  GOVERNED_CONTRACTS,
  PROPOSAL_TARGETS,
  UPGRADEABLE_CONTRACTS,
  addressOf,
  contractByShortName,
  deployedContract,
} from "../../packages/contracts/src";
import {
  ContractNotDeployedError,
  DeploymentError,
  contractOf,
  consortiumMultisigAbi,
  settlementTokenAbi,
} from "../../packages/sdk/src";
import { auditedContracts } from "../../packages/sdk/src/audit";
import { ExitCode } from "../../packages/cli/src/exit";
import { cliWorkspace, expectFailure } from "../cli/harness";
import { sdkFixture } from "./fixture";
import { governanceFixture } from "./governanceFixture";

const ROOT = join(__dirname, "..", "..");

describe("contract manifest and contractOf", () => {
  it("holds each contract's compiled ABI, a unique short name and its role", () => {
    for (const name of CONTRACT_NAMES) {
      const c = CONTRACTS[name];
      expect(c.name).to.equal(name);
      const artifact = JSON.parse(readFileSync(join(ROOT, "artifacts", c.artifact), "utf8")) as {
        contractName: string;
        abi: unknown;
      };
      expect(artifact.contractName, name).to.equal(name);
      expect(c.abi, name).to.deep.equal(artifact.abi);
      expect(contractByShortName(c.shortName), c.shortName).to.equal(c);
    }
    expect(CONTRACT_NAMES.map((n) => CONTRACTS[n].shortName)).to.deep.equal([
      "registry",
      "token",
      "ledger",
      "engine",
      "verifiers",
      "escrow",
      "offline",
      "multisig",
    ]);
    expect(contractByShortName("vault")).to.equal(undefined);
    expect(contractByShortName("ConsortiumRegistry")).to.equal(undefined);
    const proxied = CONTRACT_NAMES.filter((n) => n !== "ConsortiumMultisig");
    expect(UPGRADEABLE_CONTRACTS).to.deep.equal(proxied);
    expect(GOVERNED_CONTRACTS).to.deep.equal(proxied);
    expect(AUDITED_CONTRACTS).to.deep.equal(CONTRACT_NAMES);
    expect(PROPOSAL_TARGETS).to.deep.equal(CONTRACT_NAMES);
    expect(CONTRACTS.ConsortiumMultisig).to.deep.include({ location: "address", upgradeable: false, governed: false });
  });

  it("names every contract of a full deployment, where the deployment file keeps its address", async () => {
    const { deployment } = await loadFixture(governanceFixture);
    // and the member accounts' factory and beacon (decision 045), which are not one contract
    expect(Object.keys(deployment.contracts).sort()).to.deep.equal([...CONTRACT_NAMES, "MemberAccounts"].sort());
    const c = deployment.contracts;
    expect(addressOf(deployment, "SettlementLedger")).to.equal(c.SettlementLedger!.proxy);
    expect(addressOf(deployment, "ConsortiumMultisig")).to.equal(c.ConsortiumMultisig!.address);
    expect(deployedContract(deployment, "ConditionalEscrow")).to.deep.equal({
      address: c.ConditionalEscrow!.proxy,
      blockNumber: c.ConditionalEscrow!.blockNumber,
    });
    const engine = contractOf({ deployment }, "NettingEngine");
    expect(engine.address).to.equal(c.NettingEngine!.proxy);
    expect(engine.abi).to.equal(CONTRACTS.NettingEngine.abi);
    expect(contractOf({ deployment }, "ConsortiumMultisig")).to.deep.equal({
      address: c.ConsortiumMultisig!.address,
      abi: consortiumMultisigAbi,
    });
    const audited = auditedContracts({ deployment } as Parameters<typeof auditedContracts>[0]);
    for (const name of CONTRACT_NAMES) expect(audited[name], name).to.equal(addressOf(deployment, name));
  });

  it("throws ContractNotDeployedError (a DeploymentError) with what to deploy; the CLI exits 2", async () => {
    const { deployment, bankA } = await loadFixture(sdkFixture);
    expect(addressOf(deployment, "NettingEngine")).to.equal(undefined);
    expect(contractOf({ deployment }, "SettlementToken")).to.deep.equal({
      address: deployment.contracts.SettlementToken.proxy,
      abi: settlementTokenAbi,
    });
    const cases = [
      ["NettingEngine", /Deploy the settlement layer first/],
      ["ConditionalEscrow", /Deploy the payments layer first/],
      ["VerifierRegistry", /with the zk layer/],
      ["ConsortiumMultisig", /Deploy governance first/],
    ] as const;
    for (const [name, hint] of cases) {
      let error: unknown;
      try {
        contractOf({ deployment }, name);
      } catch (e) {
        error = e;
      }
      expect(error, name).to.be.instanceOf(ContractNotDeployedError).and.instanceOf(DeploymentError);
      const e = error as ContractNotDeployedError;
      expect(e.contract).to.equal(name);
      expect(e.shortMessage).to.equal(`Deployment: this deployment has no ${name}.`);
      expect(e.hint, name).to.match(hint);
    }
    // The SDK's actions throw it too, before anything is sent.
    let fromAction: unknown;
    await bankA.settlement.getCycle({ cycleId: 1n }).catch((e: unknown) => (fromAction = e));
    expect(fromAction).to.be.instanceOf(ContractNotDeployedError);
    const { cli, keyFile } = cliWorkspace(deployment, "manifest");
    expectFailure(
      await cli("--key-file", keyFile(2), "cycle", "allow", "--amount", "5"),
      ExitCode.badInput,
      /^error: Deployment: this deployment has no NettingEngine\./,
    );
    expectFailure(
      await cli("--key-file", keyFile(2), "pay", "fund", "--amount", "5.00"),
      ExitCode.badInput,
      /^error: Deployment: this deployment has no ConditionalEscrow\./,
    );
    expectFailure(
      await cli("gov", "propose", "--target", "ledger", "--call", "pause", "--description", "d", "--out", "x.json"),
      ExitCode.badInput,
      /^error: Deployment: this deployment has no SettlementLedger\./,
    );
  });
});
