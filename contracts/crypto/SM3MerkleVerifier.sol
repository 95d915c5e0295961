// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISM3MerkleVerifier} from "./ISM3MerkleVerifier.sol";
import {SM3MerkleProof} from "./SM3MerkleProof.sol";

/// @title SM3MerkleVerifier — `SM3MerkleProof` behind an address
/// @notice Stateless: no owner, no storage, no events. `SettlementLedger` calls it for batches
/// anchored with an SM3 tree, so that SM3's code (about 2 KB) does not count against the ledger's
/// EIP-170 size limit (decision 046). Deployed once per chain; any copy answers the same.
contract SM3MerkleVerifier is ISM3MerkleVerifier {
    /// @inheritdoc ISM3MerkleVerifier
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return SM3MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc ISM3MerkleVerifier
    function verifyRecord(
        bytes32[] calldata proof,
        bytes32 root,
        uint256[8] calldata encodedRecord
    ) external pure returns (bool) {
        return SM3MerkleProof.verifyCalldata(proof, root, SM3MerkleProof.leafOf(encodedRecord));
    }

    /// @inheritdoc ISM3MerkleVerifier
    function leafOf(uint256[8] calldata encodedRecord) external pure returns (bytes32) {
        return SM3MerkleProof.leafOf(encodedRecord);
    }
}
