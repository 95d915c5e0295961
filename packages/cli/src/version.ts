import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The installed `@clearhouse/cli` version, from its package.json (found above this module). */
export function cliVersion(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "@clearhouse/cli" && pkg.version) return pkg.version;
  }
  return "unknown";
}
