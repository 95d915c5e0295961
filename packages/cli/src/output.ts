import type { CliIo, GlobalOptions } from "./options";

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Human text, or `--json`'s machine-readable object. */
export function print(io: CliIo, opts: GlobalOptions, human: string, json: unknown): void {
  io.out(opts.json ? toJson({ ok: true, result: json }) : human);
}
