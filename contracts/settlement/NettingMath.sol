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

    /// @notice Gridlock resolution. While some net debtor's position exceeds its `capacity`
    /// (balance it can pay in plus unused credit), defer every outgoing obligation of the debtor
    /// with the largest shortfall (the lowest index on a tie) and net again. Deterministic, and it
    /// ends: each round defers one more participant, and with no debtor left nothing is short.
    /// @param deferred in: participants already deferred (e.g. inactive); out: all deferred ones
    /// @return net the net positions of what settles
    function resolve(
        uint256[][] memory owe,
        uint256[] memory capacity,
        bool[] memory deferred
    ) internal pure returns (int256[] memory net) {
        while (true) {
            net = netPositions(owe, deferred);
            uint256 worst = worstShortfall(net, capacity);
            if (worst == net.length) return net;
            deferred[worst] = true;
        }
    }

    /// @notice One round of the gridlock rule: the net debtor whose position exceeds its capacity
    /// by the most (the lowest index on a tie), or `net.length` if every debtor is covered. Only
    /// the capacities of net debtors are read.
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
