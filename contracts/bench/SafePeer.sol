// SPDX-License-Identifier: LGPL-3.0-only
pragma solidity 0.7.6;

// Benchmark peer only: brings Safe 1.4.1 and its proxy factory into the Hardhat build, compiled
// with Safe's own settings (solc 0.7.6, optimizer 200 runs — see hardhat.config.ts). Nothing in
// Clearhouse depends on it; bench/multisig deploys it as Safe's users do.
import {Safe} from "@safe-global/safe-contracts/contracts/Safe.sol";
import {SafeProxyFactory} from "@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol";
import {CompatibilityFallbackHandler} from "@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol";
