/**
 * The Besu plugin skeleton (ops/besu-plugin, Java: nothing here compiles it) cannot drift from the
 * contract: the selector it calls is `check(address,address,uint256,bytes)`'s, its reason names are
 * the registry's `Reason` enum in order, and it uses only the plugin-API types it was written
 * against (read in hyperledger/besu's plugin-api and datatypes sources, March 2026).
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getAbiItem, toFunctionSelector } from "viem";
import { consortiumRegistryAbi } from "../../packages/contracts/src/abis";
import { Reasons } from "../../packages/sdk/src/registry/roles";

const ROOT = join(__dirname, "..", "..");
const PLUGIN = join(ROOT, "ops", "besu-plugin");
const JAVA = join(PLUGIN, "src", "main", "java", "com", "clearhouse", "besu");
const read = (...path: string[]) => readFileSync(join(...path), "utf8");

describe("ops/besu-plugin: the transaction permissioning skeleton matches the registry", () => {
  const check = read(JAVA, "RegistryCheck.java");
  const plugin = read(JAVA, "ClearhousePermissioningPlugin.java");

  it("calls check(address,address,uint256,bytes) by its selector", () => {
    const selector = /CHECK_SELECTOR = "([0-9a-f]{8})"/.exec(check)?.[1];
    expect(`0x${selector}`).to.equal(toFunctionSelector("check(address,address,uint256,bytes)"));
    expect(`0x${selector}`).to.equal(toFunctionSelector(getAbiItem({ abi: consortiumRegistryAbi, name: "check" })));
    const outputs = getAbiItem({ abi: consortiumRegistryAbi, name: "check" }).outputs.map((o) => o.type);
    expect(outputs, "decode() reads (bool, uint8)").to.deep.equal(["bool", "uint8"]);
  });

  it("names the reason codes as the contract's Reason enum does, in order", () => {
    const javaNames = [...(/REASONS = \{([^}]*)\}/.exec(check)?.[1] ?? "").matchAll(/"(\w+)"/g)].map((m) => m[1]);
    const solidity = read(ROOT, "contracts", "access", "IConsortiumRegistry.sol");
    const enumBody = /enum Reason \{([^}]*)\}/.exec(solidity)?.[1] ?? "";
    const solidityNames = [...enumBody.replace(/\/\/[^\n]*/g, "").matchAll(/(\w+)/g)].map((m) => m[1]);
    expect(solidityNames).to.have.length.greaterThan(5);
    expect(javaNames).to.deep.equal(solidityNames);
    expect(javaNames).to.deep.equal(Reasons.map((r) => r.name));
  });

  it("permits history: while catching up and below --plugin-clearhouse-from-block, within one time budget", () => {
    expect(plugin).to.match(/names = "--plugin-clearhouse-from-block"/);
    expect(plugin).to.match(/names = "--plugin-clearhouse-timeout-ms"/);
    // the order of the rule: catching up first, then the from-block, then the registry
    const syncing = check.indexOf('call("eth_syncing"');
    const head = check.indexOf('call("eth_blockNumber"');
    const ask = check.indexOf('call("eth_call"');
    expect(syncing, "eth_syncing asked").to.be.greaterThan(0);
    expect(head, "then the head").to.be.greaterThan(syncing);
    expect(ask, "then the registry").to.be.greaterThan(head);
    expect(check).to.include("if (head + 1 < fromBlock)");
    // every call shares the decision's deadline; past it the plugin permits (fail open)
    expect(check).to.include(".timeout(Duration.ofNanos(left))");
    expect(plugin).to.include("final long deadline = System.nanoTime() + budgetMs * 1_000_000L;");
    expect(plugin).to.match(/catch \(final Exception e\) \{\s*LOG\.warn\([\s\S]*?\);\s*return true;/);
    const readme = read(PLUGIN, "README.md");
    expect(readme).to.include("Never refuse history");
  });

  it("uses the plugin API's PermissioningService and Transaction as Besu 25.3+ declares them", () => {
    const imports = [...plugin.matchAll(/^import (org\.hyperledger\.besu\.[\w.]+);/gm)].map((m) => m[1]).sort();
    expect(imports).to.deep.equal([
      "org.hyperledger.besu.datatypes.Address",
      "org.hyperledger.besu.datatypes.Transaction",
      "org.hyperledger.besu.plugin.BesuPlugin",
      "org.hyperledger.besu.plugin.ServiceManager",
      "org.hyperledger.besu.plugin.services.PermissioningService",
      "org.hyperledger.besu.plugin.services.PicoCLIOptions",
    ]);
    expect(plugin).to.include("public void register(final ServiceManager context)");
    expect(plugin).to.include(
      "permissioning.registerTransactionPermissioningProvider(tx -> permitted(registryCheck, tx, fromBlock, timeoutMs))",
    );
    expect(plugin).to.include('addPicoCLIOptions("clearhouse", this)');
    for (const option of [...plugin.matchAll(/names = "(--[\w-]+)"/g)].map((m) => m[1])) {
      expect(option, "PicoCLIOptionsImpl requires --plugin-<namespace>-").to.match(/^--plugin-clearhouse-/);
      expect(read(PLUGIN, "README.md"), `README documents ${option}`).to.include(option);
    }
    expect(
      read(PLUGIN, "src", "main", "resources", "META-INF", "services", "org.hyperledger.besu.plugin.BesuPlugin").trim(),
    ).to.equal("com.clearhouse.besu.ClearhousePermissioningPlugin");
    expect(read(PLUGIN, "build.gradle")).to.match(
      /compileOnly "org\.hyperledger\.besu:besu-plugin-api:\$\{besuVersion\}"/,
    );
  });
});
