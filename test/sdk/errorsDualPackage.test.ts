/**
 * `instanceof` across copies of the SDK: an application loading both the ESM and the CommonJS
 * build gets two copies of every error class; an error thrown by one copy must still be an
 * instance of the other copy's classes (and not of unrelated ones). Runs on the built packages
 * (`npm test` builds them first).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";

type ErrorsModule = typeof import("../../packages/sdk/src/errors/base");

const DIST = join(__dirname, "..", "..", "packages", "sdk", "dist");
// A real dynamic import (ts-node would turn `import()` into require()).
const importEsm = new Function("url", "return import(url)") as (url: string) => Promise<ErrorsModule>;

describe("SDK errors: instanceof across the ESM and CommonJS builds", () => {
  it("an error of one build is an instance of the other build's class and its ancestors only", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cjs = require(join(DIST, "cjs", "errors", "base.js")) as ErrorsModule;
    const esm = await importEsm(pathToFileURL(join(DIST, "esm", "errors", "base.js")).href);
    expect(cjs.ClearhouseError).not.to.equal(esm.ClearhouseError); // two copies indeed

    const fromCjs = new cjs.InvalidArgumentError("amount", "must be positive");
    expect(fromCjs).to.be.instanceOf(esm.InvalidArgumentError);
    expect(fromCjs).to.be.instanceOf(esm.ClearhouseError);
    expect(fromCjs).to.be.instanceOf(cjs.InvalidArgumentError);
    expect(fromCjs).not.to.be.instanceOf(esm.MissingAccountError);
    expect(esm.categoryOf(fromCjs)).to.equal("input");

    const fromEsm = new esm.MissingAccountError("transfer");
    expect(fromEsm).to.be.instanceOf(cjs.MissingAccountError);
    expect(fromEsm).not.to.be.instanceOf(cjs.InvalidArgumentError);
    expect(cjs.categoryOf(new Error("x", { cause: fromEsm }))).to.equal("input");
    expect(Object.keys(fromEsm)).not.to.include("clearhouse.error.classes"); // not enumerable: JSON unchanged
    expect({} as unknown).not.to.be.instanceOf(cjs.ClearhouseError);
    expect(new Error("plain")).not.to.be.instanceOf(esm.ClearhouseError);
  });
});
