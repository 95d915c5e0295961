// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ConsortiumRegistry} from "../access/ConsortiumRegistry.sol";

/// @title ConsortiumRegistryV2 — test-only upgrade target proving state survives an upgrade
/// @custom:oz-upgrades-from contracts/access/ConsortiumRegistry.sol:ConsortiumRegistry
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract ConsortiumRegistryV2 is ConsortiumRegistry {
    /// @notice The implementation's version.
    function version() external pure returns (string memory) {
        return "2";
    }
}
