// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISettlementLedger} from "./ISettlementLedger.sol";
import {BankIndex} from "./BankIndex.sol";
import {CloseBook} from "./CloseBook.sol";
import {Clearing} from "./Clearing.sol";
import {Declaring} from "./Declaring.sol";

/// @title CycleClose — how a cycle closes: the presented batches' live entries, the gridlock rule
/// (holding), the settlement and what is carried into the next cycle (decision 023)
abstract contract CycleClose is Clearing {
    using BankIndex for BankIndex.Table;
    using CloseBook for CloseBook.Book;

    /// @dev A close's participants by position k: address, ledger index, whether it takes part
    /// (`member` bit k), the held and inactive banks (masks of ledger indexes), net positions of
    /// the banks not held, and funds and capacity of every bank whose capacity was read.
    struct Holding {
        address[] banks;
        uint256[] ps;
        uint256 member;
        uint256 held;
        uint256 inactive;
        int256[] net;
        uint256[] funds;
        uint256[] capacity;
    }

    /// @dev Consecutive deferrals before a bank is barred when governance set none.
    uint32 internal constant DEFAULT_MAX_DEFERRALS = 3;
    /// @notice Most counterparty entries of one batch (a creditor may repeat; at most 255 distinct).
    uint256 public constant MAX_ENTRIES = Declaring.MAX_ENTRIES;
    /// @dev In a bank's deferral word: the engine barred it in the ledger (the rest is the count).
    uint32 internal constant BARRED_BY_ENGINE = 1 << 31;
    /// @notice Domain tag of a private-mode batch's totals commitment.
    bytes32 public constant PRIVATE_BATCH_TAG = Declaring.PRIVATE_BATCH_TAG;
    /// @notice Domain tag of the totals commitment of a private-mode batch declared with several
    /// proofs (`declareProvedChunks`, private mode v2).
    bytes32 public constant PRIVATE_CHUNKS_TAG = Declaring.PRIVATE_CHUNKS_TAG;

    /// @dev Close `cycleId` with `declarations` in this transaction: take every batch's live
    /// entries, check every pending batch was presented, hold by the rule, settle, carry.
    function _closeWith(uint64 cycleId, Declaration[] memory declarations) internal {
        EngineStorage storage $ = _s();
        uint256 room;
        for (uint256 d; d < declarations.length; ++d) room += declarations[d].counterparties.length;
        CloseBook.Book memory book = CloseBook.withRoom(room, declarations.length);
        BankIndex.Table memory banks = BankIndex.over($.ledger, room + declarations.length);
        Cycle storage cycle = $.cycles[cycleId];
        uint256 pending = cycle.pending;
        uint256 presented;
        uint32 previousSession = pending == 0 ? type(uint32).max : $.closing[cycleId - 1].session;
        for (uint256 d; d < declarations.length; ++d) {
            if (_take(cycleId, declarations[d], book, banks, previousSession)) ++presented;
        }
        if (presented != pending) revert NettingPendingNotPresented(cycleId, pending, presented);
        cycle.batchCount += uint32(declarations.length - presented);
        Holding memory h = _hold(book, banks);
        // After a close in several transactions was abandoned (writeOff), its session's carries are
        // void: this close carries under a new session, the one the next cycle reads.
        uint32 session = $.closing[cycleId].session;
        if (session != 0) $.closing[cycleId].session = ++session;
        _carry(cycleId, session, book, h.held);
        _finish(cycleId, h, book.grossOutside(_ordinalMask(h)));
    }

    /// @dev The held banks as a mask of positions (ordinals).
    function _ordinalMask(Holding memory h) private pure returns (uint256 mask) {
        for (uint256 k; k < h.ps.length; ++k) if (h.held & (1 << h.ps[k]) != 0) mask |= 1 << k;
    }

    /// @dev The end of every close: settle the banks not held, record the held ones and their
    /// counts of consecutive deferrals, close the cycle.
    function _finish(uint64 cycleId, Holding memory h, uint256 gross) internal {
        uint256 netSettled = _settleHolding(cycleId, h);
        uint256 heldBanks = _recordHeld(cycleId, h);
        Cycle storage cycle = _s().cycles[cycleId];
        cycle.status = CycleStatus.Closed;
        cycle.closedAt = uint40(block.timestamp);
        emit CycleClosed(cycleId, gross, netSettled, heldBanks);
    }

    /// @dev Add a presented batch's live entries to `book` (see `_admit`). Returns whether it was pending.
    function _take(
        uint64 cycleId,
        Declaration memory d,
        CloseBook.Book memory book,
        BankIndex.Table memory banks,
        uint32 previousSession
    ) private returns (bool wasPending) {
        bytes32 batchId;
        uint256 live;
        (batchId, live, wasPending) = _admit(cycleId, d, banks, previousSession);
        if (wasPending) {
            for (uint256 k; k < book.batchCount; ++k)
                if (book.batchIds[k] == batchId) revert NettingBatchRepeated(batchId);
        }
        (uint256 debtor, uint256 debtorIndex) = banks.lookup(d.bank);
        for (uint256 k; k < d.counterparties.length; ++k) {
            (uint256 c, uint256 cIndex) = banks.lookup(d.counterparties[k]);
            if (live & (1 << cIndex) == 0) continue;
            book.add(debtor, c, d.totals[k]);
        }
        book.addBatch(batchId, debtorIndex, live);
    }

    /// @dev Check a presented batch and return its id and live creditors: a batch pending in the
    /// cycle (declared on chain or carried in; its header must be the anchored one, Netted, and
    /// its totals either mode's commitment), or a final standard-mode batch not yet in a cycle
    /// (checked as `declare` checks it, marked Netted, `BatchDeclared`). `previousSession` is the
    /// close session of the previous cycle whose carries are pending here (type(uint32).max: the
    /// cycle has nothing pending, skip the look-up).
    function _admit(
        uint64 cycleId,
        Declaration memory d,
        BankIndex.Table memory banks,
        uint32 previousSession
    ) internal returns (bytes32 batchId, uint256 live, bool wasPending) {
        batchId = keccak256(abi.encode(d.bank, d.key));
        if (previousSession != type(uint32).max) live = _pendingMask(cycleId, batchId, previousSession);
        if (live != 0) {
            // The header must be the anchored one (its commitment binds the totals), already Netted.
            ISettlementLedger.BatchStatus status = banks.ledger.statusOf(batchId, d.header);
            if (status != ISettlementLedger.BatchStatus.Netted) revert NettingNotPending(batchId, status);
            if (d.counterparties.length != d.totals.length) {
                revert NettingLengthMismatch(d.counterparties.length, d.totals.length);
            }
            // Standard, private (one proof), private with chunks (v2) or traced (v3): the header binds the mode.
            bytes32 standard = keccak256(abi.encode(d.counterparties, d.totals));
            if (standard != d.header.totalsCommitment) {
                bytes32 tagged = keccak256(abi.encode(PRIVATE_BATCH_TAG, d.counterparties, d.totals));
                if (
                    tagged != d.header.totalsCommitment &&
                    keccak256(abi.encode(PRIVATE_CHUNKS_TAG, d.counterparties, d.totals)) !=
                        d.header.totalsCommitment &&
                    keccak256(abi.encode(Declaring.TRACED_CHUNKS_TAG, d.counterparties, d.totals)) !=
                        d.header.totalsCommitment
                ) {
                    revert NettingTotalsMismatch(batchId, d.header.totalsCommitment, tagged);
                }
            }
            return (batchId, live, true);
        }
        bytes32 given = keccak256(abi.encode(d.counterparties, d.totals));
        uint256 sum = _checkDeclaration(cycleId, d.bank, batchId, d.header, d.counterparties, d.totals, given, banks);
        emit BatchDeclared(cycleId, batchId, d.bank, sum, d.counterparties, d.totals);
        return (batchId, uint256(d.header.counterpartyMask), false);
    }

    /// @dev The live creditors of a batch pending in `cycleId`: declared into it on chain, or
    /// carried by the close of the previous cycle (its session `previousSession`).
    function _pendingMask(
        uint64 cycleId,
        bytes32 batchId,
        uint32 previousSession
    ) internal view returns (uint256 live) {
        EngineStorage storage $ = _s();
        live = $.pending[cycleId][batchId];
        if (live == 0 && cycleId > 1) live = $.carried[cycleId - 1][previousSession][batchId];
    }

    /// @dev The gridlock rule over `book` (decision 023): hold every inactive participant; then,
    /// while some net debtor (over the entries between banks not held) owes more than its capacity
    /// (funds it can pay in plus unused credit), hold the one with the largest shortfall (the lowest
    /// ledger index on a tie). Capacities are read the first round a bank is a net debtor.
    function _hold(CloseBook.Book memory book, BankIndex.Table memory banks) private view returns (Holding memory h) {
        uint256 n = banks.count;
        (h.banks, h.ps, h.member) = (banks.banks, banks.indexes, book.seen);
        (address[] memory named, uint256[] memory indexes) = (h.banks, h.ps);
        assembly ("memory-safe") {
            mstore(named, n)
            mstore(indexes, n)
        }
        (h.funds, h.capacity) = (new uint256[](n), new uint256[](n));
        Limits memory limits = Limits(new uint128[](n), new uint128[](n), 0, 0);
        for (uint256 k; k < n; ++k) {
            if (h.member & (1 << k) == 0) continue;
            bool inactive;
            (inactive, limits.single[k], limits.daily[k]) = _screen(h.banks[k]);
            if (inactive) {
                h.inactive |= 1 << h.ps[k];
                limits.heldOrdinals |= 1 << k;
            }
        }
        h.held = h.inactive;
        limits.known = limits.heldOrdinals;
        h.net = book.netOutside(n, limits.heldOrdinals);
        uint256[] memory start;
        uint256[] memory list;
        while (true) {
            uint256 worst = _worst(h, limits);
            if (worst == type(uint256).max) return h;
            if (start.length == 0) (start, list) = book.adjacency(n);
            book.hold(h.net, limits.heldOrdinals, worst, start, list);
            limits.heldOrdinals |= 1 << worst;
            h.held |= 1 << h.ps[worst];
        }
    }

    /// @dev Registry limits of the participants (by position), whose capacity is read, who is held.
    struct Limits {
        uint128[] single;
        uint128[] daily;
        uint256 known;
        uint256 heldOrdinals;
    }

    /// @dev The position of the net debtor not held with the largest shortfall (lowest ledger index
    /// on a tie), or type(uint256).max if every one is covered; reads capacities when they matter.
    function _worst(Holding memory h, Limits memory limits) private view returns (uint256 worst) {
        worst = type(uint256).max;
        uint256 most;
        for (uint256 k; k < h.ps.length; ++k) {
            uint256 bit = 1 << k;
            if (h.net[k] >= 0 || limits.heldOrdinals & bit != 0 || h.member & bit == 0) continue;
            if (limits.known & bit == 0) {
                limits.known |= bit;
                h.funds[k] = _funds(h.banks[k], limits.single[k], limits.daily[k]);
                h.capacity[k] = h.funds[k] + _unused(h.banks[k]);
            }
            uint256 need = uint256(-h.net[k]);
            if (need <= h.capacity[k]) continue;
            uint256 shortfall = need - h.capacity[k];
            if (shortfall > most || (shortfall == most && h.ps[k] < h.ps[worst])) (most, worst) = (shortfall, k);
        }
    }

    /// @dev The indexes set in `mask`, ascending.
    function participants(uint256 mask) internal pure returns (uint256[] memory ps) {
        ps = new uint256[](256);
        uint256 n;
        while (mask != 0) {
            uint256 i = CloseBook.lowest(mask);
            ps[n++] = i;
            mask &= mask - 1;
        }
        assembly ("memory-safe") {
            mstore(ps, n)
        }
    }

    /// @dev Settle the positions of the participants not held.
    function _settleHolding(uint64 cycleId, Holding memory h) private returns (uint256 netSettled) {
        (uint256[] memory ps, uint256 held) = (h.ps, h.held);
        uint256 n;
        address[] memory banks = new address[](ps.length);
        int256[] memory positions = new int256[](ps.length);
        uint256[] memory bankFunds = new uint256[](ps.length);
        for (uint256 k; k < ps.length; ++k) {
            if (held & (1 << ps[k]) != 0 || h.member & (1 << k) == 0) continue;
            (banks[n], positions[n], bankFunds[n]) = (h.banks[k], h.net[k], h.funds[k]);
            ++n;
        }
        assembly ("memory-safe") {
            mstore(banks, n)
            mstore(positions, n)
            mstore(bankFunds, n)
        }
        return _settle(cycleId, banks, positions, bankFunds);
    }

    /// @dev Emit BankHeld for each held participant, keep the count of consecutive deferrals of
    /// every participant (bar a bank at the limit, clear a bank that settled). Returns how many
    /// banks were held.
    function _recordHeld(uint64 cycleId, Holding memory h) private returns (uint256 heldBanks) {
        EngineStorage storage $ = _s();
        uint256 held = h.held;
        if (held != 0) $.held[cycleId] = held;
        uint32 before = $.deferredBanks;
        if (held == 0 && before == 0) return 0;
        uint32 limit = $.maxConsecutiveDeferrals;
        if (limit == 0) limit = DEFAULT_MAX_DEFERRALS;
        int256 change;
        for (uint256 k; k < h.ps.length; ++k) {
            if (h.member & (1 << k) == 0) continue;
            uint256 bit = 1 << h.ps[k];
            address bank = h.banks[k];
            if (held & bit == 0) {
                if (before != 0) change += _clearDeferrals(cycleId, bank);
                continue;
            }
            ++heldBanks;
            if (h.inactive & bit != 0) {
                emit BankHeld(cycleId, bank, true, 0, 0);
            } else {
                change += _countDeferral(cycleId, bank, h.capacity[k], limit);
            }
        }
        if (change != 0) $.deferredBanks = uint32(uint256(int256(uint256(before)) + change));
    }

    /// @dev One more close in a row that `bank` was held short; barred at the limit. Returns 1 if
    /// it is newly counted among the deferred banks.
    function _countDeferral(uint64 cycleId, address bank, uint256 capacity, uint32 limit) private returns (int256) {
        EngineStorage storage $ = _s();
        uint32 word = $.deferrals[bank];
        uint32 count = (word & ~BARRED_BY_ENGINE) + 1;
        bool barred = word & BARRED_BY_ENGINE != 0;
        emit BankHeld(cycleId, bank, false, capacity, count);
        // At or past the limit in force now (governance may have lowered it): barred once. A bank
        // governance barred already stays governance's to unbar (the engine's flag is not set).
        if (count >= limit && !barred) {
            emit DeferralLimitReached(cycleId, bank, count);
            if (!$.ledger.isBarred(bank)) {
                barred = true;
                $.ledger.setBarred(bank, true);
            }
        }
        $.deferrals[bank] = count | (barred ? BARRED_BY_ENGINE : 0);
        return count == 1 ? int256(1) : int256(0);
    }

    /// @dev `bank` settled: its count of consecutive deferrals goes back to 0 (unbarred if the
    /// engine had barred it). Returns -1 if it had a count.
    function _clearDeferrals(uint64 cycleId, address bank) private returns (int256) {
        EngineStorage storage $ = _s();
        uint32 word = $.deferrals[bank];
        if (word == 0) return 0;
        delete $.deferrals[bank];
        emit DeferralsCleared(cycleId, bank);
        // Only a bar the engine set is lifted (whatever the limit is now), never one governance set.
        if (word & BARRED_BY_ENGINE != 0) $.ledger.setBarred(bank, false);
        return -1;
    }

    /// @dev Carry each batch's held entries into the next cycle: one word per batch, under close
    /// session `session` (0: a cycle closed in one transaction only).
    function _carry(uint64 cycleId, uint32 session, CloseBook.Book memory book, uint256 held) private {
        if (held == 0) return;
        uint32 carried;
        for (uint256 k; k < book.batchCount; ++k) {
            if (_carryBatch(cycleId, session, book.batchIds[k], book.batchDebtors[k], book.batchWords[k], held))
                ++carried;
        }
        _s().cycles[cycleId + 1].pending = carried;
    }

    /// @dev Carry what of a batch waits (its debtor or creditors held) from `cycleId`'s close
    /// session `session`. Returns whether anything was carried.
    function _carryBatch(
        uint64 cycleId,
        uint32 session,
        bytes32 batchId,
        uint256 debtor,
        uint256 live,
        uint256 held
    ) internal returns (bool) {
        uint256 mask = CloseBook.carried(debtor, live, held);
        if (mask == 0) return false;
        _s().carried[cycleId][session][batchId] = mask;
        emit BatchCarried(cycleId, batchId, mask);
        return true;
    }

    /// @dev What every declaration must satisfy, on chain or presented at close (Declaring.check).
    function _checkDeclaration(
        uint64 cycleId,
        address debtor,
        bytes32 batchId,
        ISettlementLedger.BatchHeader memory header,
        address[] memory counterparties,
        uint256[] memory totals,
        bytes32 given,
        BankIndex.Table memory banks
    ) internal returns (uint256 sum) {
        _requireUntraced();
        return Declaring.check(cycleId, debtor, batchId, header, counterparties, totals, given, banks);
    }

    /// @dev Traceability on: standard declarations refused (Declaring.requireUntraced).
    function _requireUntraced() internal view {
        Declaring.requireUntraced(address(_s().verifiers));
    }
}
