/**
 * A throw-away SoftHSM2 token directory for the HSM tests: one per test process (SoftHSM reads
 * SOFTHSM2_CONF once, when the module is initialised), with the tokens the tests use initialised by
 * `softhsm2-util`. Without the module (a developer machine lacking softhsm2) the tests are skipped
 * with the reason printed; with CLEARHOUSE_REQUIRE_HSM=1 (CI, set by .ci/run) they fail instead.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PKCS11_MODULE } from "../../packages/sdk/src/node/pkcs11";

export const USER_PIN = "4711-test";
const SO_PIN = "so-pin-5678";
/** The tokens every HSM test may use (label → purpose). */
export const TOKENS = { bank: "ch-bank", signer: "ch-signer", other: "ch-other" } as const;

export interface SoftHsm {
  module: string;
  dir: string;
  /** Run pkcs11-tool on a token (logged in with the user PIN). */
  tool(token: string, ...args: string[]): string;
}

let ready: SoftHsm | undefined;
let missing: string | undefined;

function whyUnavailable(module: string): string | undefined {
  if (!existsSync(module)) return `the PKCS#11 module ${module} is missing (apt-get install softhsm2 opensc)`;
  for (const tool of ["softhsm2-util", "pkcs11-tool"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} is missing (apt-get install softhsm2 opensc)`;
    }
  }
  try {
    require.resolve("pkcs11js");
  } catch {
    return "the optional npm package pkcs11js is not installed";
  }
  return undefined;
}

/** The token directory, created and initialised on first use (undefined + reason when unavailable). */
function setUp(): SoftHsm | undefined {
  if (ready || missing) return ready;
  const module = process.env.CLEARHOUSE_PKCS11_MODULE || DEFAULT_PKCS11_MODULE;
  missing = whyUnavailable(module);
  if (missing) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-softhsm-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true })); // the tokens die with the run
  mkdirSync(join(dir, "tokens"));
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf; // read by the module when this process initialises it
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  for (const label of Object.values(TOKENS))
    execFileSync("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", USER_PIN, "--so-pin", SO_PIN], {
      env,
      stdio: "ignore",
    });
  const tool = (token: string, ...args: string[]) =>
    execFileSync("pkcs11-tool", ["--module", module, "--token-label", token, "--login", "--pin", USER_PIN, ...args], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  ready = { module, dir, tool };
  return ready;
}

/**
 * In a `before` hook: the SoftHSM2 setup, or skip the suite printing why (fail under
 * CLEARHOUSE_REQUIRE_HSM=1).
 */
export function requireSoftHsm(ctx: Mocha.Context): SoftHsm {
  const hsm = setUp();
  if (hsm) return hsm;
  if (process.env.CLEARHOUSE_REQUIRE_HSM === "1")
    throw new Error(`CLEARHOUSE_REQUIRE_HSM=1 but SoftHSM2 cannot be used: ${missing}`);
  console.log(`    (HSM tests skipped: ${missing}; CI sets CLEARHOUSE_REQUIRE_HSM=1 and runs them)`);
  ctx.skip();
}
