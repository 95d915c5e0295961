// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {BabyJubjub} from "../zk/BabyJubjub.sol";

/// @title BabyJubjubHarness — test-only: exposes the BabyJubjub library's checks, and their gas
contract BabyJubjubHarness {
    /// @notice BabyJubjub.isOnCurve.
    function isOnCurve(uint256 x, uint256 y) external pure returns (bool) {
        return BabyJubjub.isOnCurve(x, y);
    }

    /// @notice BabyJubjub.inPrimeSubgroup.
    function inPrimeSubgroup(uint256 x, uint256 y) external pure returns (bool) {
        return BabyJubjub.inPrimeSubgroup(x, y);
    }

    /// @notice The gas each check takes, measured inside the call (no calldata or call overhead).
    function gasOf(uint256 x, uint256 y) external view returns (uint256 onCurveGas, uint256 subgroupGas) {
        uint256 before = gasleft();
        BabyJubjub.isOnCurve(x, y);
        onCurveGas = before - gasleft();
        before = gasleft();
        BabyJubjub.inPrimeSubgroup(x, y);
        subgroupGas = before - gasleft();
    }
}
