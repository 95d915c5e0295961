// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {INettingEngine} from "./INettingEngine.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";

/// @title ChunkChecks — what private/2 (`declareProvedChunks`) and traced private/3
/// (`declareTracedChunks`) declarations check alike: the chunks' roots, buckets and sums, the
/// circuit's registration, and the bucket words of the public signals
abstract contract ChunkChecks {
    /// @notice Counterparty buckets of a proof (batch_netting_16, private_netting_256, private_traced_32).
    uint256 public constant BUCKETS = 4;

    /// @dev 1 … `max` chunks (NettingChunkCount), as many totals as counterparties
    /// (NettingLengthMismatch); the per-position sums and the roots, zeroed, to fill.
    function _shape(
        uint256 count,
        uint256 max,
        address[] calldata counterparties,
        uint256[] calldata totals
    ) internal pure returns (uint256[] memory sums, uint256[] memory roots) {
        if (count == 0 || count > max) revert INettingEngine.NettingChunkCount(count, max);
        uint256 n = counterparties.length;
        if (n != totals.length) revert INettingEngine.NettingLengthMismatch(n, totals.length);
        return (new uint256[](n), new uint256[](count));
    }

    /// @dev Chunk `i`'s calldata checks: its root strictly above `previous`, every bucket's position
    /// below `n`, its amount below 2^72, an unused bucket position 0 with amount 0; adds the amounts
    /// to `sums` per position.
    function _checkChunk(
        uint256 i,
        uint256 root,
        uint256 previous,
        uint8[4] calldata buckets,
        uint256[4] calldata amounts,
        uint256[] memory sums
    ) internal pure {
        if (root <= previous) revert INettingEngine.NettingChunkRootsUnordered(i, previous, root);
        uint256 n = sums.length;
        for (uint256 k; k < BUCKETS; ++k) {
            (uint256 position, uint256 amount) = (buckets[k], amounts[k]);
            if (position >= n || amount >> 72 != 0 || (amount == 0 && position != 0)) {
                revert INettingEngine.NettingChunkBucketInvalid(i, k, position, amount);
            }
            sums[position] += amount;
        }
    }

    /// @dev The chunks' roots hash to the header's root, and the per-position sums equal `totals`.
    function _checkRootsAndSums(
        bytes32 headerRoot,
        uint256[] memory roots,
        uint256[] memory sums,
        uint256[] calldata totals
    ) internal pure {
        bytes32 chunksRoot = keccak256(abi.encodePacked(roots));
        if (chunksRoot != headerRoot) revert INettingEngine.NettingChunkRootsMismatch(headerRoot, chunksRoot);
        for (uint256 j; j < sums.length; ++j) {
            if (sums[j] != totals[j]) revert INettingEngine.NettingChunkTotalsMismatch(j, sums[j], totals[j]);
        }
    }

    /// @dev The registry's current version of `circuitId`, refused unless live with `inputs` public signals.
    function _liveCircuit(
        IVerifierRegistry verifiers,
        bytes32 circuitId,
        uint8 inputs
    ) internal view returns (IVerifierRegistry.Circuit memory circuit) {
        circuit = verifiers.circuitOf(circuitId);
        if (circuit.retired || circuit.publicInputs != inputs) {
            revert INettingEngine.NettingCircuitUnusable(circuitId, circuit.publicInputs, circuit.retired);
        }
    }

    /// @dev The caller's ledger index << 176, and every counterparty's ledger index (read once each).
    function _indexes(
        ISettlementLedger ledger,
        address[] calldata counterparties
    ) internal view returns (uint256 bankWord, uint256[] memory indexes) {
        bankWord = _indexOf(ledger, msg.sender) << 176;
        indexes = new uint256[](counterparties.length);
        for (uint256 j; j < counterparties.length; ++j) {
            indexes[j] = _indexOf(ledger, counterparties[j]);
        }
    }

    /// @dev [word0, word1] of a chunk: bucket_k = amounts[k] << 16 | the ledger index of counterparty
    /// `buckets[k]` (from `indexes`); `bankWord` is the bank's index << 176.
    function _words(
        uint256 bankWord,
        uint256[] memory indexes,
        uint8[4] calldata buckets,
        uint256[4] calldata amounts
    ) internal pure returns (uint256 word0, uint256 word1) {
        uint256[BUCKETS] memory b;
        for (uint256 k; k < BUCKETS; ++k) {
            b[k] = (amounts[k] << 16) | indexes[buckets[k]];
        }
        return (bankWord | (b[0] << 88) | b[1], (b[2] << 88) | b[3]);
    }

    function _indexOf(ISettlementLedger ledger, address bank) internal view returns (uint256 index) {
        (index, ) = ledger.bankOf(bank);
    }
}
