// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title AcceptAllVerifier — test only: a "verifier" that accepts every proof (a registry entry
/// whose recorded vkHash is the committed key's but whose code does not check it).
contract AcceptAllVerifier {
    fallback(bytes calldata) external returns (bytes memory) {
        return abi.encode(true);
    }
}
