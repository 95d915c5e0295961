// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Roles} from "../access/Roles.sol";
import {BankIndex} from "./BankIndex.sol";
import {CycleClose} from "./CycleClose.sol";
import {CloseBook} from "./CloseBook.sol";

/// @title StreamedClose — a close in several transactions, for consortia whose batches do not fit
/// in one: the operator begins it with the banks it holds (computed off-chain by the gridlock
/// rule), presents the batches in steps, each bank's position kept in one word, and finishes it
/// (decision 023)
/// @notice The chain checks that the outcome is safe: every inactive participant is held, every
/// bank that settles can pay its position, every pending batch was presented once, money is
/// conserved. That the held set is the rule's is not checked here (decision 023, known limits:
/// the operator's SDK computes it by the rule). A restart (`beginClose` again) discards the steps so far.
abstract contract StreamedClose is CycleClose {
    using BankIndex for BankIndex.Table;

    /// @notice Begin (or begin again) closing the open cycle in several transactions, holding the
    /// banks in `heldMask` (bit i: ledger index i). An active OPERATOR. Nothing can be declared into
    /// the cycle until it is closed.
    function beginClose(uint64 cycleId, uint256 heldMask) external whenNotPaused {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        Cycle storage cycle = $.cycles[cycleId];
        if (cycleId != $.current || (cycle.status != CycleStatus.Open && cycle.status != CycleStatus.Closing)) {
            revert NettingNoOpenCycle(cycleId);
        }
        uint32 session = $.closing[cycleId].session + 1;
        $.closing[cycleId] = Closing({held: heldMask, seen: 0, gross: 0, session: session, presented: 0, carried: 0});
        cycle.status = CycleStatus.Closing;
        emit CloseBegun(cycleId, session, heldMask);
    }

    /// @notice Present `declarations` to the close begun for `cycleId` (as `closeCycleWith` takes
    /// them: pending batches, or final standard-mode batches not yet in a cycle, which become
    /// pending in it). An active OPERATOR. Each batch once per session.
    // solhint-disable-next-line gas-calldata-parameters
    function closeStep(uint64 cycleId, Declaration[] memory declarations) external whenNotPaused nonReentrant {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        Closing storage closing = _requireClosing(cycleId);
        Step memory step;
        (step.held, step.session) = (closing.held, closing.session);
        step.previousSession = cycleId > 1 ? $.closing[cycleId - 1].session : 0;
        step.holders = $.ledger.banks();
        uint256 room;
        for (uint256 d; d < declarations.length; ++d) room += declarations[d].counterparties.length + 1;
        BankIndex.Table memory banks = BankIndex.over($.ledger, room);
        for (uint256 d; d < declarations.length; ++d) _stepBatch(cycleId, declarations[d], banks, step);
        uint256 touched = step.touched;
        while (touched != 0) {
            uint256 i = _lowest(touched);
            touched &= touched - 1;
            if (step.delta[i] != 0) $.positions[cycleId][step.session][i] += step.delta[i];
        }
        closing.seen |= step.touched;
        closing.gross += step.gross;
        closing.presented += step.presented;
        closing.carried += step.carried;
        emit CloseStepTaken(cycleId, step.session, declarations.length);
    }

    /// @notice Finish the close begun for `cycleId` once every pending batch was presented: check
    /// that every inactive participant is held and every other one can pay its position, settle,
    /// and close (opening the next cycle with `openNext`). An active OPERATOR.
    function finishClose(uint64 cycleId, bool openNext) external whenNotPaused nonReentrant {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        Closing memory closing = _requireClosing(cycleId);
        uint32 pending = $.cycles[cycleId].pending;
        if (closing.presented != pending) revert NettingPendingNotPresented(cycleId, pending, closing.presented);
        Holding memory h;
        h.ps = participants(closing.seen);
        uint256 n = h.ps.length;
        (h.banks, h.net, h.funds, h.capacity) = (new address[](n), new int256[](n), new uint256[](n), new uint256[](n));
        h.member = n == 256 ? type(uint256).max : (1 << n) - 1;
        h.held = closing.held & closing.seen;
        address[] memory all = $.ledger.banks();
        for (uint256 k; k < n; ++k) _check(cycleId, h, closing.session, k, all[h.ps[k]]);
        $.cycles[cycleId + 1].pending = closing.carried;
        _finish(cycleId, h, closing.gross);
        if (openNext) _openNext(cycleId + 1);
    }

    /// @notice The close in several transactions of `cycleId`: its session, held banks, the
    /// participants seen, gross settled and batches presented and carried so far.
    function closingOf(uint64 cycleId) external view returns (Closing memory) {
        return _s().closing[cycleId];
    }

    /// @notice The position (positive: paid out) of the bank at ledger index `index` in the close
    /// session `session` of `cycleId`, over the entries presented so far that settle.
    function positionOf(uint64 cycleId, uint32 session, uint256 index) external view returns (int256) {
        return _s().positions[cycleId][session][index];
    }

    /// @dev Open the next cycle (NettingEngine._open).
    function _openNext(uint64 cycleId) internal virtual;

    /// @dev What one step accumulates in memory.
    struct Step {
        uint256 held;
        uint32 session;
        uint32 previousSession;
        uint256 touched;
        uint256 gross;
        uint32 presented;
        uint32 carried;
        int256[256] delta;
        address[] holders; // the ledger's current holder of each index (0: released, not reused)
    }

    /// @dev Admit one presented batch to the session, add its settling entries to the step, carry
    /// what of it waits.
    function _stepBatch(uint64 cycleId, Declaration memory d, BankIndex.Table memory banks, Step memory step) private {
        EngineStorage storage $ = _s();
        (bytes32 batchId, uint256 live, bool wasPending) = _admit(cycleId, d, banks, step.previousSession);
        if (!wasPending) {
            // A fresh batch becomes pending in the cycle, so that a restarted close presents it again.
            $.pending[cycleId][batchId] = live;
            Cycle storage cycle = $.cycles[cycleId];
            cycle.pending += 1;
            cycle.batchCount += 1;
        }
        if ($.presentedIn[cycleId][batchId] == step.session) revert NettingBatchRepeated(batchId);
        $.presentedIn[cycleId][batchId] = step.session;
        ++step.presented;
        uint256 debtor = _holderIndex(banks, step.holders, d.bank);
        step.touched |= 1 << debtor;
        uint256 held = step.held;
        for (uint256 k; k < d.counterparties.length; ++k) {
            uint256 c = banks.indexOf(d.counterparties[k]);
            if (live & (1 << c) == 0) continue;
            _holderIndex(banks, step.holders, d.counterparties[k]);
            step.touched |= 1 << c;
            if (held & ((1 << debtor) | (1 << c)) != 0) continue;
            uint256 amount = d.totals[k];
            step.delta[debtor] -= int256(amount);
            step.delta[c] += int256(amount);
            step.gross += amount;
        }
        if (_carryBatch(cycleId, step.session, batchId, debtor, live, held)) ++step.carried;
    }

    /// @dev `bank`'s ledger index, refusing a released bank whose index has a new holder (positions
    /// are kept by index, and the finish pays the index's holder).
    function _holderIndex(
        BankIndex.Table memory banks,
        address[] memory holders,
        address bank
    ) private view returns (uint256 index) {
        index = banks.indexOf(bank);
        address holder = holders[index];
        // A released bank (no holder yet, or a new one) cannot be told apart from the index's next
        // holder at the finish: its pending batches are written off first (writeOff).
        if (holder != bank) revert NettingIndexReused(index, bank, holder);
    }

    /// @dev Check the participant at position `k` at the finish and fill its line of `h`: an
    /// inactive one must be held; one not held must be able to pay its position (funds plus unused
    /// credit).
    function _check(uint64 cycleId, Holding memory h, uint32 session, uint256 k, address bank) private view {
        uint256 i = h.ps[k];
        h.banks[k] = bank;
        (bool inactive, uint128 single, uint128 daily) = _screen(bank);
        bool isHeld = h.held & (1 << i) != 0;
        if (inactive) {
            if (!isHeld) revert NettingMustHold(cycleId, bank);
            h.inactive |= 1 << i;
            return;
        }
        int256 position = _s().positions[cycleId][session][i];
        if (isHeld || position < 0) {
            h.funds[k] = _funds(bank, single, daily);
            h.capacity[k] = h.funds[k] + _unused(bank);
        }
        if (isHeld) return;
        h.net[k] = position;
        if (position < 0 && uint256(-position) > h.capacity[k]) {
            revert NettingNotCovered(cycleId, bank, uint256(-position), h.capacity[k]);
        }
    }

    function _requireClosing(uint64 cycleId) private view returns (Closing storage) {
        EngineStorage storage $ = _s();
        if (cycleId != $.current || $.cycles[cycleId].status != CycleStatus.Closing) revert NettingNotClosing(cycleId);
        return $.closing[cycleId];
    }

    function _lowest(uint256 mask) private pure returns (uint256) {
        return CloseBook.lowest(mask);
    }
}
