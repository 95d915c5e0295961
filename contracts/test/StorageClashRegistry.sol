// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @title StorageClashRegistry — test-only upgrade target with an incompatible storage layout
/// @notice Reuses the registry's ERC-7201 namespace with its fields reordered; the upgrade
/// validator must refuse to upgrade ConsortiumRegistry to it.
contract StorageClashRegistry is Ownable2StepUpgradeable, UUPSUpgradeable {
    /// @custom:storage-location erc7201:clearhouse.storage.ConsortiumRegistry
    struct RegistryStorage {
        uint256 nodeCount;
        address[] memberList;
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Test-only initializer.
    function initialize(address initialOwner) external initializer {
        __Ownable_init(initialOwner);
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
