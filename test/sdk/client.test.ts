import { loadDeployment } from "../../packages/sdk/src/node/deployment";
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import { custom, encodeErrorResult, type Hex } from "viem";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  ClearhouseError,
  ContractRevertError,
  DeploymentError,
  InvalidArgumentError,
  MissingAccountError,
  NetworkError,
  UnknownRevertError,
  WrongNetworkError,
  clearhouseErrorsAbi,
  createClearhouse,
  decodeRevertData,
  fromMinorUnits,
  revertCatalog,
  minorUnits,
  toMinorUnits,
} from "../../packages/sdk/src";
import { leiWithCheckDigits, leiHash } from "../../packages/sdk/src";
import { key, rejectsWith, sdkFixture } from "./fixture";

const transport = () => custom(hre.network.provider, { retryCount: 0 });

describe("SDK client, deployment files and error layer", () => {
  it("loads a deployment from a file and talks to the chain", async () => {
    const { deployment, addresses } = await loadFixture(sdkFixture);
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-"));
    const file = join(dir, "net.json");
    writeFileSync(file, JSON.stringify(deployment));
    const ch = createClearhouse({ transport: transport(), deployment: loadDeployment(file) });
    expect((await ch.registry.getMember({ account: addresses.bankA })).status).to.equal("Active");
  });

  it("names the bad field of a malformed deployment", async () => {
    const { deployment } = await loadFixture(sdkFixture);
    const broken = structuredClone(deployment) as unknown as { contracts: { SettlementToken: { proxy: string } } };
    broken.contracts.SettlementToken.proxy = "0x12";
    const error = await rejectsWith(
      Promise.resolve().then(() => createClearhouse({ transport: transport(), deployment: broken as never })),
      DeploymentError,
    );
    expect(error.message).to.include("contracts.SettlementToken.proxy: not an address");
    const missing = await rejectsWith(
      Promise.resolve().then(() => loadDeployment("/nonexistent/x.json")),
      DeploymentError,
    );
    expect(missing.message).to.include("cannot read /nonexistent/x.json");
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-"));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    const notJson = await rejectsWith(
      Promise.resolve().then(() => loadDeployment(join(dir, "bad.json"))),
      DeploymentError,
    );
    expect(notJson.message).to.include("is not valid JSON");
  });

  it("refuses to act on the wrong network", async () => {
    const { deployment, addresses } = await loadFixture(sdkFixture);
    const ch = createClearhouse({ transport: transport(), deployment: { ...deployment, chainId: 1 }, account: key(0) });
    const error = await rejectsWith(ch.registry.getMember({ account: addresses.bankA }), WrongNetworkError);
    expect(error.message).to.equal(
      "Connected to chain 31337, but the deployment is for chain 1.\n" +
        "Point the RPC URL at the consortium's chain or load the deployment file of this network.",
    );
  });

  it("reports an unreachable RPC as a NetworkError", async () => {
    const { deployment, addresses } = await loadFixture(sdkFixture);
    const ch = createClearhouse({ rpcUrl: "http://127.0.0.1:9", deployment });
    const error = await rejectsWith(ch.registry.getMember({ account: addresses.bankA }), NetworkError);
    expect(error.shortMessage).to.equal("Cannot reach the chain at http://127.0.0.1:9.");
  });

  it("needs an account to write and exactly one transport", async () => {
    const { deployment, addresses } = await loadFixture(sdkFixture);
    const readOnly = createClearhouse({ transport: transport(), deployment });
    await rejectsWith(readOnly.registry.suspendMember({ account: addresses.bankA }), MissingAccountError);
    const both = await rejectsWith(
      Promise.resolve().then(() => createClearhouse({ transport: transport(), rpcUrl: "http://x", deployment })),
      InvalidArgumentError,
    );
    expect(both.argument).to.equal("rpcUrl");
  });

  it("works with an unlocked node account (eth_sendTransaction) as well as a local key", async () => {
    const { deployment, addresses } = await loadFixture(sdkFixture);
    const [owner] = await hre.ethers.getSigners();
    const ch = createClearhouse({ transport: transport(), deployment, account: owner.address as `0x${string}` });
    await ch.registry.suspendMember({ account: addresses.bankB });
    expect((await ch.registry.getMember({ account: addresses.bankB })).status).to.equal("Suspended");
  });

  it("has a readable message for every custom error of every contract", () => {
    for (const item of clearhouseErrorsAbi) {
      const args = item.inputs.map((input) => {
        if (input.type === "address") return "0x00000000000000000000000000000000000000ab";
        if (input.type === "string") return "x";
        if (input.type === "bool") return true;
        if (input.type.startsWith("bytes")) return `0x${"11".repeat(Number(input.type.slice(5)) || 32)}`;
        return 5n;
      });
      const encodeArgs = item.inputs.map((input, i) => (input.type.match(/^uint(8|16)$/) ? 5 : args[i]));
      const data = encodeErrorResult({
        abi: [item],
        errorName: item.name,
        args: encodeArgs,
      } as unknown as Parameters<typeof encodeErrorResult>[0]) as Hex;
      const decoded = decodeRevertData(data);
      expect(decoded?.errorName, item.name).to.equal(item.name);
      const error = new ContractRevertError(decoded!, "someFunction");
      expect(error.shortMessage.startsWith(`${item.name}: `)).to.equal(true);
      expect(error.message, item.name).not.to.match(/undefined|NaN|\[object/);
      expect(error.hint, item.name).to.be.a("string").and.not.equal("");
    }
    expect(Object.keys(revertCatalog).sort()).to.deep.equal(clearhouseErrorsAbi.map((e) => e.name).sort());
    expect(minorUnits.amount(1234567n)).to.equal("1,234,567 minor units");
  });

  it("does not mistake foreign revert data for a Clearhouse error", () => {
    expect(decodeRevertData("0xdeadbeef")).to.equal(undefined);
    const unknown = new UnknownRevertError("transfer", "0xdeadbeef");
    expect(unknown).to.be.instanceOf(ClearhouseError);
    expect(unknown.message).to.include("unrecognised data 0xdeadbeef");
  });

  it("converts decimal amounts to minor units exactly, never through floats", () => {
    expect(toMinorUnits("amount", "10,000.50", 2)).to.equal(1_000_050n);
    expect(toMinorUnits("amount", "7", 2)).to.equal(700n);
    expect(toMinorUnits("amount", "123456789012345678901234.99", 2)).to.equal(12345678901234567890123499n);
    expect(() => toMinorUnits("amount", "1.005", 2)).to.throw(InvalidArgumentError, "more than 2 decimal places");
    expect(() => toMinorUnits("amount", "-1", 2)).to.throw(InvalidArgumentError, "not a decimal amount");
    expect(fromMinorUnits(1_000_050n, 2)).to.equal("10,000.50");
    expect(fromMinorUnits(5n, 2)).to.equal("0.05");
    expect(fromMinorUnits(-5n, 0)).to.equal("-5");
  });

  it("computes and verifies ISO 17442 LEI check digits", () => {
    // A published LEI (GLEIF's own): 506700GE1G29325QX363
    expect(leiWithCheckDigits("506700GE1G29325QX3")).to.equal("506700GE1G29325QX363");
    expect(leiHash("506700GE1G29325QX363")).to.match(/^0x[0-9a-f]{64}$/);
    expect(() => leiHash("506700GE1G29325QX364")).to.throw(InvalidArgumentError, "MOD 97-10");
  });
});
