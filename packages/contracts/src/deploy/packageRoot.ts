import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The nearest directory at or above `from` whose package.json is named `name`: how a package finds
 * the files it ships (artifacts, templates, circuit artifacts) from its sources, its build or an
 * installed copy. Throws when there is none.
 */
export function findPackageRoot(from: string, name: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name)
      return dir;
    if (dirname(dir) === dir) throw new Error(`${name}: no package.json of that name above ${from}`);
  }
}
