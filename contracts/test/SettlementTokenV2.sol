// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SettlementToken} from "../token/SettlementToken.sol";

/// @title SettlementTokenV2 — test-only upgrade target proving state survives an upgrade
/// @custom:oz-upgrades-from contracts/token/SettlementToken.sol:SettlementToken
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract SettlementTokenV2 is SettlementToken {
    /// @notice The implementation's version.
    function version() external pure returns (string memory) {
        return "2";
    }
}
