/**
 * Writes docs/spec/vectors/offline-vouchers.json, the test vectors of docs/spec/offline-vouchers.md:
 * an allowance certificate (fixed bank, device and wallet keys derived from text), its id and the
 * bank's signature, two vouchers with their digests and the device's signatures, and the bulk claim
 * of both with its leaf and claims hash. ECDSA signatures are deterministic (RFC 6979), so the file is
 * reproducible. test/contracts/offline/spec-vectors.test.ts checks it against the SDK, an
 * implementation written from the spec alone, and the OfflineVault itself.
 *
 *   npx ts-node --transpile-only scripts/spec/offline-vouchers-vectors.ts && npx prettier --write docs/spec/vectors/offline-vouchers.json
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256, stringToHex, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  allowanceIdOf,
  allowanceTypedData,
  claimLeaf,
  claimsHashOf,
  voucherDigestOf,
  voucherTypedData,
} from "../../packages/sdk/src/offline";

export const VECTORS_JSON = join(__dirname, "..", "..", "docs", "spec", "vectors", "offline-vouchers.json");

/** The key derived from a text: keccak256 of its UTF-8 bytes. */
export const keyOf = (text: string) => keccak256(stringToHex(text));

export async function computeVectors(vault: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3", chainId = 31337) {
  const bankKey = keyOf("clearhouse offline vector: bank");
  const deviceKey = keyOf("clearhouse offline vector: device");
  const bank = privateKeyToAccount(bankKey);
  const device = privateKeyToAccount(deviceKey);
  const wallet = privateKeyToAccount(keyOf("clearhouse offline vector: wallet")).address;
  const payee = privateKeyToAccount(keyOf("clearhouse offline vector: payee")).address;
  const domain = { chainId, vault };
  const cert = {
    wallet,
    device: device.address,
    bank: bank.address,
    cap: 50_000n,
    count: 10,
    expiry: 1_798_761_600n,
    nonce: 7n,
  };
  const id = allowanceIdOf(domain, cert);
  const bankSignature = await bank.signTypedData(allowanceTypedData(domain, cert));
  const vouchers = [1, 2].map((serial) => ({
    allowanceId: id,
    device: device.address,
    payee,
    amount: 12_500n * BigInt(serial),
    serial,
    expiry: cert.expiry,
  }));
  const signed = [];
  for (const v of vouchers)
    signed.push({
      voucher: v,
      digest: voucherDigestOf(domain, v),
      signature: await device.signTypedData(voucherTypedData(domain, v)),
    });
  const claim = {
    allowanceId: id,
    serials: 3n,
    vouchers: vouchers.map((v) => ({ payee: v.payee, amount: v.amount, expiry: v.expiry })),
  };
  const leaf = claimLeaf(domain, claim, device.address);
  const data = {
    bankKey,
    deviceKey,
    domain,
    cert,
    id,
    bankSignature,
    vouchers: signed,
    claim,
    leaf,
    claimsHash: claimsHashOf([leaf]),
  };
  return JSON.parse(JSON.stringify(data, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as unknown;
}

if (require.main === module) {
  void computeVectors().then((v) => writeFileSync(VECTORS_JSON, JSON.stringify(v, null, 2) + "\n"));
}
