// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title IPrivateChunks — private mode v2: one transaction declares a whole private batch, many proofs
/// @notice Called at the NettingEngine's address. The engine has no code room left under EIP-170
/// (decision 023), so this function runs in PrivateProofs on the engine's storage (the engine's
/// fallback delegates this one selector); its errors and events are the engine's (INettingEngine).
interface IPrivateChunks {
    /// @notice One proof of a private-mode batch declared with `declareProvedChunks`: a chunk of up
    /// to 256 payments under the Poseidon root `root`, whose amounts fall in four buckets: bucket k
    /// carries `amounts[k]` (< 2^72) owed to `counterparties[buckets[k]]` (positions in the
    /// declaration's arrays; an unused bucket is position 0 with amount 0). `proof` is its
    /// `private_netting_256` Groth16 proof, flattened [a0, a1, b00, b01, b10, b11, c0, c1].
    struct ProvedChunk {
        uint256 root;
        uint8[4] buckets;
        uint256[4] amounts;
        uint256[8] proof;
    }

    /// @notice One chunk of a traced private batch (`declareTracedChunks`, private/3,
    /// docs/spec/traced-batch.md): up to 32 payments under the Poseidon root `root`, buckets as in
    /// `ProvedChunk`, the ephemeral key `ephemeral` = e·Base8 and the 32 slots' ciphertexts for the
    /// regulator, 7 field elements a slot, slot-major; `proof` is its `private_traced_32` proof.
    struct TracedChunk {
        uint256 root;
        uint8[4] buckets;
        uint256[4] amounts;
        uint256[2] ephemeral;
        uint256[224] ciphertexts;
        uint256[8] proof;
    }

    /// @notice Declare a final private-mode batch proved by several `private_netting_256` proofs, one
    /// per chunk of up to 256 payments, into the open cycle in one transaction (private mode v2).
    /// The header commits to the totals with the v2 tag (`keccak256(abi.encode(PRIVATE_CHUNKS_TAG,
    /// counterparties, totals))`, so neither `declare` nor `declareProved` accepts it) and its root
    /// is `keccak256(abi.encodePacked(chunk roots))`. First the chunks are checked and their proofs
    /// verified (in this order, cheapest first):
    /// a verifier registry is set; 1 … MAX_PROVED_CHUNKS chunks; roots strictly ascending (no chunk
    /// counted twice) hashing to the header's root; every bucket's position below
    /// `counterparties.length`, its amount below 2^72, an unused bucket position 0 with amount 0;
    /// the amounts per position sum exactly to `totals`; the registry's current
    /// `private_netting_256` is live with 3 public signals; every proof verifies for [root, word0,
    /// word1] with bucket_k = amounts[k] * 2^16 + ledger index of counterparties[buckets[k]], word0 =
    /// ledger index of the caller * 2^176 + bucket_0 * 2^88 + bucket_1, word1 = bucket_2 * 2^88 +
    /// bucket_3 (the verifier is called directly, not through the registry). Then the batch is
    /// declared as `declare` checks it (member bank, open cycle, anchored, final, netted once, tagged
    /// commitment, creditors, gross total): pending in the cycle, `BatchDeclared` and
    /// `BatchProofAccepted(cycleId, batchId, "private_netting_256")` emitted.
    /// @dev Gas: at most MAX_PROVED_CHUNKS chunks keep the worst case under 15,000,000 gas, the
    /// per-transaction budget of a deployment (PrivateProofs.MAX_PROVED_CHUNKS).
    /// @param cycleId the open cycle
    /// @param key the key the caller anchored the batch under
    /// @param header the anchored header
    /// @param counterparties the creditors (a creditor may repeat), in the totals commitment's order
    /// @param totals the amounts owed to them, each the sum of the chunks' buckets at its position
    /// @param chunks the chunks, roots strictly ascending, each with its proof
    function declareProvedChunks(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        ProvedChunk[] calldata chunks
    ) external;

    /// @notice Declare a final traced private batch (private/3): one `private_traced_32` proof per
    /// chunk of up to 32 payments, each chunk carrying a ciphertext per slot for the regulator, in
    /// one transaction. Checked as `declareProvedChunks` (count 1 … MAX_TRACED_CHUNKS, roots, buckets,
    /// totals; the header's commitment tag is `keccak256("clearhouse.batch.private/3")`), and:
    /// traceability is on (the registry's `tracePolicy()` has an epoch, else NettingTraceOff); no
    /// chunk's ephemeral key is (0, 1); every ciphertext element is below p
    /// (TraceCiphertextNotInField); the registry's current `private_traced_32` is live with 10
    /// public signals; every proof verifies for [root, word0, word1, E.x, E.y, evaluation, K.x, K.y,
    /// threshold, r] with (K, threshold) the registry's current policy, r the challenge and evaluation
    /// the ciphertexts' evaluation at r (TraceBinding, docs/spec/traced-batch.md §5). Then declared as
    /// `declareProvedChunks` declares, with `BatchProofAccepted(cycleId, batchId, "private_traced_32")`
    /// and `BatchTraced(cycleId, batchId, epoch, threshold, chunks, keyX, keyY)`.
    /// @dev Gas: MAX_TRACED_CHUNKS bounds the worst case under 15,000,000 gas (PrivateProofs; measured
    /// at 24 chunks: 7.24M accepted, 12.73M refused at the last chunk; 193,252 bytes of calldata).
    /// @param cycleId the open cycle
    /// @param key the key the caller anchored the batch under
    /// @param header the anchored header
    /// @param counterparties the creditors, in the totals commitment's order
    /// @param totals the amounts owed to them
    /// @param chunks the chunks, roots strictly ascending, each with its ciphertexts and proof
    function declareTracedChunks(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        TracedChunk[] calldata chunks
    ) external;
}
