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
    /// @notice The guardian could not pause `target`; the others were still paused.
    event EmergencyPauseFailed(address indexed target, bytes reason);

    /// @inheritdoc IConsortiumMultisig
    function pauseAll() external {
        if (msg.sender != _guardian) revert MultisigNotGuardian(msg.sender);
        uint256 count = _pausables.length;
        for (uint256 i; i < count; ++i) {
            IPausableContract target = IPausableContract(_pausables[i]);
            // An emergency pauses as much as it can: one failing contract must not stop the rest.
            try target.paused() returns (bool alreadyPaused) {
                if (alreadyPaused) {
                    emit EmergencyPaused(address(target), true);
                    continue;
                }
            } catch (bytes memory reason) {
                emit EmergencyPauseFailed(address(target), reason);
                continue;
            }
            try target.pause() {
                emit EmergencyPaused(address(target), false);
            } catch (bytes memory reason) {
                emit EmergencyPauseFailed(address(target), reason);
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
        _pausables = targets;
        emit PausablesSet(targets);
    }

    /// @inheritdoc IConsortiumMultisig
    function guardian() external view returns (address, address[] memory pausables) {
        return (_guardian, _pausables);
    }
}
