// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title ReentrantTarget — test-only call target of multisig proposals
/// @notice Counts the calls it receives and the value they carry, refuses on demand, and can be
/// armed to call back into another contract (e.g. the multisig) from inside `poke`.
contract ReentrantTarget {
    /// @notice How many times `poke` ran.
    uint256 public pokes;
    /// @notice Where `poke` calls back to (zero: it does not).
    address public reentryTarget;
    /// @notice The calldata of the call back.
    bytes public reentryData;

    /// @notice `poke` ran: its caller, the value it carried, and the call count so far.
    event Poked(address indexed caller, uint256 value, uint256 pokes);

    /// @notice Raised by `refuse`.
    error TargetRefused(uint256 code);

    /// @notice Make `poke` call `target` with `data` (a zero `target` disarms).
    /// @param target the contract to call back
    /// @param data the calldata of the call back
    function arm(address target, bytes calldata data) external {
        reentryTarget = target;
        reentryData = data;
    }

    /// @notice Count the call; when armed, make the call back, bubbling up its revert data verbatim.
    function poke() external payable {
        uint256 count = ++pokes;
        emit Poked(msg.sender, msg.value, count);
        address target = reentryTarget;
        if (target != address(0)) Address.functionCall(target, reentryData);
    }

    /// @notice Always revert with `TargetRefused(code)`.
    /// @param code echoed in the error
    function refuse(uint256 code) external pure {
        revert TargetRefused(code);
    }
}
