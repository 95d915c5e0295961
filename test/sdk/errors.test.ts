import { expect } from "chai";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  HttpRequestError,
  encodeErrorResult,
  getAddress,
  type Hex,
} from "viem";
import {
  ClearhouseError,
  ContractRevertError,
  ERROR_CATEGORIES,
  InvalidArgumentError,
  NetworkError,
  categoryOf,
  clearhouseErrorsAbi,
  consortiumRegistryAbi,
  createClearhouse,
  decodeRevertData,
  findError,
  revertCatalog,
  toClearhouseError,
} from "../../packages/sdk/src";
import { escrowErrors } from "../../packages/sdk/src/errors/catalog/escrow";
import { ledgerErrors } from "../../packages/sdk/src/errors/catalog/ledger";
import { multisigErrors } from "../../packages/sdk/src/errors/catalog/multisig";
import { nettingErrors } from "../../packages/sdk/src/errors/catalog/netting";
import { offlineErrors } from "../../packages/sdk/src/errors/catalog/offline";
import { accountErrors } from "../../packages/sdk/src/errors/catalog/accounts";
import { cryptoErrors } from "../../packages/sdk/src/errors/catalog/crypto";
import { registryErrors } from "../../packages/sdk/src/errors/catalog/registry";
import { sharedErrors } from "../../packages/sdk/src/errors/catalog/shared";
import { tokenErrors } from "../../packages/sdk/src/errors/catalog/token";
import { verifierRegistryErrors } from "../../packages/sdk/src/errors/catalog/verifierRegistry";
import { walkCauses } from "../../packages/sdk/src/errors/walk";
import { rejectsWith, sdkFixture } from "./fixture";

const BANK = getAddress("0x00000000000000000000000000000000000000ab");
const SDK_SRC = join(__dirname, "..", "..", "packages", "sdk", "src");

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The files a source imports by relative path (type-only imports included). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*"(\.[^"]*)"/g)].flatMap(([, spec]) => {
    const base = normalize(join(dirname(file), spec));
    return [`${base}.ts`, join(base, "index.ts")].filter(existsSync).slice(0, 1);
  });
}

