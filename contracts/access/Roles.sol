// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Roles — the consortium's role bits
/// @notice A member holds a bitmask of these roles; a member may hold several.
library Roles {
    uint8 internal constant OPERATOR = 1;
    uint8 internal constant MEMBER_BANK = 2;
    uint8 internal constant CORPORATE = 4;
    uint8 internal constant AUDITOR = 8;
    uint8 internal constant REGULATOR = 16;
    /// @dev Every defined role bit; anything outside is invalid.
    uint8 internal constant ALL = 31;
}
