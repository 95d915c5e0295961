/**
 * The public words of a `private_netting_256` proof (docs/spec/private-batch.md §"Public signals"):
 * bucket_k = amount_k·2^16 + the counterparty's ledger index, word0 = bankIndex·2^176 +
 * bucket_0·2^88 + bucket_1, word1 = bucket_2·2^88 + bucket_3. The prover, the engine
 * (`PrivateProofs._verify`) and the audit all derive them this way.
 */

/** [word0, word1] from the declaring bank's ledger index and the chunk's four buckets. */
export function bucketWords(
  bankIndex: number,
  counterpartyIndexes: readonly number[],
  amounts: readonly bigint[],
): [bigint, bigint] {
  const bucket = (k: number) => (amounts[k] << 16n) + BigInt(counterpartyIndexes[k]);
  return [(BigInt(bankIndex) << 176n) + (bucket(0) << 88n) + bucket(1), (bucket(2) << 88n) + bucket(3)];
}
