/**
 * The key batch files are encrypted with at rest (docs/spec/encrypted-envelope.md): `--encrypt-key`,
 * else CLEARHOUSE_ENCRYPT_KEY, else the settings file's `encryptKey` — a key file (32 bytes for
 * AES-256-GCM, 16 for SM4-GCM, raw or hex) or a PKCS#11 URI of an AES-256 key in an HSM (PIN as
 * for signing keys). With a key, every batch file a command writes is sealed and every sealed one
 * it reads is opened in memory; without one, a sealed file is refused naming the key it needs.
 */
import { pkcs11EnvelopeKey, readEnvelopeKeyFile, type BatchFileCryptoOptions } from "@clearhouse/sdk/node";
import type { CliIo, GlobalOptions } from "./options";
import { pinFor } from "./signer";
import { loadDeployment, parsePkcs11Uri } from "@clearhouse/sdk/node";
import { parseTreeHash, type TreeHash } from "@clearhouse/sdk/settlement";
import { existsSync } from "node:fs";
import { DEFAULT_DEPLOYMENT } from "./options";

const loaded = new WeakMap<GlobalOptions, BatchFileCryptoOptions>();

/** The batch file options of this invocation (the key loaded once, when first needed). */
export function fileCrypto(g: GlobalOptions, io: CliIo): BatchFileCryptoOptions {
  const known = loaded.get(g);
  if (known) return known;
  const named = g.encryptKey;
  let opts: BatchFileCryptoOptions = {};
  if (named !== undefined && named !== "") {
    if (/^pkcs11:/i.test(named)) {
      const uri = parsePkcs11Uri(named); // refused before anyone is asked for a PIN
      const pin = pinFor(uri.token, io.env, io.promptSecret);
      opts = {
        encryptionKey: pkcs11EnvelopeKey({ uri: named, pin, module: io.env.CLEARHOUSE_PKCS11_MODULE || undefined }),
      };
    } else {
      opts = { encryptionKey: readEnvelopeKeyFile(named) };
    }
  }
  loaded.set(g, opts);
  return opts;
}

/**
 * The tree hash `batch build` uses: `--tree-hash`, else the deployment file's crypto mode (its
 * `crypto.treeHash`) when the file exists, else keccak256.
 */
export function treeHashFor(flag: string | undefined, g: GlobalOptions, io: CliIo): TreeHash {
  if (flag !== undefined) return parseTreeHash(flag, "--tree-hash");
  const path = g.deployment ?? io.env.CLEARHOUSE_DEPLOYMENT ?? DEFAULT_DEPLOYMENT;
  if (!existsSync(path)) return "keccak256";
  return loadDeployment(path).crypto?.treeHash ?? "keccak256";
}
