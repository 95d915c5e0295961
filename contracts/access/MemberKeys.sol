// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {IMemberKeys} from "./IMemberKeys.sol";
import {IMemberAccountFactory} from "./IMemberAccountFactory.sol";

/// @title MemberKeys — the registry's part that binds signing keys to member accounts
/// @notice See {IMemberKeys}. The binding is what the chain's permissioning reads; the account
/// contract (`MemberAccount`) keeps each key's roles and calls `bindKey` / `unbindKey` as its keys
/// are authorized and revoked. Only accounts the governed account factory created bind keys.
/// @dev In its own ERC-7201 namespace, so the registry's other storage is untouched. The registry
/// supplies which addresses can't be keys through the hook at the end.
abstract contract MemberKeys is IMemberKeys, Ownable2StepUpgradeable {
    /// @custom:storage-location erc7201:clearhouse.storage.MemberKeys
    struct MemberKeysStorage {
        mapping(address key => address account) accountOf;
        address accountFactory;
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.MemberKeys")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant MEMBER_KEYS_SLOT = 0x3f91372e966ec8f595a5e97cd5af7afc3b0900f9e2c2fdc39d7369fce13ac600;

    function _k() private pure returns (MemberKeysStorage storage $) {
        assembly {
            $.slot := MEMBER_KEYS_SLOT
        }
    }

    /// @inheritdoc IMemberKeys
    function bindKey(address key) external {
        MemberKeysStorage storage $ = _k();
        IMemberAccountFactory factory = IMemberAccountFactory($.accountFactory);
        if (address(factory) == address(0) || !factory.isAccount(msg.sender))
            revert RegistryNotMemberAccount(msg.sender);
        if (
            key == address(0) ||
            key == msg.sender ||
            key == owner() ||
            key == pendingOwner() ||
            _isUnusableKey(key) ||
            factory.isAccount(key)
        ) revert RegistryKeyUnusable(key);
        address bound = $.accountOf[key];
        if (bound != address(0)) revert RegistryKeyBound(key, bound);
        $.accountOf[key] = msg.sender;
        emit KeyBound(msg.sender, key);
    }

    /// @inheritdoc IMemberKeys
    function unbindKey(address key) external {
        MemberKeysStorage storage $ = _k();
        address account = $.accountOf[key];
        if (account == address(0)) revert RegistryKeyNotBound(key);
        if (msg.sender != account) revert RegistryNotKeyAccount(msg.sender, key, account);
        delete $.accountOf[key];
        emit KeyUnbound(account, key, msg.sender);
    }

    /// @inheritdoc IMemberKeys
    function setAccountFactory(address factory) external onlyOwner {
        _k().accountFactory = factory;
        emit AccountFactorySet(factory);
    }

    /// @inheritdoc IMemberKeys
    function accountFactory() external view returns (address) {
        return _k().accountFactory;
    }

    /// @inheritdoc IMemberKeys
    function signingAccountOf(address key) external view returns (address) {
        return _isSanctionedKey(key) ? address(0) : _k().accountOf[key];
    }

    /// @inheritdoc IMemberKeys
    function accountOfKey(address key) external view returns (address) {
        return _k().accountOf[key];
    }

    /// @dev The account `key` is bound to (zero if none).
    function _keyAccount(address key) internal view returns (address) {
        return _k().accountOf[key];
    }

    /// @dev Whether `key` has a member or wallet record (any status: an identity, never a key) or
    /// is sanctioned.
    function _isUnusableKey(address key) internal view virtual returns (bool);

    /// @dev Whether `key` is on the sanctions list.
    function _isSanctionedKey(address key) internal view virtual returns (bool);
}
