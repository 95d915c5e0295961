/**
 * The regulator's side of controllable anonymity (docs/spec/regulator-keys.md): its BabyJubjub key
 * per epoch, ECDH with a chunk's ephemeral key, the Poseidon-cipher slot encryption, k-of-n
 * threshold decryption with DLEQ-proved partials, and their files.
 */
export * from "./curve";
export * from "./errors";
export * from "./keys";
export * from "./decrypt";
export * from "./dleq";
export * from "./threshold";
export { pointToJson, type PointJson } from "./fileFields";
export * from "./files";
export * from "./partialFiles";
export * from "./read";
export * from "./report";
