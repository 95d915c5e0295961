/** Compiling a circuit with circom 2 (the WebAssembly build from npm), as the ceremony does. */
import { execFileSync } from "node:child_process";
import { basename, dirname, join, relative } from "node:path";
import { PACKAGE_ROOT } from "../../packages/zk/src/artifacts";

/**
 * Compile `main` (a path relative to the package root) with `--O2` and includes from node_modules
 * into `outDir`; returns where the r1cs (and, with `wasm`, the witness wasm) were written.
 */
export function compileCircuit(
  main: string,
  outDir: string,
  opts: { wasm?: boolean } = {},
): { r1cs: string; wasm: string } {
  const name = basename(main, ".circom");
  // circom (WASI) sees only its working directory: run it where the node_modules holding
  // circomlib is (npm hoists it to the workspace root)
  const base = dirname(dirname(dirname(require.resolve("circomlib/package.json"))));
  const args = [
    require.resolve("circom2/cli.js"),
    relative(base, join(PACKAGE_ROOT, main)),
    "--r1cs",
    ...(opts.wasm ? ["--wasm"] : []),
    "--O2",
    "-l",
    "node_modules",
    "-o",
    outDir,
  ];
  execFileSync(process.execPath, args, { cwd: base, stdio: ["ignore", "pipe", "pipe"] });
  return { r1cs: join(outDir, `${name}.r1cs`), wasm: join(outDir, `${name}_js`, `${name}.wasm`) };
}
