/** CLI settings: flags > environment > config file > defaults. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { UsageError } from "../../packages/cli/src/exit";
import { nodeSettings, resolveGlobals, rpcUrlsOf, type CliIo } from "../../packages/cli/src/options";

const io = (env: Record<string, string | undefined> = {}): CliIo => ({
  out: () => undefined,
  err: () => undefined,
  env,
});

describe("CLI settings file", () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-config-"));
  const file = join(dir, "clearhouse.yaml");
  writeFileSync(file, "rpcUrl: http://node.file:8545\ndeployment: deployments/file.json\nkeyFile: file.key\n");

  it("fills what neither a flag nor a variable gave, in that order", () => {
    expect(resolveGlobals({ configFile: file }, io())).to.deep.include({
      rpcUrl: "http://node.file:8545",
      deployment: "deployments/file.json",
      keyFile: "file.key",
    });
    const env = resolveGlobals(
      { configFile: file },
      io({ CLEARHOUSE_RPC_URL: "http://node.env:8545", CLEARHOUSE_KEY_FILE: "env.key" }),
    );
    expect(env.rpcUrl).to.equal(undefined); // left to the environment variable, read where it is used
    expect(env.keyFile).to.equal("env.key");
    expect(env.deployment).to.equal("deployments/file.json");
    const flags = resolveGlobals(
      { configFile: file, rpcUrl: "http://node.flag:8545" },
      io({ CLEARHOUSE_RPC_URL: "http://node.env:8545" }),
    );
    expect(flags.rpcUrl).to.equal("http://node.flag:8545");
    expect(resolveGlobals({}, io({ CLEARHOUSE_CONFIG: file })).deployment).to.equal("deployments/file.json");
  });

  it("refuses an unreadable file or an unknown setting, naming it", () => {
    expect(() => resolveGlobals({ configFile: join(dir, "missing.yaml") }, io())).to.throw(
      UsageError,
      /Cannot use the config file/,
    );
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "rpcurl: x\n");
    expect(() => resolveGlobals({ configFile: bad }, io())).to.throw(UsageError, /unknown setting "rpcurl"/);
  });

  it("reads confirmations, maxLogRange, freeGas and dropTimeout from the environment or the file, and checks them", () => {
    const nodes = join(dir, "nodes.yaml");
    writeFileSync(nodes, "confirmations: 2\nmaxLogRange: 1000\nfreeGas: true\ndropTimeout: 15000\n");
    const fromFile = resolveGlobals({ configFile: nodes }, io());
    expect(nodeSettings(fromFile)).to.deep.equal({
      confirmations: 2,
      maxLogRange: 1000n,
      freeGas: true,
      dropTimeout: 15_000,
    });
    const fromEnv = resolveGlobals(
      { configFile: nodes },
      io({
        CLEARHOUSE_CONFIRMATIONS: "0",
        CLEARHOUSE_MAX_LOG_RANGE: "5000",
        CLEARHOUSE_FREE_GAS: "auto",
        CLEARHOUSE_DROP_TIMEOUT: "4000",
      }),
    );
    expect(nodeSettings(fromEnv)).to.deep.equal({ confirmations: 0, maxLogRange: 5000n, dropTimeout: 4_000 });
    expect(() => nodeSettings({ dropTimeout: "5" })).to.throw(UsageError, /dropTimeout "5"/);
    expect(nodeSettings({ freeGas: "false" })).to.deep.equal({ freeGas: false });
    expect(() => nodeSettings({ confirmations: "-1" })).to.throw(UsageError, /confirmations "-1"/);
    expect(() => nodeSettings({ maxLogRange: "0" })).to.throw(UsageError, /maxLogRange "0"/);
    expect(() => nodeSettings({ freeGas: "yes" })).to.throw(UsageError, /freeGas "yes"/);
  });

  it("splits comma-separated RPC URLs and refuses what is not a URL", () => {
    expect(rpcUrlsOf({ rpcUrl: "http://a:8545, http://b:8545," }, io())).to.deep.equal([
      "http://a:8545",
      "http://b:8545",
    ]);
    expect(rpcUrlsOf({}, io({ CLEARHOUSE_RPC_URL: "https://c:8545" }))).to.deep.equal(["https://c:8545"]);
    expect(rpcUrlsOf({}, io())).to.deep.equal(["http://127.0.0.1:8545"]);
    expect(() => rpcUrlsOf({ rpcUrl: "http://a:8545,b:8545" }, io())).to.throw(UsageError, /"b:8545"/);
    expect(() => rpcUrlsOf({ rpcUrl: " , " }, io())).to.throw(UsageError, /names no URL/);
  });
});
