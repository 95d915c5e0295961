import { readFileSync } from "node:fs";
import type { Deployment } from "@clearhouse/contracts";
import { parseDeployment } from "../deployment";
import { DeploymentError } from "../errors/base";

/** Read and validate `deployments/<network>.json` (or any path). */
export function loadDeployment(path: string): Deployment {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new DeploymentError(`cannot read ${path}`, "Deploy first (`npm run deploy`) or pass the right path.");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DeploymentError(`${path} is not valid JSON (${(e as Error).message})`);
  }
  return parseDeployment(json);
}
