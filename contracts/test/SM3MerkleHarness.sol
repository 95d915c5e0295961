// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SM3MerkleProof} from "../crypto/SM3MerkleProof.sol";

/// @title SM3MerkleHarness — test and benchmark entry points for SM3MerkleProof
/// @notice Each library function as an external call, and `verifyGas` twins measuring the gas of
/// the proof check itself (`gasleft()` around it) for SM3 and for OpenZeppelin's keccak peer.
contract SM3MerkleHarness {
    /// @notice SM3MerkleProof.verify (the proof copied to memory).
    /// @param proof the siblings from the leaf up
    /// @param root the root
    /// @param leaf the leaf
    /// @return whether the proof holds
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return SM3MerkleProof.verify(proof, root, leaf);
    }

    /// @notice SM3MerkleProof.verifyCalldata.
    /// @param proof the siblings from the leaf up
    /// @param root the root
    /// @param leaf the leaf
    /// @return whether the proof holds
    function verifyCalldata(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return SM3MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @notice SM3MerkleProof.leafOf.
    /// @param encodedRecord the record's eight words
    /// @return SM3(SM3(abi.encode(encodedRecord)))
    function leafOf(uint256[8] calldata encodedRecord) external pure returns (bytes32) {
        return SM3MerkleProof.leafOf(encodedRecord);
    }

    /// @notice SM3MerkleProof.hashPair.
    /// @param a a node
    /// @param b its sibling
    /// @return SM3 of the sorted pair
    function hashPair(bytes32 a, bytes32 b) external pure returns (bytes32) {
        return SM3MerkleProof.hashPair(a, b);
    }

    /// @notice SM3MerkleProof.verifyCalldata and the gas it used.
    /// @param proof the siblings from the leaf up
    /// @param root the root
    /// @param leaf the leaf
    /// @return ok whether the proof holds
    /// @return used gas spent inside the library call
    function verifyGas(
        bytes32[] calldata proof,
        bytes32 root,
        bytes32 leaf
    ) external view returns (bool ok, uint256 used) {
        uint256 before = gasleft();
        ok = SM3MerkleProof.verifyCalldata(proof, root, leaf);
        used = before - gasleft();
    }

    /// @notice OpenZeppelin MerkleProof.verifyCalldata (keccak256) and the gas it used: the peer.
    /// @param proof the siblings from the leaf up
    /// @param root the root
    /// @param leaf the leaf
    /// @return ok whether the proof holds
    /// @return used gas spent inside the library call
    function keccakVerifyGas(
        bytes32[] calldata proof,
        bytes32 root,
        bytes32 leaf
    ) external view returns (bool ok, uint256 used) {
        uint256 before = gasleft();
        ok = MerkleProof.verifyCalldata(proof, root, leaf);
        used = before - gasleft();
    }

    /// @notice SM3MerkleProof.leafOf and the gas it used.
    /// @param encodedRecord the record's eight words
    /// @return leaf the SM3 leaf
    /// @return used gas spent inside the library call
    function leafOfGas(uint256[8] calldata encodedRecord) external view returns (bytes32 leaf, uint256 used) {
        uint256 before = gasleft();
        leaf = SM3MerkleProof.leafOf(encodedRecord);
        used = before - gasleft();
    }
}
