/** Keys held in an HSM through PKCS#11 (Node only; needs the optional package pkcs11js). */
export * from "./errors";
export * from "./uri";
export {
  pkcs11Account,
  toEthereumSignature,
  Pkcs11SignatureError,
  type Pkcs11Account,
  type Pkcs11AccountOptions,
} from "./account";
export { generatePkcs11Key, type GeneratePkcs11KeyOptions, type GeneratedPkcs11Key } from "./keygen";
export { DEFAULT_PKCS11_MODULE, SECP256K1_EC_PARAMS } from "./constants";
