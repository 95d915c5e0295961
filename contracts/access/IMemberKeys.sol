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
    /// @notice `key` no longer signs for `account`; `by` is the account itself or governance.
    event KeyUnbound(address indexed account, address indexed key, address indexed by);

    /// @notice The key is already bound (to `account`).
    error RegistryKeyBound(address key, address account);
    /// @notice The key is not bound to any account.
    error RegistryKeyNotBound(address key);
    /// @notice The key can't be bound: it is a member, a wallet, governance, the caller itself or
    /// a key bound to another account acting as an account.
    error RegistryKeyUnusable(address key);
    /// @notice Only the key's account or governance may unbind it.
    error RegistryNotKeyAccount(address caller, address key, address account);
    /// @notice The address is a key bound to `account`: it can't also be admitted or opened.
    error RegistryAddressIsKey(address key, address account);

    /// @notice Bind `key` to the caller (the caller is the account the key signs for). Any address
    /// may call it; the binding gives the key only the standing of its account, so a caller that
    /// is no member gains nothing. Refused: the zero address, an address with a member or wallet
    /// record, governance or its pending owner, the caller itself, a key bound already, and a
    /// caller that is itself a bound key.
    /// @param key the externally owned address that will sign the account's transactions
    function bindKey(address key) external;

    /// @notice Unbind `key`: from then on the chain refuses its transactions. The key's account or
    /// governance (the registry's owner) may call it, while the registry is paused too.
    /// @param key a bound key
    function unbindKey(address key) external;

    /// @notice The account `key` signs for, the zero address when it is not bound.
    /// @param key any address
    /// @return account its account
    function accountOfKey(address key) external view returns (address account);
}
