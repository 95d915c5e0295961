// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TraceBinding} from "../settlement/TraceBinding.sol";

/// @dev Test-only: exposes TraceBinding, and measures it.
contract TraceBindingHarness {
    function bind(
        uint256 root,
        uint256[2] calldata ephemeral,
        uint256 keyX,
        uint256 keyY,
        uint256 threshold,
        uint256[224] calldata ciphertexts
    ) external view returns (uint256 r, uint256 e, uint256 gasChallenge, uint256 gasEvaluation) {
        uint256 g = gasleft();
        r = TraceBinding.challenge(root, ephemeral, keyX, keyY, threshold, ciphertexts);
        gasChallenge = g - gasleft();
        g = gasleft();
        e = TraceBinding.evaluation(ciphertexts, r);
        gasEvaluation = g - gasleft();
    }
}
