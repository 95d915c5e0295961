/**
 * A signing key held in an HSM: `--key pkcs11:token=<label>;object=<label>` (RFC 7512). The PIN
 * comes from CLEARHOUSE_PKCS11_PIN or, on a terminal, a prompt that does not echo; never from a
 * flag (a flag would land in the shell's history and the process list). The module is the URI's
 * `module-path`, else CLEARHOUSE_PKCS11_MODULE, else Debian's SoftHSM2.
 */
import type { NonceManager } from "viem/accounts";
import { parsePkcs11Uri, pkcs11Account, Pkcs11PinError, type Pkcs11Account } from "@clearhouse/sdk/node";

import type { SecretPrompt } from "./prompt";

/** The HSM-backed account `uri` names, with the PIN from `env` or `prompt`. */
export function hsmAccount(
  uri: string,
  env: Record<string, string | undefined>,
  prompt: SecretPrompt | undefined,
  nonceManager?: NonceManager,
): Pkcs11Account {
  const parsed = parsePkcs11Uri(uri); // a malformed URI is refused before anyone is asked for a PIN
  const pin = pinFor(parsed.token, env, prompt);
  return pkcs11Account({ uri: parsed, pin, module: env.CLEARHOUSE_PKCS11_MODULE || undefined, nonceManager });
}

/** The token's PIN: CLEARHOUSE_PKCS11_PIN, else asked on the terminal. */
export function pinFor(token: string, env: Record<string, string | undefined>, prompt?: SecretPrompt): string {
  const fromEnv = env.CLEARHOUSE_PKCS11_PIN;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const asked = prompt?.(`PIN for token "${token}": `);
  if (asked === undefined)
    throw new Pkcs11PinError(token, "no PIN (CLEARHOUSE_PKCS11_PIN is not set and there is no terminal to ask on)");
  return asked;
}
