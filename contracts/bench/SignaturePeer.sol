// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title SignaturePeer — the international signature checks, measured as bench/sm2.ts measures SM2
/// @notice Benchmark only: ECDSA over secp256k1 through OpenZeppelin's `ECDSA.recover` (the
/// ecrecover precompile) and P-256 through the EIP-7951 precompile at 0x100 where the chain has it,
/// and keccak256 as the peer of SM3, each returning the gas its check used (measured with `gasleft()` around it).
contract SignaturePeer {
    /// @notice The EIP-7951 P-256 verification precompile's address.
    address public constant P256_VERIFY = address(0x100);

    /// @notice OpenZeppelin ECDSA.recover(hash, signature) and the gas it used.
    /// @param hash the signed 32-byte digest
    /// @param signature a 65-byte r ‖ s ‖ v signature
    /// @return signer the recovered address
    /// @return used gas spent inside ECDSA.recover
    function recoverGas(bytes32 hash, bytes calldata signature) external view returns (address signer, uint256 used) {
        uint256 before = gasleft();
        signer = ECDSA.recover(hash, signature);
        used = before - gasleft();
    }

    /// @notice keccak256(data) and the gas it used: the peer of SM3 for the same input.
    /// @param data the message
    /// @return digest keccak256(data)
    /// @return used gas spent on the hash (the copy of calldata to memory excluded)
    function keccakGas(bytes calldata data) external view returns (bytes32 digest, uint256 used) {
        bytes memory m = data;
        uint256 before = gasleft();
        digest = keccak256(m);
        used = before - gasleft();
    }

    /// @notice Call the P-256 precompile with `input` (h ‖ r ‖ s ‖ qx ‖ qy, 160 bytes).
    /// @dev A chain without the precompile answers an empty success (a call to an empty account).
    /// @param input the precompile's input
    /// @return output the precompile's answer: 32 bytes of 1 when valid, empty otherwise
    /// @return used gas spent by the call
    function p256Gas(bytes calldata input) external view returns (bytes memory output, uint256 used) {
        uint256 before = gasleft();
        (, output) = P256_VERIFY.staticcall(input);
        used = before - gasleft();
    }
}
