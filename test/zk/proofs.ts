/** Real proofs for the tests, made once per run with the SDK from the committed artifacts. */
import { getAddress, toHex, type Address } from "viem";
import { buildPrivateChunks, type PrivateChunk } from "../../packages/zk/src/chunk";
import { amountInputs, kycInputs, nettingInputs } from "../../packages/zk/src/inputs";
import { identityCommitment, KycTree } from "../../packages/zk/src/kyc";
import { prove } from "../../packages/zk/src/prover";
import { type ProofBundle } from "../../packages/sdk/src/zk/proof";
import type { PaymentRecord } from "../../packages/sdk/src/settlement/record";

export const KYC_SECRETS = [101n, 202n, 303n];
export const KYC_SCOPE = 777n;
export const KYC_MESSAGE = 4242n;

let kyc: Promise<{ tree: KycTree; bundle: ProofBundle }> | undefined;
/** A kyc_membership proof for the second of three customers (scope 777, message 4242). */
export function kycProof(): Promise<{ tree: KycTree; bundle: ProofBundle }> {
  kyc ??= (async () => {
    const tree = new KycTree(KYC_SECRETS.map(identityCommitment));
    const secret = KYC_SECRETS[1];
    const bundle = await prove(
      "kyc_membership",
      kycInputs({ secret, path: tree.path(identityCommitment(secret)), scope: KYC_SCOPE, message: KYC_MESSAGE }),
    );
    return { tree, bundle };
  })();
  return kyc;
}

let amount: Promise<ProofBundle> | undefined;
/** An amount_limit proof: 2,500.00 under a limit of 10,000.00, message 9. */
export function amountProof(): Promise<ProofBundle> {
  amount ??= prove(
    "amount_limit",
    amountInputs({ amount: 250_000n, blinding: 31337n, limit: 1_000_000n, message: 9n }),
  );
  return amount;
}

/** A private chunk of `records` by `bank` and its batch_netting_16 proof. */
export async function nettingProof(
  bank: Address,
  records: PaymentRecord[],
  keyPrefix: string,
): Promise<{ chunk: PrivateChunk; bundle: ProofBundle }> {
  const [chunk, ...rest] = buildPrivateChunks(records, { submitter: getAddress(bank), keyPrefix });
  if (rest.length) throw new Error("nettingProof: the records make more than one chunk");
  return { chunk, bundle: await prove("batch_netting_16", nettingInputs(chunk)) };
}

export const BANK: Address = getAddress("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
export const CPS: Address[] = [
  getAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906"),
  getAddress("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
  getAddress("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
];

/** `n` payments from `debtor`, round-robin over `creditors`, amounts 1,000 + 37·i minor units. */
export function sampleRecords(n: number, debtor: Address = BANK, creditors: readonly Address[] = CPS): PaymentRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    paymentId: `P-${i + 1}`,
    debtorBank: debtor,
    creditorBank: creditors[i % creditors.length],
    amount: BigInt(1000 + 37 * i),
    currency: "EUR",
    valueDate: "2026-11-23",
    endToEndId: `E2E-${i + 1}`,
    debtorAccountHash: toHex(BigInt(i + 1), { size: 32 }),
    creditorAccountHash: toHex(BigInt(i + 1001), { size: 32 }),
  }));
}
