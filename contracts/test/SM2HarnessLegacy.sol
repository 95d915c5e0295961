// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SM2Harness} from "./SM2Harness.sol";

/// @title SM2HarnessLegacy — SM2Harness compiled with the legacy code generator
/// @notice hardhat.config.ts compiles SM2Harness (and SM2Signer) through the IR pipeline; this file
/// takes the default settings, so bench/sm2.ts and the tests see what SM2/SM3 cost in a contract
/// compiled without it.
contract SM2HarnessLegacy is SM2Harness {}
