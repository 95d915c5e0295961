// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SM2} from "../crypto/SM2.sol";
import {SM3} from "../crypto/SM3.sol";

/// @title SM2Harness — test and benchmark entry points for the SM2 and SM3 libraries
/// @notice Each library function as an external call, and `*Gas` twins that also return the gas
/// the library call itself used (measured with `gasleft()` around it).
contract SM2Harness {
    /// @notice SM3.hash(data).
    /// @param data the message
    /// @return out the SM3 digest
    function hash(bytes calldata data) external pure returns (bytes32 out) {
        return SM3.hash(data);
    }

    /// @notice SM3.hash(data) and the gas it used.
    /// @param data the message
    /// @return out the SM3 digest
    /// @return used gas spent inside SM3.hash (the copy of calldata to memory excluded)
    function hashGas(bytes calldata data) external view returns (bytes32 out, uint256 used) {
        bytes memory m = data;
        uint256 before = gasleft();
        out = SM3.hash(m);
        used = before - gasleft();
    }

    /// @notice SM2.verify(e, r, s, px, py).
    /// @param e the digest
    /// @param r the signature's r
    /// @param s the signature's s
    /// @param px the key's x
    /// @param py the key's y
    /// @return valid whether the signature is valid
    function verify(bytes32 e, uint256 r, uint256 s, uint256 px, uint256 py) external view returns (bool valid) {
        return SM2.verify(e, r, s, px, py);
    }

    /// @notice SM2.verify(e, r, s, px, py) and the gas it used.
    /// @param e the digest
    /// @param r the signature's r
    /// @param s the signature's s
    /// @param px the key's x
    /// @param py the key's y
    /// @return valid whether the signature is valid
    /// @return used gas spent inside SM2.verify
    function verifyGas(
        bytes32 e,
        uint256 r,
        uint256 s,
        uint256 px,
        uint256 py
    ) external view returns (bool valid, uint256 used) {
        uint256 before = gasleft();
        valid = SM2.verify(e, r, s, px, py);
        used = before - gasleft();
    }

    /// @notice SM2.isOnCurve(px, py).
    /// @param px the x-coordinate
    /// @param py the y-coordinate
    /// @return onCurve whether the point is on sm2p256v1
    function isOnCurve(uint256 px, uint256 py) external pure returns (bool onCurve) {
        return SM2.isOnCurve(px, py);
    }

    /// @notice SM2.za(px, py) (default identity).
    /// @param px the key's x
    /// @param py the key's y
    /// @return z Z_A
    function za(uint256 px, uint256 py) external pure returns (bytes32 z) {
        return SM2.za(px, py);
    }

    /// @notice SM2.za(id, px, py).
    /// @param id the identity
    /// @param px the key's x
    /// @param py the key's y
    /// @return z Z_A
    function zaWithId(bytes calldata id, uint256 px, uint256 py) external pure returns (bytes32 z) {
        return SM2.za(id, px, py);
    }

    /// @notice SM2.digest(z, message).
    /// @param z Z_A
    /// @param message the message
    /// @return e SM3(z ‖ message)
    function digest(bytes32 z, bytes calldata message) external pure returns (bytes32 e) {
        return SM2.digest(z, message);
    }

    /// @notice SM2.digestHash(z, h).
    /// @param z Z_A
    /// @param h the 32-byte message
    /// @return e SM3(z ‖ h)
    function digestHash(bytes32 z, bytes32 h) external pure returns (bytes32 e) {
        return SM2.digestHash(z, h);
    }
}
