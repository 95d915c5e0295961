/** CLI settings: flags > environment > config file > defaults. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { UsageError } from "../../packages/cli/src/exit";
import { resolveGlobals, type CliIo } from "../../packages/cli/src/options";

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
});
