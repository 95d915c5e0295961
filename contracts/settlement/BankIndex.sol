// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title BankIndex — banks' ledger indexes, each bank asked of the ledger once per transaction
/// @notice A close names the same banks again and again (every batch's creditors): a memory hash
/// table (open addressing, 512 slots for at most 256 banks) turns every repeat into a lookup of a
/// few memory words, so a close of 256 banks' batches costs one ledger call per bank, not per entry.
library BankIndex {
    uint256 private constant SLOTS = 512;

    struct Table {
        ISettlementLedger ledger;
        // (index + 1) << 160 | address; 0 = empty
        uint256[SLOTS] slots;
    }

    /// @notice An empty table over `ledger`.
    function over(ISettlementLedger ledger) internal pure returns (Table memory table) {
        table.ledger = ledger;
    }

    /// @notice `bank`'s ledger index (the ledger reverts LedgerNotEnrolled for a bank that is not
    /// enrolled).
    function indexOf(Table memory table, address bank) internal view returns (uint256) {
        uint256 h = uint160(bank) & (SLOTS - 1);
        uint256 entry = table.slots[h];
        while (entry != 0) {
            if (address(uint160(entry)) == bank) return (entry >> 160) - 1;
            h = (h + 1) & (SLOTS - 1);
            entry = table.slots[h];
        }
        (uint8 index, ) = table.ledger.bankOf(bank);
        table.slots[h] = ((uint256(index) + 1) << 160) | uint160(bank);
        return index;
    }
}
