// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IRegulatorKeys — the regulator's encryption key and the trace threshold (controllable anonymity)
/// @notice Banks' private-mode settlement chunks carry, for every payment slot, a ciphertext under
/// the regulator's current Baby Jubjub public key (ECDH + Poseidon encryption), proven correct with
/// the key as a public input. Payments of `traceThreshold()` minor units or more are encrypted; a
/// slot below it encrypts zeros. Governance rotates the key (each rotation opens a new epoch; every
/// earlier epoch's key stays readable, so the regulator can decrypt history) and sets the threshold.
/// Epoch 0 with key (0, 0) means no key was ever set: traceability is off.
interface IRegulatorKeys {
    /// @notice Governance made (x, y) the regulator's key from `epoch` on.
    event RegulatorKeyRotated(uint32 indexed epoch, uint256 x, uint256 y);
    /// @notice Governance changed the trace threshold from `previous` to `threshold` (minor units).
    event TraceThresholdSet(uint64 previous, uint64 threshold);

    /// @notice (x, y) cannot be the regulator's key: `reason` is "not on curve" (off the curve, or a
    /// coordinate ≥ p), "identity", "not in prime subgroup" (of low order, so anyone could
    /// decrypt, or with a low-order component) or "unchanged" (it is the current key).
    error ZkRegulatorKeyInvalid(uint256 x, uint256 y, string reason);
    /// @notice The trace threshold is already `threshold`.
    error ZkTraceThresholdUnchanged(uint64 threshold);
    /// @notice No regulator key was set in `epoch` (epochs count up from 1).
    error ZkUnknownRegulatorEpoch(uint32 epoch);

    /// @notice Make (x, y) the regulator's key (governance), opening the next epoch. The key must be
    /// a Baby Jubjub point of the prime-order subgroup other than the identity, and differ from the
    /// current key; an older epoch's key may come back (under a new epoch).
    /// @dev 433,761 gas for the first key, 416,661 for the next (measured); 310,610 of it is the
    /// subgroup check (BabyJubjub.inPrimeSubgroup), paid once per rotation.
    /// @param x the key's x coordinate (< p)
    /// @param y the key's y coordinate (< p)
    /// @return epoch the new epoch (1 for the first key)
    function rotateRegulatorKey(uint256 x, uint256 y) external returns (uint32 epoch);

    /// @notice Set the amount (minor units) at or above which a payment is encrypted to the regulator
    /// (governance). 0, the default, traces every payment once a key is set.
    /// @param threshold the new threshold; refused if unchanged (`ZkTraceThresholdUnchanged`)
    function setTraceThreshold(uint64 threshold) external;

    /// @notice The current regulator key.
    /// @return epoch its epoch, 0 if none was ever set (traceability off)
    /// @return x its x coordinate (0 if none)
    /// @return y its y coordinate (0 if none)
    function regulatorKey() external view returns (uint32 epoch, uint256 x, uint256 y);

    /// @notice The key of a past or current epoch (reverts `ZkUnknownRegulatorEpoch` otherwise).
    /// @param epoch 1 … the current epoch
    /// @return x its x coordinate
    /// @return y its y coordinate
    /// @return since the block timestamp of its rotation
    function regulatorKeyAt(uint32 epoch) external view returns (uint256 x, uint256 y, uint64 since);

    /// @notice The amount (minor units) at or above which a payment is traced.
    /// @return threshold the trace threshold (0 by default)
    function traceThreshold() external view returns (uint64 threshold);

    /// @notice In one call, what a settlement chunk must follow: the current key and the threshold.
    /// @return epoch the current epoch, 0 if no key was ever set (traceability off)
    /// @return x the key's x coordinate (0 if none)
    /// @return y the key's y coordinate (0 if none)
    /// @return threshold the trace threshold
    function tracePolicy() external view returns (uint32 epoch, uint256 x, uint256 y, uint64 threshold);
}
