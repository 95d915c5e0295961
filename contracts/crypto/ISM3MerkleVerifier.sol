// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ISM3MerkleVerifier — inclusion checks of SM3 batch trees, as a contract
/// @notice What `SettlementLedger` calls for a batch anchored with an SM3 tree (decision 046).
interface ISM3MerkleVerifier {
    /// @notice Whether `proof` proves `leaf` under `root` (sorted-pair SM3, `SM3MerkleProof`).
    /// @param proof the siblings from the leaf up
    /// @param root the tree's root
    /// @param leaf the leaf (any node passes with its upper path: prefer `verifyRecord`)
    /// @return true when the proof folds to `root`
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool);

    /// @notice Whether `proof` proves the record `encodedRecord` under `root`: its SM3 leaf is computed here.
    /// @param proof the siblings from the leaf up
    /// @param root the tree's root
    /// @param encodedRecord the record's eight words (docs/spec/batch-encoding.md §3)
    /// @return true when the record's leaf and the proof fold to `root`
    function verifyRecord(
        bytes32[] calldata proof,
        bytes32 root,
        uint256[8] calldata encodedRecord
    ) external pure returns (bool);

    /// @notice The SM3 leaf of an encoded record: SM3(SM3(abi.encode(encodedRecord))).
    /// @param encodedRecord the record's eight words
    /// @return the leaf hash
    function leafOf(uint256[8] calldata encodedRecord) external pure returns (bytes32);
}
