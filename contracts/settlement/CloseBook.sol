// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title CloseBook — what a close in one transaction works on, in memory: the live entries of the
/// cycle's batches, and the batches they came from (to carry what does not settle)
/// @notice An entry is "debtor owes creditor amount", debtor and creditor as ordinals of the
/// transaction's BankIndex table (0, 1, 2…). Memory only: nothing here is stored.
library CloseBook {
    /// @dev An entry word: amount << 18 | creditor << 9 | debtor (ordinals below 512).
    struct Book {
        uint256[] entries;
        uint256 entryCount;
        bytes32[] batchIds;
        uint256[] batchWords; // the batch's live creditors (bit i: ledger index i)
        uint256[] batchDebtors; // the batch's debtor, as a ledger index
        uint256 batchCount;
        uint256 seen; // ordinals with a live entry
    }

    /// @notice A book with room for `entryRoom` entries and `batchRoom` batches.
    function withRoom(uint256 entryRoom, uint256 batchRoom) internal pure returns (Book memory book) {
        book.entries = new uint256[](entryRoom);
        book.batchIds = new bytes32[](batchRoom);
        book.batchWords = new uint256[](batchRoom);
        book.batchDebtors = new uint256[](batchRoom);
    }

    /// @notice Add an entry between two ordinals (amount below 2^128: it is part of a uint128 gross total).
    function add(Book memory book, uint256 debtor, uint256 creditor, uint256 amount) internal pure {
        book.entries[book.entryCount++] = (amount << 18) | (creditor << 9) | debtor;
        book.seen |= (1 << debtor) | (1 << creditor);
    }

    /// @notice Remember a batch whose live entries were added: its id, its debtor's ledger index and
    /// its live creditors.
    function addBatch(Book memory book, bytes32 batchId, uint256 debtorIndex, uint256 liveMask) internal pure {
        uint256 k = book.batchCount++;
        (book.batchIds[k], book.batchDebtors[k], book.batchWords[k]) = (batchId, debtorIndex, liveMask);
    }

    /// @notice Net positions (by ordinal, `n` of them) of the entries whose ends are both outside
    /// `held` (a mask of ordinals); positive: paid out.
    function netOutside(Book memory book, uint256 n, uint256 held) internal pure returns (int256[] memory net) {
        net = new int256[](n);
        uint256[] memory entries = book.entries;
        uint256 count = book.entryCount;
        for (uint256 k; k < count; ++k) {
            uint256 e = entries[k];
            uint256 d = e & 0x1ff;
            uint256 c = (e >> 9) & 0x1ff;
            if (held & ((1 << d) | (1 << c)) != 0) continue;
            int256 amount = int256(e >> 18);
            net[d] -= amount;
            net[c] += amount;
        }
    }

    /// @notice The entries touching each ordinal (of `n`), as compressed rows: those of ordinal o
    /// (as debtor or creditor) are `list[start[o]] … list[start[o + 1] - 1]` (positions in the book).
    function adjacency(
        Book memory book,
        uint256 n
    ) internal pure returns (uint256[] memory start, uint256[] memory list) {
        uint256[] memory entries = book.entries;
        uint256 count = book.entryCount;
        start = new uint256[](n + 1);
        for (uint256 k; k < count; ++k) {
            uint256 e = entries[k];
            ++start[(e & 0x1ff) + 1];
            ++start[((e >> 9) & 0x1ff) + 1];
        }
        for (uint256 o = 1; o <= n; ++o) start[o] += start[o - 1];
        uint256[] memory next = new uint256[](n);
        for (uint256 o; o < n; ++o) next[o] = start[o];
        list = new uint256[](2 * count);
        for (uint256 k; k < count; ++k) {
            uint256 e = entries[k];
            list[next[e & 0x1ff]++] = k;
            list[next[(e >> 9) & 0x1ff]++] = k;
        }
    }

    /// @notice Take ordinal `w` out of `net` (positions over the entries between ordinals outside
    /// `held`, which does not include `w` yet): every entry between `w` and one not held is undone.
    function hold(
        Book memory book,
        int256[] memory net,
        uint256 held,
        uint256 w,
        uint256[] memory start,
        uint256[] memory list
    ) internal pure {
        uint256[] memory entries = book.entries;
        for (uint256 p = start[w]; p < start[w + 1]; ++p) {
            uint256 e = entries[list[p]];
            uint256 d = e & 0x1ff;
            uint256 c = (e >> 9) & 0x1ff;
            if (held & ((1 << d) | (1 << c)) != 0) continue;
            int256 amount = int256(e >> 18);
            net[d] += amount;
            net[c] -= amount;
        }
    }

    /// @notice The sum of the entries that settle (both ends outside `held`, a mask of ordinals).
    function grossOutside(Book memory book, uint256 held) internal pure returns (uint256 gross) {
        uint256[] memory entries = book.entries;
        uint256 count = book.entryCount;
        for (uint256 k; k < count; ++k) {
            uint256 e = entries[k];
            if (held & ((1 << (e & 0x1ff)) | (1 << ((e >> 9) & 0x1ff))) == 0) gross += e >> 18;
        }
    }

    /// @notice The lowest set bit's index of a non-zero mask.
    function lowest(uint256 mask) internal pure returns (uint256) {
        return Math.log2(mask & (~mask + 1));
    }

    /// @notice What of a batch's live creditors carries on when the banks in `held` (a mask of
    /// ledger indexes) are held: all of them if its debtor is held, else those held.
    function carried(uint256 debtor, uint256 liveMask, uint256 held) internal pure returns (uint256) {
        return held & (1 << debtor) != 0 ? liveMask : liveMask & held;
    }
}
