// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IRegulatorKeys} from "./IRegulatorKeys.sol";
import {BabyJubjub} from "./BabyJubjub.sol";

/// @title RegulatorKeys — the regulator's Baby Jubjub key per epoch and the trace threshold
/// @notice Mixed into VerifierRegistry (decision 040): the settlement engine already reads the
/// registry, so the trace policy needs no new contract in the manifest. Every epoch's key is kept.
/// @dev Own ERC-7201 namespace, so the host contract's storage is untouched; fields are only appended.
/// The host says who governs the key through `_authorizeRegulatorKeys` (as UUPS does for upgrades).
abstract contract RegulatorKeys is IRegulatorKeys {
    struct RegulatorKey {
        uint256 x;
        uint256 y;
        uint64 since; // block timestamp of the rotation
    }

    /// @custom:storage-location erc7201:clearhouse.storage.RegulatorKeys
    struct RegulatorKeysStorage {
        mapping(uint32 epoch => RegulatorKey) keys;
        uint32 epoch; // the current epoch, 0 before the first key
        uint64 threshold; // minor units; amounts at or above it are traced
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.RegulatorKeys")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REGULATOR_KEYS_SLOT = 0x12619d024235a9d2ba18e9b1c916c49bf1a01397145b87d3452df3ca30f2ce00;

    /// @inheritdoc IRegulatorKeys
    function rotateRegulatorKey(uint256 x, uint256 y) external returns (uint32 epoch) {
        _authorizeRegulatorKeys();
        RegulatorKeysStorage storage $ = _rk();
        if (!BabyJubjub.isOnCurve(x, y)) revert ZkRegulatorKeyInvalid(x, y, "not on curve");
        if (x == 0 && y == 1) revert ZkRegulatorKeyInvalid(x, y, "identity");
        // Before the costly subgroup check; epoch 0's (0, 0) is off the curve, refused above.
        RegulatorKey storage current = $.keys[$.epoch];
        if (current.x == x && current.y == y) revert ZkRegulatorKeyInvalid(x, y, "unchanged");
        if (!BabyJubjub.inPrimeSubgroup(x, y)) revert ZkRegulatorKeyInvalid(x, y, "not in prime subgroup");
        epoch = $.epoch + 1;
        $.epoch = epoch;
        $.keys[epoch] = RegulatorKey({x: x, y: y, since: uint64(block.timestamp)});
        emit RegulatorKeyRotated(epoch, x, y);
    }

    /// @inheritdoc IRegulatorKeys
    function setTraceThreshold(uint64 threshold) external {
        _authorizeRegulatorKeys();
        RegulatorKeysStorage storage $ = _rk();
        uint64 previous = $.threshold;
        if (previous == threshold) revert ZkTraceThresholdUnchanged(threshold);
        $.threshold = threshold;
        emit TraceThresholdSet(previous, threshold);
    }

    /// @inheritdoc IRegulatorKeys
    function regulatorKey() external view returns (uint32 epoch, uint256 x, uint256 y) {
        RegulatorKeysStorage storage $ = _rk();
        epoch = $.epoch;
        RegulatorKey storage k = $.keys[epoch];
        return (epoch, k.x, k.y);
    }

    /// @inheritdoc IRegulatorKeys
    function regulatorKeyAt(uint32 epoch) external view returns (uint256 x, uint256 y, uint64 since) {
        RegulatorKeysStorage storage $ = _rk();
        if (epoch == 0 || epoch > $.epoch) revert ZkUnknownRegulatorEpoch(epoch);
        RegulatorKey storage k = $.keys[epoch];
        return (k.x, k.y, k.since);
    }

    /// @inheritdoc IRegulatorKeys
    function traceThreshold() external view returns (uint64 threshold) {
        return _rk().threshold;
    }

    /// @inheritdoc IRegulatorKeys
    function tracePolicy() external view returns (uint32 epoch, uint256 x, uint256 y, uint64 threshold) {
        RegulatorKeysStorage storage $ = _rk();
        epoch = $.epoch;
        RegulatorKey storage k = $.keys[epoch];
        return (epoch, k.x, k.y, $.threshold);
    }

    /// @dev Revert unless the caller may rotate the key and set the threshold (governance).
    function _authorizeRegulatorKeys() internal view virtual;

    function _rk() private pure returns (RegulatorKeysStorage storage $) {
        assembly {
            $.slot := REGULATOR_KEYS_SLOT
        }
    }
}
