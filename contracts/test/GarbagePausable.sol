// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title GarbagePausable — test-only pausable whose `paused()` answer is malformed
/// @notice In `Overlong` mode `paused()` answers 64 bytes (two `true` words) instead of one bool;
/// in `Reverts` mode it reverts with `GarbagePausableRefused()`. `pause()` only counts its calls,
/// so a test can check that the multisig's guardian never reached it.
contract GarbagePausable {
    /// @notice How `paused()` misbehaves.
    enum Mode {
        Overlong,
        Reverts
    }

    /// @notice This instance's misbehaviour.
    Mode public immutable mode;
    /// @notice How many times `pause()` was called.
    uint256 public pauseCalls;

    /// @notice Raised by `paused()` in `Reverts` mode.
    error GarbagePausableRefused();

    /// @param mode_ how `paused()` misbehaves
    constructor(Mode mode_) {
        mode = mode_;
    }

    /// @notice Count the call (and pause nothing).
    function pause() external {
        ++pauseCalls;
    }

    /// @notice A malformed answer: two words in `Overlong` mode, a revert in `Reverts` mode.
    /// @return first always true
    /// @return second always true
    function paused() external view returns (bool first, bool second) {
        if (mode == Mode.Reverts) revert GarbagePausableRefused();
        return (true, true);
    }
}
