// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IMemberKeys — the registry's record of which signing key acts for which account
/// @notice A member account (a `MemberAccount` contract) is the member's identity; the keys that
/// sign its transactions are bound to it here, so the chain's permissioning (`check`,
/// `transactionAllowed`) lets a bound key send transactions with its account's standing: a key
/// of an active member passes, a key of a suspended, removed or sanctioned member does not, and a
/// key that is not bound (never, or no longer) is refused like any stranger.
interface IMemberKeys {
    /// @notice `key` now signs for `account`.
    event KeyBound(address indexed account, address indexed key);
    /// @notice `key` no longer signs for `account` (its account unbound it).
    event KeyUnbound(address indexed account, address indexed key, address indexed by);
    /// @notice Keys may now be bound only by accounts `factory` created.
    event AccountFactorySet(address indexed factory);

    /// @notice The key is already bound (to `account`).
    error RegistryKeyBound(address key, address account);
    /// @notice The key is not bound to any account.
    error RegistryKeyNotBound(address key);
    /// @notice The key can't be bound: zero, the caller itself, governance or its pending owner, a
    /// member, a wallet, a sanctioned address, or a member account.
    error RegistryKeyUnusable(address key);
    /// @notice Only the key's account may unbind it (governance revokes through the account).
    error RegistryNotKeyAccount(address caller, address key, address account);
    /// @notice Only a member account the registry's account factory created may bind keys.
    error RegistryNotMemberAccount(address caller);
    /// @notice The address is a key bound to `account`: it can't also be admitted or opened.
    error RegistryAddressIsKey(address key, address account);

    /// @notice Bind `key` to the caller, a member account the account factory created (its
    /// `authorizeKey` calls this). Refused: a caller that is no such account
    /// (RegistryNotMemberAccount); the zero address, the caller, governance and its pending owner,
    /// an address with a member or wallet record, a sanctioned address and another member account
    /// (RegistryKeyUnusable); a key bound already (RegistryKeyBound).
    /// @param key the address that will sign the account's transactions (an EOA, an HSM key, or an
    /// ERC-1271 contract such as an SM2Signer for offline signatures)
    function bindKey(address key) external;

    /// @notice Unbind `key`: from then on the chain refuses its transactions. Only its account may
    /// (`revokeKey` calls this, also while the registry is paused); governance revokes a key
    /// through the account (`revokeKey`, `resetKeys`), so the account's key list stays the truth.
    /// @param key a bound key
    function unbindKey(address key) external;

    /// @notice Let accounts `factory` created bind keys (governance; a sensitive change).
    /// @param factory the MemberAccountFactory
    function setAccountFactory(address factory) external;

    /// @notice The factory whose accounts may bind keys (zero: none may).
    /// @return factory its address
    function accountFactory() external view returns (address factory);

    /// @notice The account `key` signs for if it may sign now: bound and not sanctioned; else zero.
    /// @param key any address
    /// @return account its account, or zero
    function signingAccountOf(address key) external view returns (address account);

    /// @notice The account `key` signs for, the zero address when it is not bound.
    /// @param key any address
    /// @return account its account
    function accountOfKey(address key) external view returns (address account);
}
