// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title BankBits — banks' counterparty-mask bits from the ledger, each bank asked once per call
/// @notice A close that presents several batches names the same banks again and again; the cache
/// turns every repeat into a memory lookup instead of a call to the ledger.
library BankBits {
    struct Cache {
        ISettlementLedger ledger;
        address[] banks;
        uint256[] bits;
        uint256 count;
    }

    /// @notice An empty cache over `ledger` that remembers up to `room` banks (more are looked up,
    /// not kept).
    function withRoom(ISettlementLedger ledger, uint256 room) internal pure returns (Cache memory cache) {
        cache.ledger = ledger;
        cache.banks = new address[](room);
        cache.bits = new uint256[](room);
    }

    /// @notice `bank`'s bit in counterparty masks: 1 << its ledger index (the ledger reverts
    /// LedgerNotEnrolled for a bank that is not enrolled).
    function bitOf(Cache memory cache, address bank) internal view returns (uint256 bit) {
        uint256 count = cache.count;
        for (uint256 i; i < count; ++i) if (cache.banks[i] == bank) return cache.bits[i];
        (uint8 index, ) = cache.ledger.bankOf(bank);
        bit = uint256(1) << index;
        if (count < cache.banks.length) {
            (cache.banks[count], cache.bits[count]) = (bank, bit);
            cache.count = count + 1;
        }
    }
}
