// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {INettingEngine} from "./INettingEngine.sol";

/// @title TraceBinding — the challenge and the evaluation that bind a traced chunk's published
/// ciphertexts to its proof (docs/spec/traced-batch.md §5, decision 041)
/// @notice A traced chunk's 32 slots each carry a 7-element ciphertext for the regulator. Instead of
/// 224 public signals, the engine derives a challenge r from everything published and the
/// evaluation of the published elements at r; the `private_traced_32` proof shows its own
/// ciphertexts evaluate to the same value at r.
library TraceBinding {
    /// @notice The BN254 scalar field.
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Field elements of a traced chunk's ciphertexts: 32 slots × 7.
    uint256 internal constant ELEMENTS = 224;
    /// @notice keccak256("clearhouse.trace.challenge/1"), the challenge's first word.
    bytes32 internal constant CHALLENGE_TAG = keccak256("clearhouse.trace.challenge/1");

    /// @notice r = keccak256(CHALLENGE_TAG ‖ root ‖ E.x ‖ E.y ‖ K.x ‖ K.y ‖ threshold ‖ c_0 ‖ … ‖ c_223) mod p.
    /// @dev One keccak over 7,392 bytes copied from calldata: 3,368 gas (trace-binding.test.ts).
    /// @param root the chunk's Poseidon root
    /// @param ephemeral E = e·Base8, published by the bank
    /// @param keyX the x coordinate of the regulator's key the chunk is encrypted to
    /// @param keyY its y coordinate
    /// @param threshold the trace threshold
    /// @param ciphertexts the 224 published elements
    /// @return r the challenge
    function challenge(
        uint256 root,
        uint256[2] calldata ephemeral,
        uint256 keyX,
        uint256 keyY,
        uint256 threshold,
        uint256[ELEMENTS] calldata ciphertexts
    ) internal pure returns (uint256 r) {
        return
            uint256(
                keccak256(
                    abi.encodePacked(
                        CHALLENGE_TAG,
                        root,
                        ephemeral[0],
                        ephemeral[1],
                        keyX,
                        keyY,
                        threshold,
                        ciphertexts
                    )
                )
            ) % P;
    }

    /// @notice Σ_j c_j · r^(j+1) mod p (Horner), reverting if an element is not below p.
    /// @dev Assembly; 47,368 gas for the 224 elements, ~211 an element (trace-binding.test.ts).
    /// @param ciphertexts the 224 published elements, slot-major
    /// @param r the challenge
    /// @return acc the evaluation
    function evaluation(uint256[ELEMENTS] calldata ciphertexts, uint256 r) internal pure returns (uint256 acc) {
        uint256 bad; // 1 + the position of the first element not below p, 0 if none
        assembly ("memory-safe") {
            for {
                let j := ELEMENTS
            } gt(j, 0) {
                j := sub(j, 1)
            } {
                let v := calldataload(add(ciphertexts, shl(5, sub(j, 1))))
                if iszero(lt(v, P)) {
                    bad := j
                    break
                }
                acc := mulmod(addmod(acc, v, P), r, P)
            }
        }
        if (bad != 0) revert INettingEngine.NettingTraceCiphertextNotInField(bad - 1, ciphertexts[bad - 1]);
    }
}
