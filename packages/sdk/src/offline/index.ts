/**
 * Offline payments (docs/offline.md): allowance certificates, vouchers signed and checked with no
 * network, their JSON forms, bulk claims, and the OfflineVault's actions.
 */
export * from "./typedData";
export * from "./errors";
export * from "./device";
export * from "./accept";
export * from "./bulk";
export * from "./codec";
export * from "./actions";
export * from "./bulkActions";
export * from "./reads";
export * from "./outcomes";
export { signAllowance, signAllowanceConsent, type CertificateSigner } from "./issue";
