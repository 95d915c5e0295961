// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SM2Harness} from "./SM2Harness.sol";

/// @title SM2HarnessViaIR — SM2Harness compiled through the IR pipeline
/// @notice hardhat.config.ts compiles this file with `viaIR`; SM2Harness (and SM2Signer) take the
/// repository's default settings (legacy code generator), so bench/sm2.ts and the tests see what
/// SM2/SM3 cost under either pipeline.
contract SM2HarnessViaIR is SM2Harness {}
