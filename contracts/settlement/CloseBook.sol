// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {INettingEngine} from "./INettingEngine.sol";

/// @title CloseBook — what a close works on, in memory: the live entries of the cycle's batches by
/// ledger index, and the batches they came from (to carry what does not settle)
/// @notice An entry is "debtor owes creditor amount", debtor and creditor as ledger indexes
/// (0…255). A bank's bit in a mask is 1 << its index. Memory only: nothing here is stored.
library CloseBook {
    /// @dev An entry word: amount << 16 | creditor << 8 | debtor.
    struct Book {
        uint256[] entries;
        uint256 entryCount;
        bytes32[] batchIds;
        uint256[] batchWords; // liveMask of the batch's creditors; the debtor's index kept apart
        uint256[] batchDebtors;
        uint256 batchCount;
        uint256 seen; // participants
        address[256] bankAt; // index → address, for participants
    }

    /// @notice A book with room for `entryRoom` entries and `batchRoom` batches.
    function withRoom(uint256 entryRoom, uint256 batchRoom) internal pure returns (Book memory book) {
        book.entries = new uint256[](entryRoom);
        book.batchIds = new bytes32[](batchRoom);
        book.batchWords = new uint256[](batchRoom);
        book.batchDebtors = new uint256[](batchRoom);
    }

    /// @notice Record a participant's address under its index. Two addresses under one index (a
    /// released bank's and the index's new holder's) cannot be told apart in a close: refused.
    function join(Book memory book, uint256 index, address bank) internal pure {
        uint256 bit = 1 << index;
        if (book.seen & bit != 0) {
            address known = book.bankAt[index];
            if (known != bank) revert INettingEngine.NettingIndexReused(index, known, bank);
            return;
        }
        book.seen |= bit;
        book.bankAt[index] = bank;
    }

    /// @notice Add an entry (amount below 2^128; checked by the caller).
    function add(Book memory book, uint256 debtor, uint256 creditor, uint256 amount) internal pure {
        book.entries[book.entryCount++] = (amount << 16) | (creditor << 8) | debtor;
    }

    /// @notice Remember a batch whose live entries were added, with its debtor and live creditors.
    function addBatch(Book memory book, bytes32 batchId, uint256 debtor, uint256 liveMask) internal pure {
        uint256 k = book.batchCount++;
        (book.batchIds[k], book.batchDebtors[k], book.batchWords[k]) = (batchId, debtor, liveMask);
    }

    /// @notice Net positions of the entries whose debtor and creditor are both outside `held`
    /// (positive: paid out), by index.
    function netOutside(Book memory book, uint256 held) internal pure returns (int256[256] memory net) {
        uint256[] memory entries = book.entries;
        uint256 count = book.entryCount;
        for (uint256 k; k < count; ++k) {
            uint256 e = entries[k];
            uint256 d = e & 0xff;
            uint256 c = (e >> 8) & 0xff;
            if (held & ((1 << d) | (1 << c)) != 0) continue;
            int256 amount = int256(e >> 16);
            net[d] -= amount;
            net[c] += amount;
        }
    }

    /// @notice The entries touching each bank, as compressed rows: the entries of bank i (as debtor
    /// or creditor) are `list[start[i]] … list[start[i + 1] - 1]` (entry positions in the book).
    function adjacency(Book memory book) internal pure returns (uint256[] memory start, uint256[] memory list) {
        uint256[] memory entries = book.entries;
        uint256 count = book.entryCount;
        start = new uint256[](257);
        for (uint256 k; k < count; ++k) {
            uint256 e = entries[k];
            ++start[(e & 0xff) + 1];
            ++start[((e >> 8) & 0xff) + 1];
        }
        for (uint256 i = 1; i < 257; ++i) start[i] += start[i - 1];
        uint256[] memory next = new uint256[](256);
        for (uint256 i; i < 256; ++i) next[i] = start[i];
        list = new uint256[](2 * count);
        for (uint256 k; k < count; ++k) {
            uint256 e = entries[k];
            list[next[e & 0xff]++] = k;
            list[next[(e >> 8) & 0xff]++] = k;
        }
    }

    /// @notice Take bank `w` out of `net` (positions over the entries between banks outside
    /// `held`, which does not include `w` yet): every entry between `w` and a bank not held is undone.
    function hold(
        Book memory book,
        int256[256] memory net,
        uint256 held,
        uint256 w,
        uint256[] memory start,
        uint256[] memory list
    ) internal pure {
        uint256[] memory entries = book.entries;
        for (uint256 p = start[w]; p < start[w + 1]; ++p) {
            uint256 e = entries[list[p]];
            uint256 d = e & 0xff;
            uint256 c = (e >> 8) & 0xff;
            if (held & ((1 << d) | (1 << c)) != 0) continue;
            int256 amount = int256(e >> 16);
            net[d] += amount;
            net[c] -= amount;
        }
    }

    /// @notice The sum of the entries that settle (both ends outside `held`).
    function grossOutside(Book memory book, uint256 held) internal pure returns (uint256 gross) {
        uint256[] memory entries = book.entries;
        uint256 count = book.entryCount;
        for (uint256 k; k < count; ++k) {
            uint256 e = entries[k];
            if (held & ((1 << (e & 0xff)) | (1 << ((e >> 8) & 0xff))) == 0) gross += e >> 16;
        }
    }

    /// @notice The lowest set bit's index of a non-zero mask.
    function lowest(uint256 mask) internal pure returns (uint256) {
        return Math.log2(mask & (~mask + 1));
    }

    /// @notice What of a batch's live creditors carries on when `held` banks are held: all of them if
    /// its debtor is held, else those held.
    function carried(uint256 debtor, uint256 liveMask, uint256 held) internal pure returns (uint256) {
        return held & (1 << debtor) != 0 ? liveMask : liveMask & held;
    }
}
