// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {BeaconProxy} from "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {MemberAccount} from "./MemberAccount.sol";

/// @title MemberAccountFactory — deploys member accounts behind one upgrade beacon
/// @notice Anyone the chain lets send may create an account; it gains nothing until governance
/// admits its address in the registry. The registry binds signing keys only for accounts this
/// factory created (`isAccount`), so no other contract or address can widen who may send. The address is deterministic (CREATE2 over the first key,
/// its roles and a salt), so a deployment file can name an account before it exists.
/// @custom:security-contact security@clearhouse.example
contract MemberAccountFactory {
    /// @notice The beacon every account created here follows (its owner is governance).
    address public immutable BEACON;
    /// @notice The registry every account created here binds its keys in.
    address public immutable REGISTRY;

    mapping(address account => bool) private _isAccount;

    /// @notice An account was created with its first key.
    event MemberAccountCreated(address indexed account, address indexed firstKey, uint8 roles, bytes32 salt);

    /// @notice A constructor argument is the zero address.
    error MemberAccountFactoryZeroAddress();

    /// @param beacon the `UpgradeableBeacon` pointing at the `MemberAccount` implementation
    /// @param registry the consortium registry
    constructor(address beacon, address registry) {
        if (beacon == address(0) || registry == address(0)) revert MemberAccountFactoryZeroAddress();
        BEACON = beacon;
        REGISTRY = registry;
    }

    /// @notice Create an account whose first key is `firstKey` with `roles` (OPERATE included).
    /// @param firstKey the first key
    /// @param roles its roles
    /// @param salt any value; with the key and roles it fixes the address
    /// @return account the new account
    function createAccount(address firstKey, uint8 roles, bytes32 salt) external returns (address account) {
        // Recorded before it exists: its initializer binds its first key in the registry, which
        // asks this factory whether the caller is one of its accounts.
        address predicted = accountAddress(firstKey, roles, salt);
        _isAccount[predicted] = true;
        account = address(new BeaconProxy{salt: salt}(BEACON, _init(firstKey, roles)));
        emit MemberAccountCreated(account, firstKey, roles, salt);
    }

    /// @notice Whether this factory created `account` (the registry binds keys only for these).
    /// @param account any address
    /// @return created true for an account `createAccount` deployed
    function isAccount(address account) external view returns (bool) {
        return _isAccount[account];
    }

    /// @notice The address `createAccount(firstKey, roles, salt)` deploys to.
    /// @param firstKey the first key
    /// @param roles its roles
    /// @param salt the salt
    /// @return account the address
    function accountAddress(address firstKey, uint8 roles, bytes32 salt) public view returns (address) {
        bytes memory code = abi.encodePacked(
            type(BeaconProxy).creationCode,
            abi.encode(BEACON, _init(firstKey, roles))
        );
        return Create2.computeAddress(salt, keccak256(code));
    }

    function _init(address firstKey, uint8 roles) private view returns (bytes memory) {
        return abi.encodeCall(MemberAccount.initialize, (REGISTRY, firstKey, roles));
    }
}
