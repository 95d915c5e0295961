/**
 * hardhat.config.ts's `localhost` network (what `npm run deploy -- --network localhost` uses)
 * follows CLEARHOUSE_RPC_URL as the CLI does, so a node on another port works. The config is loaded
 * in a fresh process: this one's Hardhat runtime has already read it.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");

/** The URLs of `localhost` and `remote` as Hardhat resolves them with `env` (CLEARHOUSE_RPC_URL unset otherwise). */
async function networkUrls(env: Record<string, string>): Promise<{ localhost?: string; remote?: string }> {
  const inherited = { ...process.env };
  delete inherited.CLEARHOUSE_RPC_URL;
  delete inherited.CLEARHOUSE_PRIVATE_KEY;
  delete inherited.HARDHAT_NETWORK;
  const script =
    'const { config } = require("hardhat");' +
    "const url = (n) => config.networks[n] && config.networks[n].url;" +
    'process.stdout.write(JSON.stringify({ localhost: url("localhost"), remote: url("remote") }));';
  const { stdout } = await run("node", ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: ROOT,
    env: { ...inherited, ...env },
  });
  return JSON.parse(stdout) as { localhost?: string; remote?: string };
}

describe("hardhat.config.ts networks", function () {
  this.timeout(60_000);

  it("localhost is 127.0.0.1:8545 unless CLEARHOUSE_RPC_URL names another node", async () => {
    expect(await networkUrls({})).to.deep.equal({ localhost: "http://127.0.0.1:8545" });
    expect(await networkUrls({ CLEARHOUSE_RPC_URL: "http://127.0.0.1:9545" })).to.deep.equal({
      localhost: "http://127.0.0.1:9545",
      remote: "http://127.0.0.1:9545",
    });
  });
});
