// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title IMemberAccount — a member's identity apart from its keys
/// @notice A member account is the address the registry admits, the ledger indexes and the token
/// credits; keys sign for it. Each authorized key holds roles: SUBMIT (send transactions as the
/// member through `execute`), APPROVE (sign offline for the member: ERC-1271) and OPERATE
/// (authorize and revoke keys). Keys are added and revoked by an OPERATE key or by governance (the
/// registry's owner); a revoked key is refused from the next transaction on, by the account and
/// by the chain's permissioning (the registry unbinds it), while what it did before stays valid.
interface IMemberAccount is IERC1271 {
    /// @notice `key` now holds `roles` (it was added, or its roles changed); `by` authorized it.
    event KeyAuthorized(address indexed key, uint8 roles, address indexed by);
    /// @notice `key` is no longer authorized; `by` revoked it.
    event KeyRevoked(address indexed key, address indexed by);
    /// @notice `key` called `target` (function `selector`) as the member.
    event Executed(address indexed key, address indexed target, bytes4 selector);

    /// @notice The caller is no authorized key holding `role` (nor governance, where it may act).
    error MemberAccountUnauthorized(address caller, uint8 role);
    /// @notice Roles must be a non-empty combination of SUBMIT (1), APPROVE (2), OPERATE (4).
    error MemberAccountInvalidRoles(uint8 roles);
    /// @notice The zero address, the account itself or the registry can't be a key.
    error MemberAccountInvalidKey(address key);
    /// @notice The key is not authorized.
    error MemberAccountUnknownKey(address key);
    /// @notice The account already holds `max` keys.
    error MemberAccountTooManyKeys(uint256 max);
    /// @notice Only governance may leave the account without an OPERATE key.
    error MemberAccountLastOperator(address key);
    /// @notice `execute` can't call the account itself, one of its own keys, nor the registry's
    /// `bindKey`/`unbindKey`: key changes go through `authorizeKey` and `revokeKey` (OPERATE).
    error MemberAccountForbiddenCall(address target, bytes4 selector);
    /// @notice The registry address is zero.
    error MemberAccountZeroRegistry();

    /// @notice Call `target` with `data` as the member. Needs a key holding SUBMIT. The call's
    /// revert, if any, is passed on as it came.
    /// @param target the contract to call (not the account itself; not the registry's key binding)
    /// @param data the calldata
    /// @return result what the call returned
    function execute(address target, bytes calldata data) external returns (bytes memory result);

    /// @notice Authorize `key` with `roles`, or change an authorized key's roles. An OPERATE key or
    /// governance may call it. A new key is bound to this account in the registry.
    /// @param key the key's address (an EOA, an HSM-held key or an ERC-1271 signer such as SM2Signer)
    /// @param roles a combination of SUBMIT (1), APPROVE (2), OPERATE (4)
    function authorizeKey(address key, uint8 roles) external;

    /// @notice Revoke `key`: the account refuses it and the registry unbinds it. An OPERATE key or
    /// governance may call it; only governance may revoke the last OPERATE key.
    /// @param key an authorized key
    function revokeKey(address key) external;

    /// @notice Governance only: revoke every key and authorize `newKey` with `roles` (OPERATE
    /// required), in one call — a compromised OPERATE key can't keep control by adding keys while
    /// a revocation waits out its timelock. Sensitive in the multisig's timelock policy.
    /// @param newKey the key that takes over
    /// @param roles its roles
    function resetKeys(address newKey, uint8 roles) external;

    /// @notice The digest a key signs for this account's ERC-1271 answer about `hash`: EIP-712,
    /// domain {name "Clearhouse MemberAccount", version "1", chainId, verifyingContract: the
    /// account}, struct `AccountSignature(bytes32 hash)`.
    /// @param hash what the verifier asks about (its own EIP-712 digest)
    /// @return digest what the key signs
    function accountDigest(bytes32 hash) external view returns (bytes32 digest);

    /// @notice The roles `key` holds (0 when not authorized).
    /// @param key any address
    /// @return roles its roles
    function rolesOf(address key) external view returns (uint8 roles);

    /// @notice Every authorized key and its roles.
    /// @return keys the keys, in no particular order
    /// @return roles each key's roles
    function keys() external view returns (address[] memory keys, uint8[] memory roles);

    /// @notice The registry the account's keys are bound in; its owner is governance.
    /// @return registry the registry address
    function registry() external view returns (address registry);
}
