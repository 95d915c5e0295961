// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ISM2Signer} from "./ISM2Signer.sol";
import {SM2} from "./SM2.sol";

/// @title SM2Signer — an ERC-1271 signer holding one SM2 public key
/// @notice `isValidSignature(hash, signature)` returns the ERC-1271 magic value exactly when
/// `signature` is `abi.encode(r, s)` (64 bytes) and (r, s) is a valid SM2 signature, under this
/// contract's key, of the message `hash` with the default identity — that is, of the digest
/// e = SM3(Z_A ‖ hash). Anything else, malformed input included, returns 0xffffffff; it never reverts.
/// @dev The key is fixed at construction and the contract has no owner: nothing about it can change,
/// so nothing needs guarding. A new key is a new SM2Signer, put in place of the old address where
/// it signs (a multisig signer rotation, a new escrow attestor), through the same governance that
/// admitted the first — one rotation path rather than two (docs/decisions/043).
contract SM2Signer is ISM2Signer {
    bytes4 private constant INVALID = 0xffffffff;

    uint256 private immutable _px;
    uint256 private immutable _py;
    bytes32 private immutable _za;

    /// @param px the SM2 public key's x-coordinate
    /// @param py the SM2 public key's y-coordinate
    constructor(uint256 px, uint256 py) {
        if (!SM2.isOnCurve(px, py) || px == SM2.GX) revert SM2SignerInvalidKey(px, py);
        bytes32 z = SM2.za(px, py);
        _px = px;
        _py = py;
        _za = z;
        emit SM2SignerKeyBound(px, py, z);
    }

    /// @inheritdoc ISM2Signer
    function publicKey() external view returns (uint256 px, uint256 py) {
        return (_px, _py);
    }

    /// @inheritdoc ISM2Signer
    function za() external view returns (bytes32 z) {
        return _za;
    }

    /// @inheritdoc ISM2Signer
    function signedDigest(bytes32 hash) external view returns (bytes32 e) {
        return SM2.digestHash(_za, hash);
    }

    /// @notice ERC-1271: the magic value when `signature` is this key's SM2 signature of `hash`.
    /// @dev About 300,000 gas: one two-block SM3 and one SM2 verification (docs/crypto.md).
    /// @param hash the 32-byte message the verifier asks about; the SM2 digest is SM3(Z_A ‖ hash)
    /// @param signature `abi.encode(r, s)`: r then s, each 32 bytes big-endian (64 bytes, no DER)
    /// @return magic `IERC1271.isValidSignature.selector` when valid, 0xffffffff otherwise
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4 magic) {
        if (signature.length != 64) return INVALID;
        uint256 r = uint256(bytes32(signature[0:32]));
        uint256 s = uint256(bytes32(signature[32:64]));
        return SM2.verify(SM2.digestHash(_za, hash), r, s, _px, _py) ? IERC1271.isValidSignature.selector : INVALID;
    }
}
