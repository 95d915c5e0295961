// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IWalletDirectory — the part of the registry the offline vault reads about wallets
/// @notice ABI-compatible with `IConsortiumRegistry.walletOf` (status 1 = Open).
interface IWalletDirectory {
    /// @notice A wallet as the registry reports it.
    struct WalletView {
        uint8 status;
        uint8 tier;
        address bank;
        uint64 since;
    }

    /// @notice The wallet's record (status 0 if never opened).
    function walletOf(address wallet) external view returns (WalletView memory);
}
