/** Every command of the CLI documents itself with an example in its --help. */
import { expect } from "chai";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main";

describe("CLI help", () => {
  it("every command's --help has an example", () => {
    const program = buildProgram({ out: () => undefined, err: () => undefined, env: {} });
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
