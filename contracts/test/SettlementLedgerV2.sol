// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SettlementLedger} from "../settlement/SettlementLedger.sol";

/// @title SettlementLedgerV2 — test-only upgrade target proving the ledger's state survives an upgrade
/// @custom:oz-upgrades-from contracts/settlement/SettlementLedger.sol:SettlementLedger
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract SettlementLedgerV2 is SettlementLedger {
    /// @notice The implementation's version.
    function version() external pure returns (string memory) {
        return "2";
    }
}
