/**
 * The source hash of a circuit: sha256 over every .circom file its main component includes,
 * transitively (circomlib's too), so a committed artifact can be matched to the exact sources.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { PACKAGE_ROOT } from "./artifacts";

const INCLUDE = /^\s*include\s+"([^"]+)"\s*;/gm;

/** `node_modules/<path>` as Node would find it from this package (npm may hoist it above). */
export function nodeModulePath(path: string): string | undefined {
  for (let dir = PACKAGE_ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", path);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function resolveInclude(from: string, name: string): string {
  const local = join(dirname(from), name);
  if (existsSync(local)) return local;
  // A library include (circomlib) resolves like a Node package: the nearest node_modules above.
  const lib = nodeModulePath(name);
  if (lib) return lib;
  throw new Error(
    `${relative(PACKAGE_ROOT, from)} includes "${name}", which is neither next to it nor in node_modules`,
  );
}

/** Every file the circuit compiles from, as package-relative paths, sorted. */
export function circuitSources(main: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(INCLUDE)) visit(resolveInclude(file, m[1]));
  };
  visit(join(PACKAGE_ROOT, main));
  return [...seen].map(sourceName).sort();
}

/**
 * A source's name in the hash: package-relative for the package's own files, and
 * `node_modules/<library path>` for a library's, wherever npm placed it.
 */
function sourceName(file: string): string {
  const path = file.replace(/\\/g, "/");
  const lib = path.lastIndexOf("/node_modules/");
  return lib >= 0 ? path.slice(lib + 1) : relative(PACKAGE_ROOT, file).replace(/\\/g, "/");
}

/** Where a named source (as `circuitSources` names it) is on disk. */
export function sourcePath(name: string): string {
  if (!name.startsWith("node_modules/")) return join(PACKAGE_ROOT, name);
  return resolveInclude(join(PACKAGE_ROOT, "circuits", "main", "_"), name.slice("node_modules/".length));
}

/** sha256 over (path, NUL, content, NUL) of each source, in sorted path order; hex without 0x. */
export function sourceHash(main: string): string {
  const h = createHash("sha256");
  for (const file of circuitSources(main)) {
    h.update(file);
    h.update("\0");
    h.update(readFileSync(sourcePath(file)));
    h.update("\0");
  }
  return h.digest("hex");
}

/** sha256 of a file, hex without 0x. */
export function fileHash(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}
