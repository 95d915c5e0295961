/**
 * Why a key held in an HSM (a PKCS#11 token) cannot be used. Each is bad input (category
 * `input`, the CLI exits 2): the request was refused before anything was signed or sent, and the
 * message names the token, object or attribute to fix.
 */
import { ClearhouseError } from "../../errors/base";

/** What every PKCS#11 key error has: which part of the setup is wrong. */
export class Pkcs11KeyError extends ClearhouseError {
  override name = "Pkcs11KeyError";
  constructor(shortMessage: string, hint: string) {
    super(shortMessage, { category: "input", hint });
  }
}

/** The `pkcs11:` URI does not parse (RFC 7512), or uses an attribute this signer does not take. */
export class Pkcs11UriError extends Pkcs11KeyError {
  override name = "Pkcs11UriError";
  constructor(
    readonly uri: string,
    readonly problem: string,
  ) {
    super(
      `Malformed PKCS#11 URI "${uri}": ${problem}.`,
      "Write it as pkcs11:token=<token label>;object=<key label> (RFC 7512, percent-encode ; ? & % and spaces).",
    );
  }
}

/** The PKCS#11 module (the vendor's .so) cannot be loaded, or pkcs11js is not installed. */
export class Pkcs11ModuleError extends Pkcs11KeyError {
  override name = "Pkcs11ModuleError";
  constructor(
    readonly modulePath: string,
    readonly problem: string,
  ) {
    super(
      `PKCS#11 module ${modulePath} ${problem}.`,
      "Install the HSM's PKCS#11 library (SoftHSM2: apt-get install softhsm2) or point CLEARHOUSE_PKCS11_MODULE or the URI's module-path at it.",
    );
  }
}

/** No token with the URI's label (and serial, model, manufacturer when given) is present. */
export class Pkcs11TokenNotFoundError extends Pkcs11KeyError {
  override name = "Pkcs11TokenNotFoundError";
  constructor(
    readonly token: string,
    readonly present: readonly string[],
  ) {
    super(
      `No PKCS#11 token "${token}" (tokens present: ${present.length ? present.map((t) => `"${t}"`).join(", ") : "none"}).`,
      "Check the URI's token= label, that the HSM is connected, and SOFTHSM2_CONF for SoftHSM2.",
    );
  }
}

/** The token holds no private key with the URI's object label (or id), or several match. */
export class Pkcs11ObjectNotFoundError extends Pkcs11KeyError {
  override name = "Pkcs11ObjectNotFoundError";
  constructor(
    readonly token: string,
    readonly object: string,
    readonly problem: string,
  ) {
    super(
      `Token "${token}" ${problem} ${object}.`,
      "Check the URI's object= label (and id=); `clearhouse hsm keygen` creates a key, `pkcs11-tool -O` lists them.",
    );
  }
}

/** The token refused the PIN (CKR_PIN_INCORRECT), or the PIN is locked, missing or of a bad length. */
export class Pkcs11PinError extends Pkcs11KeyError {
  override name = "Pkcs11PinError";
  constructor(
    readonly token: string,
    readonly problem: string,
  ) {
    super(
      `Token "${token}": ${problem}.`,
      "Set CLEARHOUSE_PKCS11_PIN to the token's user PIN, or run in a terminal to be asked for it (never a flag).",
    );
  }
}

/** The key is not an EC key on secp256k1 (CKA_EC_PARAMS is not OID 1.3.132.0.10). */
export class Pkcs11CurveError extends Pkcs11KeyError {
  override name = "Pkcs11CurveError";
  constructor(
    readonly object: string,
    readonly found: string,
  ) {
    super(
      `Key ${object} is ${found}, not secp256k1: Ethereum signatures need secp256k1 (OID 1.3.132.0.10).`,
      "Generate a secp256k1 key in the token (clearhouse hsm keygen, or pkcs11-tool --keypairgen --key-type EC:secp256k1).",
    );
  }
}

/** `hsm keygen` would create a second key with a label the token already holds. */
export class Pkcs11ObjectExistsError extends Pkcs11KeyError {
  override name = "Pkcs11ObjectExistsError";
  constructor(
    readonly token: string,
    readonly object: string,
  ) {
    super(
      `Token "${token}" already holds a private key labelled "${object}".`,
      "Choose another --label, or use the existing key (clearhouse hsm address).",
    );
  }
}
