/**
 * The PKCS#11 side of an HSM-held key: load the module (once per process), find the token and the
 * key, and run one operation in a session of its own that logs in and out around it. Nothing here
 * keeps a session or a login between operations, so a wrong PIN is always checked by the token.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Pkcs11Js from "pkcs11js";
import {
  Pkcs11CurveError,
  Pkcs11ModuleError,
  Pkcs11ObjectNotFoundError,
  Pkcs11PinError,
  Pkcs11TokenNotFoundError,
} from "./errors";
import { SECP256K1_EC_PARAMS } from "./constants";
import { describeKey, type Pkcs11Uri } from "./uri";

export { DEFAULT_PKCS11_MODULE, SECP256K1_EC_PARAMS } from "./constants";

const KNOWN_CURVES: Record<string, string> = {
  "06082a8648ce3d030107": "a P-256 (prime256v1) key",
  "06052b81040022": "a P-384 (secp384r1) key",
  "06052b81040023": "a P-521 (secp521r1) key",
  "06092b2403030208010107": "a brainpoolP256r1 key",
  "06082a811ccf5501822d": "an SM2 key",
};

type Lib = typeof Pkcs11Js;
type Module = Pkcs11Js.PKCS11;
type Handle = Pkcs11Js.Handle;

let lib: Lib | undefined;
const modules = new Map<string, Module>();

function pkcs11js(path: string): Lib {
  if (lib) return lib;
  try {
    lib = createRequire(join(__dirname, "token.js"))("pkcs11js") as Lib;
    return lib;
  } catch {
    throw new Pkcs11ModuleError(
      path,
      "cannot be used: the optional npm package pkcs11js is not installed (npm install pkcs11js)",
    );
  }
}

/** The module at `path`, loaded and initialised once per process. */
export function loadModule(path: string): { lib: Lib; mod: Module } {
  const l = pkcs11js(path);
  const loaded = modules.get(path);
  if (loaded) return { lib: l, mod: loaded };
  if (!existsSync(path)) throw new Pkcs11ModuleError(path, "does not exist");
  const mod = new l.PKCS11();
  try {
    mod.load(path);
  } catch (e) {
    throw new Pkcs11ModuleError(path, `cannot be loaded (${firstLine(e)})`);
  }
  try {
    mod.C_Initialize();
  } catch (e) {
    if ((e as { code?: number }).code !== l.CKR_CRYPTOKI_ALREADY_INITIALIZED)
      throw new Pkcs11ModuleError(path, `does not initialise (${firstLine(e)})`);
  }
  modules.set(path, mod);
  return { lib: l, mod };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

/** A token's label and identity (PKCS#11 pads these fields with spaces). */
interface TokenSlot {
  slot: Handle;
  label: string;
}

/** The slot holding the URI's token: by label, and by serial, model and manufacturer when given. */
export function findToken(lib: Lib, mod: Module, uri: Pkcs11Uri): TokenSlot {
  const present: TokenSlot[] = [];
  for (const slot of mod.C_GetSlotList(true)) {
    const info = mod.C_GetTokenInfo(slot);
    if (!(info.flags & lib.CKF_TOKEN_INITIALIZED)) continue;
    const label = info.label.trim();
    present.push({ slot, label });
    if (label !== uri.token) continue;
    if (uri.serial !== undefined && info.serialNumber.trim() !== uri.serial) continue;
    if (uri.model !== undefined && info.model.trim() !== uri.model) continue;
    if (uri.manufacturer !== undefined && info.manufacturerID.trim() !== uri.manufacturer) continue;
    return { slot, label };
  }
  throw new Pkcs11TokenNotFoundError(
    uri.token,
    present.map((t) => t.label),
  );
}

/** The PIN outcomes a token can give, as messages (anything else is rethrown). */
function pinProblem(lib: Lib, code: number): string | undefined {
  if (code === lib.CKR_PIN_INCORRECT) return "wrong PIN (CKR_PIN_INCORRECT)";
  if (code === lib.CKR_PIN_LOCKED)
    return "the user PIN is locked after too many wrong tries (CKR_PIN_LOCKED); the security officer must reset it";
  if (code === lib.CKR_PIN_LEN_RANGE) return "the PIN's length is outside what the token accepts (CKR_PIN_LEN_RANGE)";
  if (code === lib.CKR_PIN_EXPIRED) return "the user PIN has expired (CKR_PIN_EXPIRED); set a new one";
  if (code === lib.CKR_USER_PIN_NOT_INITIALIZED) return "the token has no user PIN yet (CKR_USER_PIN_NOT_INITIALIZED)";
  return undefined;
}

/** What an operation in a logged-in session is given. */
export interface Session {
  lib: Lib;
  mod: Module;
  session: Handle;
}

/**
 * Run `fn` in a new session on the URI's token, logged in as the user with `pin`, then log out and
 * close it (whatever `fn` does). `readWrite` for operations that create objects.
 */
export function withSession<T>(
  modulePath: string,
  uri: Pkcs11Uri,
  pin: string,
  fn: (s: Session) => T,
  readWrite = false,
): T {
  const { lib: l, mod } = loadModule(modulePath);
  const token = findToken(l, mod, uri);
  if (pin === "") throw new Pkcs11PinError(token.label, "no PIN given");
  const session = mod.C_OpenSession(token.slot, l.CKF_SERIAL_SESSION | (readWrite ? l.CKF_RW_SESSION : 0));
  try {
    let loggedIn = true;
    try {
      mod.C_Login(session, l.CKU_USER, pin);
    } catch (e) {
      const code = (e as { code?: number }).code ?? 0;
      if (code === l.CKR_USER_ALREADY_LOGGED_IN) loggedIn = false;
      else {
        const problem = pinProblem(l, code);
        if (problem) throw new Pkcs11PinError(token.label, problem);
        throw e;
      }
    }
    try {
      return fn({ lib: l, mod, session });
    } finally {
      if (loggedIn) mod.C_Logout(session);
    }
  } finally {
    mod.C_CloseSession(session);
  }
}

function findObjects(mod: Module, session: Handle, template: Pkcs11Js.Template): Handle[] {
  mod.C_FindObjectsInit(session, template);
  try {
    return mod.C_FindObjects(session, 16);
  } finally {
    mod.C_FindObjectsFinal(session);
  }
}

/** A CK_ULONG attribute (native byte order: little-endian on the platforms Node runs on). */
function ulong(value: Buffer): number {
  return Number(value.length === 8 ? value.readBigUInt64LE() : value.readUInt32LE());
}

/** The URI's private key in the session's token; refuses none, several, and keys not on secp256k1. */
export function findPrivateKey({ lib: l, mod, session }: Session, uri: Pkcs11Uri): { key: Handle; id: Buffer } {
  const template: Pkcs11Js.Template = [{ type: l.CKA_CLASS, value: l.CKO_PRIVATE_KEY }];
  if (uri.object !== undefined) template.push({ type: l.CKA_LABEL, value: uri.object });
  if (uri.id !== undefined) template.push({ type: l.CKA_ID, value: Buffer.from(uri.id) });
  const found = findObjects(mod, session, template);
  const name = describeKey(uri);
  if (found.length === 0) throw new Pkcs11ObjectNotFoundError(uri.token, name, "holds no private key");
  if (found.length > 1)
    throw new Pkcs11ObjectNotFoundError(
      uri.token,
      name,
      `holds ${found.length} private keys (add id= to the URI) named`,
    );
  const key = found[0];
  const [type] = mod.C_GetAttributeValue(session, key, [{ type: l.CKA_KEY_TYPE }]);
  if (ulong(type.value) !== l.CKK_EC)
    throw new Pkcs11CurveError(name, `not an EC key (CKA_KEY_TYPE ${type.value.toString("hex")})`);
  const [params, id] = mod.C_GetAttributeValue(session, key, [{ type: l.CKA_EC_PARAMS }, { type: l.CKA_ID }]);
  const hex = params.value.toString("hex");
  if (hex !== SECP256K1_EC_PARAMS)
    throw new Pkcs11CurveError(name, KNOWN_CURVES[hex] ?? `an EC key with parameters ${hex}`);
  return { key, id: id.value };
}

/** The uncompressed public point (0x04‖x‖y) of the private key's public half, from CKA_EC_POINT. */
export function publicPoint({ lib: l, mod, session }: Session, uri: Pkcs11Uri, id: Buffer): Uint8Array {
  const template: Pkcs11Js.Template = [{ type: l.CKA_CLASS, value: l.CKO_PUBLIC_KEY }];
  if (id.length > 0) template.push({ type: l.CKA_ID, value: id });
  else if (uri.object !== undefined) template.push({ type: l.CKA_LABEL, value: uri.object });
  const found = findObjects(mod, session, template);
  if (found.length !== 1)
    throw new Pkcs11ObjectNotFoundError(
      uri.token,
      describeKey(uri),
      found.length
        ? "holds several public keys with the id of"
        : "holds no public key (CKO_PUBLIC_KEY, same CKA_ID) for",
    );
  const [point] = mod.C_GetAttributeValue(session, found[0], [{ type: l.CKA_EC_POINT }]);
  return unwrapEcPoint(point.value);
}

/** CKA_EC_POINT is a DER OCTET STRING around the point (some tokens give the bare point). */
export function unwrapEcPoint(value: Uint8Array): Uint8Array {
  if (value.length === 67 && value[0] === 0x04 && value[1] === 65 && value[2] === 0x04) return value.slice(2);
  if (value.length === 65 && value[0] === 0x04) return value;
  throw new Pkcs11CurveError(
    "public key",
    `a point that is not an uncompressed secp256k1 point (${value.length} bytes)`,
  );
}
