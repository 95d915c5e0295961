// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title MockERC1271Signer — test-only contract signer (a one-key smart-contract wallet)
/// @notice Approves a hash when the signature is its key's ECDSA signature of that hash and it is
/// accepting; its key can switch acceptance off to make every signature invalid.
contract MockERC1271Signer is IERC1271 {
    bytes4 private constant INVALID = 0xffffffff;

    /// @notice The EOA whose ECDSA signatures this wallet accepts.
    address public immutable key;
    /// @notice Whether `isValidSignature` approves anything at all.
    bool public accepting = true;

    /// @notice Acceptance was switched on or off.
    event AcceptingSet(bool accepting);

    /// @notice Only the key may change the wallet.
    error MockSignerUnauthorized(address caller);

    /// @param key_ the EOA whose signatures are accepted
    constructor(address key_) {
        key = key_;
    }

    /// @notice Switch acceptance on or off (the key only).
    /// @param accepting_ false makes `isValidSignature` refuse every signature
    function setAccepting(bool accepting_) external {
        if (msg.sender != key) revert MockSignerUnauthorized(msg.sender);
        accepting = accepting_;
        emit AcceptingSet(accepting_);
    }

    /// @notice ERC-1271: the magic value when `signature` is the key's signature of `hash`.
    /// @param hash the signed digest
    /// @param signature the key's 65-byte ECDSA signature
    /// @return magic `IERC1271.isValidSignature.selector` when valid, 0xffffffff otherwise
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4 magic) {
        if (!accepting) return INVALID;
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == key ? IERC1271.isValidSignature.selector : INVALID;
    }
}
