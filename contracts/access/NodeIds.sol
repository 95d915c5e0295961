// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title NodeIds — canonical keys for the node allowlist
/// @notice Besu passes a node as (enode id, host, port); the id is 128 hex characters (a secp256k1
/// public key without prefix). Keys are built from the lower-cased id and host so the allowlist
/// matches whatever case an operator typed.
library NodeIds {
    uint256 internal constant ENODE_ID_LENGTH = 128;
    uint256 internal constant MAX_HOST_LENGTH = 64;

    /// @notice Whether `enodeId` is exactly 128 hexadecimal characters.
    function isValidEnodeId(string calldata enodeId) internal pure returns (bool) {
        bytes calldata b = bytes(enodeId);
        if (b.length != ENODE_ID_LENGTH) return false;
        for (uint256 i; i < ENODE_ID_LENGTH; ++i) {
            bytes1 c = b[i];
            bool digit = c >= "0" && c <= "9";
            bool lower = c >= "a" && c <= "f";
            bool upper = c >= "A" && c <= "F";
            if (!(digit || lower || upper)) return false;
        }
        return true;
    }

    /// @notice The allowlist key of a node, and whether the triple is well formed.
    function key(string calldata enodeId, string calldata host, uint16 port) internal pure returns (bool, bytes32) {
        uint256 hostLength = bytes(host).length;
        if (!isValidEnodeId(enodeId) || hostLength == 0 || hostLength > MAX_HOST_LENGTH || port == 0) {
            return (false, bytes32(0));
        }
        return (true, keccak256(abi.encode(_lower(enodeId), _lower(host), port)));
    }

    function _lower(string calldata s) private pure returns (bytes memory out) {
        out = bytes(s);
        for (uint256 i; i < out.length; ++i) {
            bytes1 c = out[i];
            if (c >= "A" && c <= "Z") out[i] = bytes1(uint8(c) + 32);
        }
    }
}
