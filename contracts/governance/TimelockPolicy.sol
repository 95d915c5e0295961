// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumMultisig} from "./IConsortiumMultisig.sol";
import {MultisigStorage} from "./MultisigStorage.sol";

/// @title TimelockPolicy — how long each kind of call waits after reaching its threshold
/// @notice delay(target, selector) = max(global minimum, the configured delay if set, else the
/// sensitive default for upgrades / ownership / signer and policy changes, else the minimum).
abstract contract TimelockPolicy is MultisigStorage {
    uint32 internal constant MAX_DELAY = 30 days;
    bytes4 private constant UPGRADE_TO_AND_CALL = 0x4f1ef286; // upgradeToAndCall(address,bytes)
    bytes4 private constant TRANSFER_OWNERSHIP = 0xf2fde38b; // transferOwnership(address)
    bytes4 private constant RENOUNCE_OWNERSHIP = 0x715018a6; // renounceOwnership()
    bytes4 private constant UPGRADE_TO = 0x3659cfe6; // upgradeTo(address), pre-OpenZeppelin-5 UUPS

    function _initDelays(uint32 minDelay, uint32 sensitiveDelay) internal {
        _setDefaults(minDelay, sensitiveDelay);
    }

    /// @inheritdoc IConsortiumMultisig
    function setDelay(address target, bytes4 selector, uint32 delay, bool isSet) external onlySelf {
        _checkDelay(delay);
        _delays[_key(target, selector)] = isSet ? delay + 1 : 0;
        emit DelaySet(target, selector, isSet ? delay : 0, isSet);
    }

    /// @inheritdoc IConsortiumMultisig
    function setDefaultDelays(uint32 minDelay, uint32 sensitiveDelay) external onlySelf {
        _setDefaults(minDelay, sensitiveDelay);
    }

    /// @inheritdoc IConsortiumMultisig
    function delayOf(address target, bytes4 selector) external view returns (uint32) {
        return _delayOf(target, selector, _config);
    }

    /// @inheritdoc IConsortiumMultisig
    function defaultDelays() external view returns (uint32 minDelay, uint32 sensitiveDelay) {
        return (_config.minDelay, _config.sensitiveDelay);
    }

    function _delayOf(address target, bytes4 selector, Config memory c) internal view returns (uint32 delay) {
        uint32 stored = _delays[_key(target, selector)];
        if (stored != 0) delay = stored - 1;
        else delay = _isSensitive(target, selector) ? c.sensitiveDelay : c.minDelay;
        if (delay < c.minDelay) delay = c.minDelay;
    }

    function _isSensitive(address target, bytes4 selector) private view returns (bool) {
        if (
            selector == UPGRADE_TO_AND_CALL ||
            selector == UPGRADE_TO ||
            selector == TRANSFER_OWNERSHIP ||
            selector == RENOUNCE_OWNERSHIP
        ) return true;
        if (target != address(this)) return false;
        return
            selector == this.addSigner.selector ||
            selector == this.removeSigner.selector ||
            selector == this.rotateSigner.selector ||
            selector == this.changeThreshold.selector ||
            selector == this.setDelay.selector ||
            selector == this.setDefaultDelays.selector ||
            selector == this.setGuardian.selector ||
            selector == this.setPausables.selector;
    }

    function _setDefaults(uint32 minDelay, uint32 sensitiveDelay) private {
        _checkDelay(minDelay);
        _checkDelay(sensitiveDelay);
        _config.minDelay = minDelay;
        _config.sensitiveDelay = sensitiveDelay;
        emit DefaultDelaysSet(minDelay, sensitiveDelay);
    }

    function _checkDelay(uint32 delay) private pure {
        if (delay > MAX_DELAY) revert MultisigInvalidDelay(delay, MAX_DELAY);
    }

    function _key(address target, bytes4 selector) private pure returns (uint256) {
        return (uint256(uint160(target)) << 32) | uint256(uint32(selector));
    }
}
