// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title MerkleProofHarness — test-only wrapper around OpenZeppelin's MerkleProof
/// @notice Lets the off-chain batch tree (src/settlement/merkle.ts) be checked against the exact
/// on-chain verifier: sorted-pair keccak256 hashing, as `SettlementLedger.verifyInclusion` uses it.
/// @dev Read-only: the functions touch no state (declared `pure`, called with eth_call).
contract MerkleProofHarness {
    /// @notice Whether `proof` proves `leaf` under `root` (`MerkleProof.verify`: the proof is copied
    /// to memory first).
    /// @param proof sibling hashes, leaf to root
    /// @param root the Merkle root
    /// @param leaf the leaf hash, keccak256(keccak256(abi.encode(values)))
    /// @return true when folding `proof` over `leaf` gives `root`
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verify(proof, root, leaf);
    }

    /// @notice Same as `verify`, with the proof read from calldata (`MerkleProof.verifyCalldata`).
    /// @param proof sibling hashes, leaf to root
    /// @param root the Merkle root
    /// @param leaf the leaf hash
    /// @return true when folding `proof` over `leaf` gives `root`
    function verifyCalldata(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @notice The leaf hash of an encoded payment record, as StandardMerkleTree computes it.
    /// @param encodedRecord the record's eight canonical words (addresses and uint64 as uint256)
    /// @return keccak256(keccak256(abi.encode(encodedRecord)))
    function leafOf(uint256[8] calldata encodedRecord) external pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(encodedRecord))));
    }
}
