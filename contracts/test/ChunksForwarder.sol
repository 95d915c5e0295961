// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISettlementLedger} from "../settlement/ISettlementLedger.sol";
import {IPrivateChunks} from "../settlement/IPrivateChunks.sol";

/// @title ChunksForwarder — test only: a bank's smart wallet whose own `declareProvedChunks` has the
/// engine's selector but forwards other arguments (set beforehand) to the engine. The audit's
/// re-derivation of a v2 declaration's proofs must not read this wallet's calldata as the engine's.
contract ChunksForwarder is IPrivateChunks {
    address private immutable ENGINE;
    bytes private forwarded;

    constructor(address engine) {
        ENGINE = engine;
    }

    /// @notice Call `target` with `data` as this wallet (enrol, anchor), bubbling a revert up.
    function exec(address target, bytes calldata data) external returns (bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    /// @notice The engine calldata the next `declareProvedChunks` or `declareTracedChunks` sends, whatever its own arguments.
    function setForwarded(bytes calldata data) external {
        forwarded = data;
    }

    /// @inheritdoc IPrivateChunks
    function declareProvedChunks(
        uint64,
        bytes32,
        ISettlementLedger.BatchHeader calldata,
        address[] calldata,
        uint256[] calldata,
        ProvedChunk[] calldata
    ) external {
        _forward();
    }

    /// @inheritdoc IPrivateChunks
    function declareTracedChunks(
        uint64,
        bytes32,
        ISettlementLedger.BatchHeader calldata,
        address[] calldata,
        uint256[] calldata,
        TracedChunk[] calldata
    ) external {
        _forward();
    }

    function _forward() private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = ENGINE.call(forwarded);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
