// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumMultisig} from "./IConsortiumMultisig.sol";
import {MultisigStorage} from "./MultisigStorage.sol";

/// @notice What the guardian needs of a governed contract.
interface IPausableContract {
    function pause() external;
    function paused() external view returns (bool);
}

/// @title GuardianManager — the emergency brake
/// @notice A guardian (set by governance) pauses every governed contract at once; the multisig is
/// their owner, so the pause is done as owner. Only a proposal can unpause or replace the guardian.
abstract contract GuardianManager is MultisigStorage {
    /// @inheritdoc IConsortiumMultisig
    function pauseAll() external {
        if (msg.sender != _guardian) revert MultisigNotGuardian(msg.sender);
        uint256 count = _pausables.length;
        for (uint256 i; i < count; ++i) {
            address target = _pausables[i];
            // An emergency pauses as much as it can: one failing contract must not stop the rest,
            // so `paused()` is read with a raw call and its answer checked by hand (a target that
            // lost its code, or answers garbage, must not revert the loop).
            (bool ok, bytes memory answer) = target.staticcall(abi.encodeCall(IPausableContract.paused, ()));
            uint256 flag = ok && answer.length == 32 ? abi.decode(answer, (uint256)) : 2;
            if (flag > 1) {
                emit EmergencyPauseFailed(target, answer);
                continue;
            }
            if (flag == 1) {
                emit EmergencyPaused(target, true);
                continue;
            }
            try IPausableContract(target).pause() {
                emit EmergencyPaused(target, false);
            } catch (bytes memory reason) {
                emit EmergencyPauseFailed(target, reason);
            }
        }
    }

    /// @inheritdoc IConsortiumMultisig
    function setGuardian(address guardian_) external onlySelf {
        emit GuardianChanged(_guardian, guardian_);
        _guardian = guardian_;
    }

    /// @inheritdoc IConsortiumMultisig
    function setPausables(address[] calldata targets) external onlySelf {
        _setPausables(targets);
    }

    function _setPausables(address[] memory targets) internal {
        for (uint256 i; i < targets.length; ++i) {
            if (targets[i].code.length == 0) revert MultisigNotAContract(targets[i]);
        }
        _pausables = targets;
        emit PausablesSet(targets);
    }

    /// @inheritdoc IConsortiumMultisig
    function guardian() external view returns (address, address[] memory pausables) {
        return (_guardian, _pausables);
    }
}
