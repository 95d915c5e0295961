// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SM3} from "./SM3.sol";

/// @title SM3MerkleProof — inclusion proofs of SM3 batch trees (decision 046)
/// @notice OpenZeppelin's `MerkleProof` with SM3 (GB/T 32905) in place of keccak256: a proof is
/// the leaf's siblings from the leaf up, each pair hashed smaller first (as unsigned integers),
/// `node = SM3(min(a, b) ‖ max(a, b))` over 64 bytes. A record's leaf is
/// `SM3(SM3(abi.encode(uint256[8] record)))`, the StandardMerkleTree leaf rule with SM3 for both
/// hashes (docs/spec/batch-encoding.md §10). Each level costs one two-block SM3 (a 64-byte message
/// pads to 128 bytes): about 95,000 gas, against keccak256's ~90 (docs/crypto.md, "Gas").
/// @dev One 64-byte buffer is allocated and reused for every level; SM3's own scratch memory lies
/// above the free memory pointer and is never allocated.
library SM3MerkleProof {
    /// @notice Whether `proof` proves `leaf` under `root`, the proof in memory.
    /// @param proof the siblings from the leaf up
    /// @param root the tree's root
    /// @param leaf the leaf (or any node: see `ISettlementLedger.verifyInclusion`'s warning)
    /// @return true when the proof folds to `root`
    function verify(bytes32[] memory proof, bytes32 root, bytes32 leaf) internal pure returns (bool) {
        bytes memory pair = new bytes(64);
        bytes32 node = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            node = _hashPair(pair, node, proof[i]);
        }
        return node == root;
    }

    /// @notice Whether `proof` proves `leaf` under `root`, the proof in calldata.
    /// @param proof the siblings from the leaf up
    /// @param root the tree's root
    /// @param leaf the leaf
    /// @return true when the proof folds to `root`
    function verifyCalldata(bytes32[] calldata proof, bytes32 root, bytes32 leaf) internal pure returns (bool) {
        bytes memory pair = new bytes(64);
        bytes32 node = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            node = _hashPair(pair, node, proof[i]);
        }
        return node == root;
    }

    /// @notice The SM3 leaf of an encoded payment record: SM3(SM3(abi.encode(record))).
    /// @param encodedRecord the record's eight words (docs/spec/batch-encoding.md §3)
    /// @return the leaf hash
    function leafOf(uint256[8] calldata encodedRecord) internal pure returns (bytes32) {
        return SM3.hash(bytes.concat(SM3.hash(abi.encode(encodedRecord))));
    }

    /// @notice SM3 of the sorted pair (a, b): the parent of two nodes.
    /// @param a a node
    /// @param b its sibling
    /// @return SM3(min(a, b) ‖ max(a, b))
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return _hashPair(new bytes(64), a, b);
    }

    /// @dev SM3 of the sorted pair, written into `pair` (64 bytes, reused).
    function _hashPair(bytes memory pair, bytes32 a, bytes32 b) private pure returns (bytes32) {
        (bytes32 lo, bytes32 hi) = a < b ? (a, b) : (b, a);
        assembly ("memory-safe") {
            mstore(add(pair, 32), lo)
            mstore(add(pair, 64), hi)
        }
        return SM3.hash(pair);
    }
}
