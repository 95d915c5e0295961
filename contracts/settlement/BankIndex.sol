// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {INettingEngine} from "./INettingEngine.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title BankIndex — the banks a transaction names, each asked of the ledger once
/// @notice A close names the same banks again and again (every batch's creditors): a memory hash
/// table (open addressing, sized for the transaction) turns every repeat into a lookup of a few
/// memory words, so a close costs one ledger call per bank, not per entry. Each bank also gets an
/// ordinal (0, 1, 2… in the order first named) for arrays sized by the banks actually named.
library BankIndex {
    struct Table {
        ISettlementLedger ledger;
        // (ordinal + 1) << 168 | ledger index << 160 | address; 0 = empty
        uint256[] slots;
        address[] banks; // by ordinal
        uint256[] indexes; // ledger index, by ordinal
        uint256 count;
        uint256 usedIndexes; // mask of the ledger indexes named
    }

    /// @notice An empty table over `ledger` for at most `room` distinct banks (at most 256 exist);
    /// the hash table has at least twice as many slots.
    function over(ISettlementLedger ledger, uint256 room) internal pure returns (Table memory table) {
        if (room > 256) room = 256;
        uint256 slots = 16;
        while (slots < 2 * room) slots <<= 1;
        table.ledger = ledger;
        table.slots = new uint256[](slots);
        table.banks = new address[](room);
        table.indexes = new uint256[](room);
    }

    /// @notice `bank`'s ledger index (the ledger reverts LedgerNotEnrolled for a bank that is not
    /// enrolled).
    function indexOf(Table memory table, address bank) internal view returns (uint256 index) {
        (, index) = lookup(table, bank);
    }

    /// @notice `bank`'s ordinal in this table and its ledger index. Two banks with one index (a
    /// released bank's and the index's new holder's) cannot be told apart: NettingIndexReused.
    function lookup(Table memory table, address bank) internal view returns (uint256 ordinal, uint256 index) {
        uint256 mask = table.slots.length - 1;
        uint256 h = uint160(bank) & mask;
        uint256 entry = table.slots[h];
        while (entry != 0) {
            if (address(uint160(entry)) == bank) return ((entry >> 168) - 1, (entry >> 160) & 0xff);
            h = (h + 1) & mask;
            entry = table.slots[h];
        }
        (uint8 found, ) = table.ledger.bankOf(bank);
        index = found;
        if (table.usedIndexes & (1 << index) != 0) {
            address other;
            for (uint256 k; k < table.count; ++k) if (table.indexes[k] == index) other = table.banks[k];
            revert INettingEngine.NettingIndexReused(index, other, bank);
        }
        table.usedIndexes |= 1 << index;
        ordinal = table.count; // below the room: every bank named is a debtor or a creditor counted in it
        table.banks[ordinal] = bank;
        table.indexes[ordinal] = index;
        table.count = ordinal + 1;
        table.slots[h] = ((ordinal + 1) << 168) | (index << 160) | uint160(bank);
    }
}
