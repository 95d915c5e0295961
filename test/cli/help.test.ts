/** Every command of the CLI documents itself with an example in its --help. */
import { expect } from "chai";
import type { Command } from "commander";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMAND_GROUPS, groupOf } from "../../packages/cli/src/groups";
import { buildProgram } from "../../packages/cli/src/main";
import { renderedDoc } from "../../scripts/cli-doc";

const io = { out: () => undefined, err: () => undefined, env: {} };

describe("CLI help", () => {
  it("lists each group with the description its module gives it", async () => {
    const loaded = await buildProgram(io, [], { all: true });
    for (const group of COMMAND_GROUPS) {
      const command = loaded.commands.find((c) => c.name() === group.name);
      expect(command?.description(), group.name).to.equal(group.summary);
    }
    expect(loaded.commands.map((c) => c.name())).to.deep.equal(COMMAND_GROUPS.map((g) => g.name));
  });

  it("docs/cli.md's command reference is the CLI's current help (npm run docs:cli)", async () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "cli.md"), "utf8");
    expect(doc === (await renderedDoc()), "docs/cli.md is stale: run `npm run docs:cli`").to.equal(true);
  });

  it("finds the group a command line runs, after global options and their values", () => {
    expect(groupOf(["--rpc-url", "http://x", "--json", "batch", "status", "b.json"])?.name).to.equal("batch");
    expect(groupOf(["help", "cycle"])?.name).to.equal("cycle");
    expect(groupOf(["--deployment", "batch"])).to.equal(undefined); // "batch" is the option's value
    expect(groupOf(["--help"])).to.equal(undefined);
    expect(groupOf(["bacth"])).to.equal(undefined);
  });

  it("answers --help and --version without loading viem or the SDK", () => {
    const main = join(__dirname, "..", "..", "packages", "cli", "dist", "cjs", "main.js");
    const script = `const { runCli } = require(${JSON.stringify(main)});
      const out = [];
      const io = { out: (s) => out.push(s), err: (s) => out.push(s), env: {} };
      (async () => {
        const codes = [await runCli(["--help"], io), await runCli(["--version"], io)];
        const heavy = Object.keys(require.cache).filter((f) => ["/node_modules/viem/", "/node_modules/snarkjs/", "/node_modules/fastify/", "/packages/sdk/"].some((p) => f.includes(p)));
        console.log(JSON.stringify({ codes, heavy: heavy.length, out: out.join(String.fromCharCode(10)) }));
      })();`;
    const result = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as {
      codes: number[];
      heavy: number;
      out: string;
    };
    expect(result.codes).to.deep.equal([0, 0]);
    expect(result.heavy).to.equal(0);
    expect(result.out).to.include("deploy [options] <consortium>");
    expect(result.out).to.match(/\n\d+\.\d+\.\d+/);
  });

  it("every command's --help has an example", async () => {
    const program = await buildProgram(io, [], { all: true });
    const leaves: [string, Command][] = [];
    const walk = (c: Command, path: string[]): void => {
      if (c.commands.length === 0) leaves.push([path.join(" "), c]);
      for (const sub of c.commands) walk(sub, [...path, sub.name()]);
    };
    walk(program, []);
    expect(leaves.length).to.be.greaterThan(50);
    const missing = leaves.filter(([, c]) => !/Example/.test(helpText(c)));
    expect(missing.map(([name]) => name)).to.deep.equal([]);
  });
});

/** The help text as printed (commander appends the "after" texts on output). */
function helpText(c: Command): string {
  let text = "";
  c.configureOutput({ writeOut: (s) => (text += s) });
  c.outputHelp();
  return text;
}
