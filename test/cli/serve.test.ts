/** `clearhouse serve`: refuses a bad configuration before connecting to anything. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ExitCode } from "../../packages/cli/src/exit";
import { cliRunner } from "./harness";

describe("CLI serve", () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-serve-"));
  const cli = cliRunner(join(dir, "no-deployment.json"));

  it("names what is wrong in the config file (exit 2)", async () => {
    const missing = await cli("serve", "--config", join(dir, "missing.yaml"));
    expect(missing.code).to.equal(ExitCode.badInput);
    expect(missing.err).to.match(/cannot read/);
    const cases: [string, RegExp][] = [
      ["apiKeys: nope\n", /apiKeys.*must be a list/],
      ["apiKeys: [{ name: a, key: short, role: auditor }]\n", /apiKeys\[0\]\.key.*at least 16/],
      ["apiKeys: [{ name: a, key: aaaaaaaaaaaaaaaaaa, role: member }]\n", /apiKeys\[0\]\.account/],
      ["apiKeys: [{ name: a, key: aaaaaaaaaaaaaaaaaa, role: root }]\n", /apiKeys\[0\]\.role/],
      ["apiKeys: []\nwebhooks: [{ id: h, url: ftp://x, secret: aaaaaaaaaaaaaaaaaa }]\n", /webhooks\[0\]\.url/],
      ["apiKeys: []\nwebhooks: [{ id: h, url: http://x, secret: short }]\n", /webhooks\[0\]\.secret/],
      ["apiKeys: []\npollSeconds: -1\n", /pollSeconds/],
      [
        "apiKeys: []\nwebhooks: [{ id: h, url: http://x, secret: aaaaaaaaaaaaaaaaaa }, { id: h, url: http://y, secret: aaaaaaaaaaaaaaaaaa }]\n",
        /webhooks.*duplicate id/,
      ],
    ];
    for (const [text, re] of cases) {
      writeFileSync(join(dir, "serve.yaml"), text);
      const r = await cli("serve", "--config", join(dir, "serve.yaml"));
      expect(r.code, text).to.equal(ExitCode.badInput);
      expect(r.err, text).to.match(re);
      expect(r.err).to.not.match(/\n\s+at /); // no stack trace
    }
  });

  it("refuses a port that is not a number", async () => {
    writeFileSync(join(dir, "ok.yaml"), "apiKeys: []\n");
    const r = await cli("serve", "--config", join(dir, "ok.yaml"), "--port", "http");
    expect(r.code).to.equal(ExitCode.badInput);
  });
});
