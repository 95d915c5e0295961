// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title ISM2Signer — an ERC-1271 signer whose key is an SM2 key (GB/T 32918, curve sm2p256v1)
/// @notice A contract that stands for an official who signs with an SM2 key (a USB key or HSM
/// issued under the Chinese commercial-cryptography rules): wherever Clearhouse accepts ERC-1271
/// signers (multisig proposals, escrow attestations, ledger disputes), its address is the signer
/// and its signature is the SM2 signature (r, s) of the 32-byte hash the verifier asks about.
/// The signed digest is e = SM3(Z_A ‖ hash), Z_A for the identity "1234567812345678" (docs/crypto.md).
interface ISM2Signer is IERC1271 {
    /// @notice The signer was created for the SM2 public key (px, py) with the given Z_A.
    event SM2SignerKeyBound(uint256 px, uint256 py, bytes32 za);

    /// @notice The key is not a point of sm2p256v1 (coordinates below p, on the curve), or it is
    /// ±G (private key 1 or n − 1), which the verifier refuses.
    error SM2SignerInvalidKey(uint256 px, uint256 py);

    /// @notice The SM2 public key whose signatures this contract accepts.
    /// @return px the x-coordinate
    /// @return py the y-coordinate
    function publicKey() external view returns (uint256 px, uint256 py);

    /// @notice Z_A of the key: SM3(0x0080 ‖ "1234567812345678" ‖ a ‖ b ‖ xG ‖ yG ‖ px ‖ py).
    /// @return z the 32-byte Z_A
    function za() external view returns (bytes32 z);

    /// @notice The digest an SM2 signature must sign for `isValidSignature(hash, …)` to accept it.
    /// @param hash the 32-byte hash a verifier asks about (an EIP-712 digest, for instance)
    /// @return e SM3(Z_A ‖ hash)
    function signedDigest(bytes32 hash) external view returns (bytes32 e);
}
