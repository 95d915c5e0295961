// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumRegistry} from "./IConsortiumRegistry.sol";

/// @title RegistryStore — the registry's member, sanction and node storage
/// @notice Shared by the registry and its node allowlist part; nothing here is callable.
/// @dev ERC-7201 namespace `clearhouse.storage.ConsortiumRegistry`: fields are only appended.
abstract contract RegistryStore is IConsortiumRegistry {
    struct NodeEntry {
        bool allowed;
        NodeKind kind;
    }

    /// @custom:storage-location erc7201:clearhouse.storage.ConsortiumRegistry
    struct RegistryStorage {
        mapping(address account => Member) members;
        address[] memberList;
        mapping(address account => uint16 reasonCode) sanctions;
        mapping(bytes32 nodeKey => NodeEntry) nodes;
        uint256 nodeCount;
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.ConsortiumRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x04108f599892ef25b3bf67692103eb029c5cb5c4d19c54666c5cb38a859ae700;

    function _s() internal pure returns (RegistryStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
