// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumMultisig} from "./IConsortiumMultisig.sol";
import {MultisigStorage} from "./MultisigStorage.sol";

/// @title TimelockPolicy — how long each kind of call waits after reaching its threshold
/// @notice delay(target, data) = max(global minimum, the configured delay of (target, selector) if
/// set, else the sensitive default for sensitive selectors, else the minimum); a call that grants
/// the OPERATOR role (`admitMember`/`setRoles` whose roles argument has the OPERATOR bit) waits at
/// least the sensitive default whatever the configured delay (decision 020).
/// @dev Sensitive selectors, on any target: upgrades, ownership, and the wiring setters that are as
/// powerful as an upgrade (who may net batches, settle net positions, verify proofs, spend
/// nullifiers, mint beyond the ceiling or set it, which factory's accounts bind keys); giving a key
/// to a member account (`authorizeKey`, `resetKeys`: governance taking a member's identity); on
/// the multisig itself, signer and policy changes. Revoking a key (`revokeKey`) is not sensitive.
abstract contract TimelockPolicy is MultisigStorage {
    uint32 internal constant MAX_DELAY = 30 days;
    bytes4 private constant UPGRADE_TO_AND_CALL = 0x4f1ef286; // upgradeToAndCall(address,bytes)
    bytes4 private constant TRANSFER_OWNERSHIP = 0xf2fde38b; // transferOwnership(address)
    bytes4 private constant RENOUNCE_OWNERSHIP = 0x715018a6; // renounceOwnership()
    bytes4 private constant UPGRADE_TO = 0x3659cfe6; // upgradeTo(address), pre-OpenZeppelin-5 UUPS
    bytes4 private constant SET_NETTING_ENGINE = 0xe72851b1; // SettlementLedger.setNettingEngine(address)
    bytes4 private constant SET_CLEARING_ENGINE = 0x32fc81cc; // SettlementToken.setClearingEngine(address)
    bytes4 private constant SET_VERIFIER_REGISTRY = 0x6e485c17; // NettingEngine/ConditionalEscrow.setVerifierRegistry(address)
    bytes4 private constant SET_CONSUMER = 0x02c9ef45; // VerifierRegistry.setConsumer(address,bool)
    bytes4 private constant REGISTER_CIRCUIT = 0xaacca7be; // VerifierRegistry.registerCircuit(bytes32,address,uint8,bytes32,bytes32)
    bytes4 private constant REPLACE_CIRCUIT = 0xc75dccc4; // VerifierRegistry.replaceCircuit(bytes32,address,uint8,bytes32,bytes32)
    bytes4 private constant SET_ISSUANCE_CEILING = 0x0f38dcb5; // SettlementToken.setIssuanceCeiling(uint256)
    bytes4 private constant MINT_BEYOND_CEILING = 0xe315acbd; // SettlementToken.mintBeyondCeiling(address,uint256)
    bytes4 private constant ADMIT_MEMBER = 0x6b2571ca; // ConsortiumRegistry.admitMember(address,uint8,bytes32,string,uint128,uint128)
    bytes4 private constant SET_ROLES = 0x60e8bbc2; // ConsortiumRegistry.setRoles(address,uint8)
    bytes4 private constant AUTHORIZE_KEY = 0xa4f11a81; // MemberAccount.authorizeKey(address,uint8)
    bytes4 private constant RESET_KEYS = 0xc394d372; // MemberAccount.resetKeys(address,uint8)
    bytes4 private constant SET_ACCOUNT_FACTORY = 0xaddc1a76; // ConsortiumRegistry.setAccountFactory(address)
    uint256 private constant OPERATOR_ROLE = 1; // Roles.OPERATOR

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
        return _selectorDelay(target, selector, _config);
    }

    /// @inheritdoc IConsortiumMultisig
    function delayOfCall(address target, bytes calldata data) external view returns (uint32) {
        return _delayOf(target, data, _config);
    }

    /// @inheritdoc IConsortiumMultisig
    function defaultDelays() external view returns (uint32 minDelay, uint32 sensitiveDelay) {
        return (_config.minDelay, _config.sensitiveDelay);
    }

    /// @dev The delay a proposal calling `target` with `data` waits: its selector's delay, raised
    /// to the sensitive default when the call grants OPERATOR.
    function _delayOf(address target, bytes calldata data, Config memory c) internal view returns (uint32 delay) {
        bytes4 selector = _selector(data);
        delay = _selectorDelay(target, selector, c);
        if (delay < c.sensitiveDelay && _grantsOperator(selector, data)) delay = c.sensitiveDelay;
    }

    function _selectorDelay(address target, bytes4 selector, Config memory c) private view returns (uint32 delay) {
        uint32 stored = _delays[_key(target, selector)];
        if (stored != 0) delay = stored - 1;
        else delay = _isSensitive(target, selector) ? c.sensitiveDelay : c.minDelay;
        if (delay < c.minDelay) delay = c.minDelay;
    }

    /// @dev `admitMember(account, roles, …)` and `setRoles(account, roles)` carry the roles as
    /// their second word. Calldata too short to hold it counts as a grant: such a call reverts on
    /// decoding anyway, and the cautious reading cannot shorten any delay.
    function _grantsOperator(bytes4 selector, bytes calldata data) private pure returns (bool) {
        if (selector != ADMIT_MEMBER && selector != SET_ROLES) return false;
        if (data.length < 68) return true;
        return uint256(bytes32(data[36:68])) & OPERATOR_ROLE != 0;
    }

    function _isSensitive(address target, bytes4 selector) private view returns (bool) {
        if (
            selector == UPGRADE_TO_AND_CALL ||
            selector == UPGRADE_TO ||
            selector == TRANSFER_OWNERSHIP ||
            selector == RENOUNCE_OWNERSHIP ||
            selector == SET_NETTING_ENGINE ||
            selector == SET_CLEARING_ENGINE ||
            selector == SET_VERIFIER_REGISTRY ||
            selector == SET_CONSUMER ||
            selector == REGISTER_CIRCUIT ||
            selector == REPLACE_CIRCUIT ||
            selector == SET_ISSUANCE_CEILING ||
            selector == MINT_BEYOND_CEILING ||
            selector == AUTHORIZE_KEY ||
            selector == RESET_KEYS ||
            selector == SET_ACCOUNT_FACTORY
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

    function _selector(bytes calldata data) internal pure returns (bytes4) {
        return data.length >= 4 ? bytes4(data[:4]) : bytes4(0);
    }
}
