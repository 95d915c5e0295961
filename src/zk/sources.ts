/**
 * The source hash of a circuit: sha256 over every .circom file its main component includes,
 * transitively (circomlib's too), so a committed artifact can be matched to the exact sources.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { PACKAGE_ROOT } from "./circuits";

const INCLUDE = /^\s*include\s+"([^"]+)"\s*;/gm;

function resolveInclude(from: string, name: string): string {
  const local = join(dirname(from), name);
  if (existsSync(local)) return local;
  const lib = join(PACKAGE_ROOT, "node_modules", name);
  if (existsSync(lib)) return lib;
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
  return [...seen].map((f) => relative(PACKAGE_ROOT, f)).sort();
}

/** sha256 over (path, NUL, content, NUL) of each source, in sorted path order; hex without 0x. */
export function sourceHash(main: string): string {
  const h = createHash("sha256");
  for (const file of circuitSources(main)) {
    h.update(file.replace(/\\/g, "/"));
    h.update("\0");
    h.update(readFileSync(join(PACKAGE_ROOT, file)));
    h.update("\0");
  }
  return h.digest("hex");
}

/** sha256 of a file, hex without 0x. */
export function fileHash(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}
