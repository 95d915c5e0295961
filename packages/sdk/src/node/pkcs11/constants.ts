/** The PKCS#11 constants the signer shares with its callers (no pkcs11js types here). */

/** Where Debian's softhsm2 package puts its module (the default when neither URI nor caller names one). */
export const DEFAULT_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so";

/** DER of OID 1.3.132.0.10 (secp256k1), the only curve an Ethereum key can be on. */
export const SECP256K1_EC_PARAMS = "06052b8104000a";
