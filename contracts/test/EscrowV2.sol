// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ConditionalEscrow} from "../payments/ConditionalEscrow.sol";

/// @title EscrowV2 — test-only upgrade target proving the escrow's state survives an upgrade
/// @custom:oz-upgrades-from contracts/payments/ConditionalEscrow.sol:ConditionalEscrow
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract EscrowV2 is ConditionalEscrow {
    /// @notice The implementation's version.
    function version() external pure returns (string memory) {
        return "2";
    }
}
