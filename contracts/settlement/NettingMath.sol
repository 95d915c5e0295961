// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title NettingMath — multilateral netting and the gridlock rule, as pure functions
/// @notice `owe[i][j]` is what participant i owes participant j in the cycle.
library NettingMath {
    /// @notice Net position of every participant over the obligations of non-deferred debtors:
    /// positive = net creditor (is paid out), negative = net debtor (pays in). Sums to zero.
    function netPositions(uint256[][] memory owe, bool[] memory deferred) internal pure returns (int256[] memory net) {
        uint256 n = owe.length;
        net = new int256[](n);
        for (uint256 i; i < n; ++i) {
            if (deferred[i]) continue;
            for (uint256 j; j < n; ++j) {
                uint256 amount = owe[i][j];
                if (amount == 0) continue;
                net[i] -= int256(amount);
                net[j] += int256(amount);
            }
        }
    }

    /// @notice One round of the gridlock rule (decision 009): the net debtor whose position exceeds
    /// its capacity (balance it can pay in plus unused credit) by the most, the lowest index on a
    /// tie, or `net.length` if every debtor is covered. Only the capacities of net debtors are read.
    /// The rule defers every outgoing obligation of that debtor and nets again until this returns
    /// `net.length`; it ends, as each round defers one more participant (NettingEngine._resolve).
    function worstShortfall(int256[] memory net, uint256[] memory capacity) internal pure returns (uint256 worst) {
        uint256 n = net.length;
        worst = n;
        uint256 most;
        for (uint256 i; i < n; ++i) {
            if (net[i] >= 0) continue;
            uint256 need = uint256(-net[i]);
            if (need <= capacity[i]) continue;
            if (need - capacity[i] > most) {
                most = need - capacity[i];
                worst = i;
            }
        }
    }

    /// @notice Sum of the obligations of non-deferred debtors: the gross value a cycle settles.
    function grossOf(uint256[][] memory owe, bool[] memory deferred) internal pure returns (uint256 gross) {
        for (uint256 i; i < owe.length; ++i) {
            if (deferred[i]) continue;
            for (uint256 j; j < owe.length; ++j) gross += owe[i][j];
        }
    }
}