describe("SDK error layer: categories, walk and the revert catalogue", () => {
  describe("walk and findError (viem's BaseError.walk semantics)", () => {
    it("keeps viem's error as the cause of a revert on chain and walks down to the revert data", async () => {
      const { outsider, addresses } = await loadFixture(sdkFixture);
      const error = await rejectsWith(
        outsider.registry.suspendMember({ account: addresses.bankA }),
        ContractRevertError,
      );
      expect(error.category).to.equal("refused");
      const call = error.walk((e) => e instanceof ContractFunctionExecutionError);
      expect(call).to.be.instanceOf(ContractFunctionExecutionError).and.equal(error.cause);
      expect(findError(error, ContractFunctionExecutionError)?.functionName).to.equal("suspendMember");
      // the outermost error of a class comes first; absent classes give undefined / null
      expect(findError(error, ContractRevertError)).to.equal(error);
      expect(findError(error, ClearhouseError)).to.equal(error);
      expect(findError(error, NetworkError)).to.equal(undefined);
      expect(error.walk(() => false)).to.equal(null);
      // the root cause is the one viem's own walk reaches from the viem error we wrap: here the
      // node's error holding the raw revert data, which decodes to the error we report
      const root = error.walk() as { data?: Hex };
      expect(root).to.equal((error.cause as BaseError).walk());
      expect(decodeRevertData(root.data!)).to.deep.equal(error.revert);
    });

    it("finds viem's ContractFunctionRevertedError under a decoded revert", () => {
      const data = encodeErrorResult({ abi: clearhouseErrorsAbi, errorName: "RegistryNotMember", args: [BANK] });
      // what viem throws when a node answers eth_call with error code 3 and revert data (geth);
      // Hardhat's in-process provider answers otherwise, so this chain is built from viem's classes
      const reverted = new ContractFunctionRevertedError({
        abi: clearhouseErrorsAbi,
        data,
        functionName: "suspendMember",
      });
      const thrown = new ContractFunctionExecutionError(reverted, {
        abi: consortiumRegistryAbi,
        functionName: "suspendMember",
        args: [BANK],
      });
      const error = toClearhouseError(thrown, "suspendMember");
      expect(error).to.be.instanceOf(ContractRevertError);
      expect((error as ContractRevertError).revert).to.deep.equal({ errorName: "RegistryNotMember", args: [BANK] });
      expect(error.walk((e) => e instanceof ContractFunctionRevertedError)).to.equal(reverted);
      expect(findError(error, ContractFunctionRevertedError)?.data?.errorName).to.equal("RegistryNotMember");
      expect(findError(error, ContractFunctionRevertedError)?.raw).to.equal(data);
    });

    it("reaches the transport's error under a NetworkError", async () => {
      const { deployment, addresses } = await loadFixture(sdkFixture);
      const ch = createClearhouse({ rpcUrl: "http://127.0.0.1:9", deployment });
      const error = await rejectsWith(ch.registry.getMember({ account: addresses.bankA }), NetworkError);
      expect(error.category).to.equal("network");
      expect(findError(error, HttpRequestError)?.url).to.match(/^http:\/\/127\.0\.0\.1:9\/?$/);
      expect(categoryOf(error)).to.equal("network");
    });

    it("walks from a viem error into a Clearhouse error it wraps", () => {
      const ours = new InvalidArgumentError("amount", "is negative");
      const theirs = new BaseError("The request failed.", { cause: ours });
      expect(theirs.walk((e) => e instanceof ClearhouseError)).to.equal(ours);
      expect(findError(theirs, InvalidArgumentError)).to.equal(ours);
      expect(categoryOf(theirs)).to.equal("input");
      expect(categoryOf(new Error("wrapped", { cause: theirs }))).to.equal("input");
    });

    it("visits the same errors as viem's walk, in the same order", () => {
      const root = new Error("socket hang up");
      const middle = new BaseError("HTTP request failed.", { cause: root });
      const top = new BaseError("Contract call failed.", { cause: middle });
      const ours = new ClearhouseError("transfer failed", { cause: top });
      const visited: unknown[] = [];
      ours.walk((e) => {
        visited.push(e);
        return false;
      });
      expect(visited).to.deep.equal([ours, top, middle, root]);
      expect(ours.walk()).to.equal(top.walk()).and.equal(root);
      for (const target of [top, middle, root]) {
        const is = (e: unknown) => e === target;
        expect(walkCauses(top, is)).to.equal(top.walk(is));
        expect(ours.walk(is)).to.equal(target);
      }
      expect(new ClearhouseError("alone").walk()).to.be.instanceOf(ClearhouseError);
    });

    it("ends at a cause chain's loop instead of recursing forever", () => {
      const a = new Error("a");
      const b = new ClearhouseError("b", { cause: a });
      (a as { cause?: unknown }).cause = b;
      expect(b.walk()).to.equal(a);
      expect(b.walk((e) => e instanceof TypeError)).to.equal(null);
      expect(findError(a, ClearhouseError)).to.equal(b);
    });
  });

  describe("categories", () => {
    it("are input, refused, network and internal; internal unless an error says otherwise", () => {
      expect(ERROR_CATEGORIES).to.deep.equal(["input", "refused", "network", "internal"]);
      expect(new ClearhouseError("x").category).to.equal("internal");
      expect(new ClearhouseError("x", { category: "refused" }).category).to.equal("refused");
      expect(categoryOf(new Error("plain"))).to.equal("internal");
      expect(categoryOf("a string")).to.equal("internal");
      expect(categoryOf(undefined)).to.equal("internal");
    });
  });

  describe("the revert catalogue", () => {
    const parts = {
      sharedErrors,
      registryErrors,
      tokenErrors,
      multisigErrors: multisigErrors(() => ""),
      ledgerErrors,
      nettingErrors,
      verifierRegistryErrors,
      escrowErrors,
      offlineErrors,
      accountErrors,
      cryptoErrors,
    };

    it("describes every custom error of the ABIs exactly once, in one contract's part", () => {
      const names = Object.values(parts).flatMap((part) => Object.keys(part));
      expect(new Set(names).size, "an error is described in two parts").to.equal(names.length);
      expect([...names].sort()).to.deep.equal(clearhouseErrorsAbi.map((e) => e.name).sort());
      expect(Object.keys(revertCatalog).sort()).to.deep.equal([...names].sort());
      expect(Object.keys(parts.registryErrors).every((n) => n.startsWith("Registry"))).to.equal(true);
      expect(Object.keys(parts.ledgerErrors).every((n) => n.startsWith("Ledger"))).to.equal(true);
      expect(Object.keys(parts.escrowErrors).every((n) => n.startsWith("Escrow"))).to.equal(true);
      expect(Object.keys(parts.offlineErrors).every((n) => n.startsWith("Vault"))).to.equal(true);
      expect(
        Object.keys(parts.accountErrors).every((n) => n.startsWith("MemberAccount") || n === "InsufficientBalance"),
      ).to.equal(true);
      expect(Object.keys(parts.cryptoErrors).every((n) => n.startsWith("SM2"))).to.equal(true);
    });

    it("has no import cycle in the error layer; the parts never import the index", () => {
      const graph = new Map(sources(SDK_SRC).map((f) => [f, relativeImports(f)]));
      const errorsDir = join(SDK_SRC, "errors");
      const catalogIndex = join(errorsDir, "catalog", "index.ts");
      const reaches = (from: string, to: string): boolean => {
        const seen = new Set<string>();
        const stack = [...(graph.get(from) ?? [])];
        while (stack.length) {
          const f = stack.pop()!;
          if (f === to) return true;
          if (seen.has(f)) continue;
          seen.add(f);
          stack.push(...(graph.get(f) ?? []));
        }
        return false;
      };
      const errorFiles = [...graph.keys()].filter((f) => f.startsWith(errorsDir));
      expect(errorFiles).to.include(catalogIndex);
      for (const file of errorFiles) {
        expect(reaches(file, file), `${file} imports itself through a cycle`).to.equal(false);
        if (file.startsWith(join(errorsDir, "catalog")) && file !== catalogIndex)
          expect(reaches(file, catalogIndex), `${file} reaches the catalogue's index`).to.equal(false);
      }
    });
  });
});
