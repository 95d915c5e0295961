// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IMemberAccountFactory — what the registry asks the member account factory
interface IMemberAccountFactory {
    /// @notice Whether the factory created `account`.
    /// @param account any address
    /// @return created true for one of its accounts
    function isAccount(address account) external view returns (bool created);
}
