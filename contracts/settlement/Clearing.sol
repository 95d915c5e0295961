// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementToken} from "../token/ISettlementToken.sol";
import {CreditFacility} from "./CreditFacility.sol";

/// @title Clearing — how a cycle's close moves money: each bank's capacity to pay in, credit draws,
/// and one `SettlementToken.settleNet` call for all net positions
abstract contract Clearing is CreditFacility {
    /// @dev Whether `bank` cannot move money now (suspended, removed, sanctioned, not a bank) and,
    /// if it can, its single-transfer and daily outflow limits.
    function _screen(address bank) internal view returns (bool inactive, uint128 single, uint128 daily) {
        try _s().registry.requireActive(bank, Roles.MEMBER_BANK) returns (uint8, uint128 single_, uint128 daily_) {
            return (false, single_, daily_);
        } catch {
            return (true, 0, 0);
        }
    }

    /// @dev What an active `bank` can pay in from its balance now: the least of its balance, its
    /// allowance to the engine, its single-transfer limit and what is left of its daily outflow limit.
    function _funds(address bank, uint128 single, uint128 daily) internal view returns (uint256 funds) {
        (uint256 balance, uint256 allowance, uint256 spent) = ISettlementToken(address(_s().token)).fundsOf(
            bank,
            address(this)
        );
        funds = Math.min(Math.min(balance, allowance), single);
        funds = Math.min(funds, daily > spent ? daily - spent : 0);
    }

    /// @dev Emit the net positions (the record of a close; not stored), draw credit where a debtor's
    /// funds fall short, and move the money in one `SettlementToken.settleNet` call (debtors pay in,
    /// creditors are paid out, the pool's change is the credit drawn).
    function _settle(
        uint64 cycleId,
        address[] memory ps,
        int256[] memory net,
        uint256[] memory funds
    ) internal returns (uint256 netSettled) {
        EngineStorage storage $ = _s();
        uint256 n = ps.length;
        address[] memory accounts = new address[](n + 1);
        int256[] memory deltas = new int256[](n + 1);
        uint256 drawn;
        uint256 moves;
        for (uint256 i; i < n; ++i) {
            int256 position = net[i];
            if (position > 0) {
                (accounts[moves], deltas[moves]) = (ps[i], position);
                ++moves;
                emit NetPosition(cycleId, ps[i], position, 0, 0);
                continue;
            }
            if (position == 0) {
                emit NetPosition(cycleId, ps[i], 0, 0, 0);
                continue;
            }
            (uint256 fromBalance, uint256 fromCredit) = _payIn(cycleId, ps[i], position, funds[i]);
            if (fromBalance != 0) {
                (accounts[moves], deltas[moves]) = (ps[i], -int256(fromBalance));
                ++moves;
            }
            drawn += fromCredit;
            netSettled += fromBalance + fromCredit;
        }
        if (moves == 0) return netSettled;
        if (drawn != 0) {
            (accounts[moves], deltas[moves]) = (address(this), -int256(drawn));
            ++moves;
        }
        assembly ("memory-safe") {
            mstore(accounts, moves)
            mstore(deltas, moves)
        }
        ISettlementToken(address($.token)).settleNet(accounts, deltas);
    }

    /// @dev How a net debtor covers `position` (< 0): from its funds first, the rest drawn on its
    /// credit line (the gridlock rule, NettingEngine._resolve, made sure the two cover it).
    function _payIn(
        uint64 cycleId,
        address bank,
        int256 position,
        uint256 funds
    ) private returns (uint256 fromBalance, uint256 fromCredit) {
        uint256 need = uint256(-position);
        fromBalance = Math.min(need, funds);
        fromCredit = need - fromBalance;
        if (fromCredit != 0) _draw(bank, fromCredit);
        emit NetPosition(cycleId, bank, position, fromBalance, fromCredit);
    }
}
