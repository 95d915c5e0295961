// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {INettingEngine} from "./INettingEngine.sol";

/// @title NettingBook — a cycle's participants and obligations in memory, for netting at close
/// @notice `owe[i][j]` is what `ps[i]` owes `ps[j]`. Rows are allocated for `capacity`
/// participants once; `ps` and `owe` have the current count and grow within that capacity.
library NettingBook {
    struct Book {
        address[] ps;
        uint256[][] owe;
        uint256 capacity;
    }

    /// @notice The stored participants and their obligations, with room for `room` more
    /// participants (at most `max` in all).
    function load(
        address[] storage stored,
        mapping(address debtor => mapping(address creditor => uint256)) storage owed,
        uint256 room,
        uint256 max
    ) internal view returns (Book memory book) {
        uint256 n = stored.length;
        uint256 capacity = n + room > max ? max : n + room;
        book.capacity = capacity;
        book.ps = new address[](capacity);
        book.owe = new uint256[][](capacity);
        for (uint256 i; i < capacity; ++i) book.owe[i] = new uint256[](capacity);
        for (uint256 i; i < n; ++i) book.ps[i] = stored[i];
        for (uint256 i; i < n; ++i) {
            for (uint256 j; j < n; ++j) if (i != j) book.owe[i][j] = owed[book.ps[i]][book.ps[j]];
        }
        resize(book, n);
    }

    /// @notice `bank`'s index in `book`, adding it as a participant if it is new.
    /// @dev Reverts NettingTooManyParticipants(cycleId) when the book is full.
    function indexOf(Book memory book, address bank, uint64 cycleId) internal pure returns (uint256 i) {
        uint256 n = book.ps.length;
        for (; i < n; ++i) if (book.ps[i] == bank) return i;
        if (n == book.capacity) revert INettingEngine.NettingTooManyParticipants(cycleId);
        resize(book, n + 1);
        book.ps[n] = bank;
    }

    /// @dev Set the participant count (within the capacity: the memory is allocated).
    function resize(Book memory book, uint256 n) private pure {
        address[] memory ps = book.ps;
        uint256[][] memory owe = book.owe;
        assembly ("memory-safe") {
            mstore(ps, n)
            mstore(owe, n)
        }
    }
}
