// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Groth16Call — how a snarkjs Groth16 verifier is called with a flattened proof
/// @notice snarkjs verifiers take `verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c,
/// uint256[n] signals)`: every argument is a fixed-size array, laid out inline in calldata, so the
/// call is the selector, the eight proof words [a0, a1, b00, b01, b10, b11, c0, c1] (as snarkjs
/// `exportSolidityCallData` prints them) and the n signal words. Shared by the VerifierRegistry and
/// the NettingEngine (which calls a private-netting verifier directly, once per chunk).
library Groth16Call {
    /// @notice Whether `proof` verifies for `signals` under `verifier` (its `selector` takes `signals.length`
    /// public signals). A verifier that reverts or answers anything but one true word: false.
    function verify(
        address verifier,
        bytes4 selector,
        uint256[8] calldata proof,
        uint256[] calldata signals
    ) internal view returns (bool) {
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodePacked(selector, proof, signals));
        return _answer(ok, ret);
    }

    /// @notice `verify` for a circuit with three public signals `s0, s1, s2`.
    function verify3(
        address verifier,
        bytes4 selector,
        uint256[8] calldata proof,
        uint256 s0,
        uint256 s1,
        uint256 s2
    ) internal view returns (bool) {
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodePacked(selector, proof, s0, s1, s2));
        return _answer(ok, ret);
    }

    /// @notice The selector of `verifyBatch(uint256[8][] proofs, uint256[3][] signals)`, the batch check a
    /// verifier exported with packages/zk/circuits/verifier_groth16_batch.sol.ejs has (decision 036).
    bytes4 internal constant VERIFY_BATCH3 = bytes4(keccak256("verifyBatch(uint256[8][],uint256[3][])"));

    /// @notice Whether every proof verifies for its three signals, checked by `verifier` in one batch.
    /// False when the batch does not hold, and when the verifier has no `verifyBatch` (or reverts).
    function verifyBatch3(
        address verifier,
        uint256[8][] memory proofs,
        uint256[3][] memory signals
    ) internal view returns (bool) {
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodeWithSelector(VERIFY_BATCH3, proofs, signals));
        return _answer(ok, ret);
    }

    /// @notice Call `verifier.<selector>(proof, signals)` for a verifier taking 10 public signals;
    /// false on any failure.
    function verify10(
        address verifier,
        bytes4 selector,
        uint256[8] calldata proof,
        uint256[10] memory signals
    ) internal view returns (bool) {
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodePacked(selector, proof, signals));
        return _answer(ok, ret);
    }

    /// @notice Selector of `verifyBatch(uint256[8][],uint256[10][])` (a 10-signal batch verifier).
    bytes4 internal constant VERIFY_BATCH10 = bytes4(keccak256("verifyBatch(uint256[8][],uint256[10][])"));

    /// @notice All `proofs` in one pairing product against their 10 signals each; false on any failure.
    function verifyBatch10(
        address verifier,
        uint256[8][] memory proofs,
        uint256[10][] memory signals
    ) internal view returns (bool) {
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodeWithSelector(VERIFY_BATCH10, proofs, signals));
        return _answer(ok, ret);
    }

    function _answer(bool ok, bytes memory ret) private pure returns (bool) {
        return ok && ret.length == 32 && abi.decode(ret, (bool));
    }
}
