// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";

/// @title NullifierConsumer — test stand-in for a contract that acts on proofs (like the escrow)
contract NullifierConsumer {
    IVerifierRegistry public immutable registry;

    event Acted(bytes32 circuitId, uint256 nullifier);

    constructor(IVerifierRegistry registry_) {
        registry = registry_;
    }

    /// @notice Verify a proof and spend its nullifier through the registry.
    function act(bytes32 circuitId, uint256[8] calldata proof, uint256[] calldata signals, uint256 index) external {
        registry.verifyAndSpend(circuitId, proof, signals, index);
        emit Acted(circuitId, signals[index]);
    }
}
