import { readFileSync } from "node:fs";
import { GovernanceFileError } from "../governance/files";
import { writeJsonAtomic } from "./fileio";

/** Read and parse a JSON file, naming the file in any error. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new GovernanceFileError(path, "cannot be read", "Check the path.");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GovernanceFileError(path, `is not valid JSON (${(e as Error).message})`);
  }
}

/** Write JSON atomically (temp file, fsync, rename): a crash never leaves half a file. */
export function writeJsonFile(path: string, value: unknown): void {
  writeJsonAtomic(path, value);
}
