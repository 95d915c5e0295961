// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumMultisig} from "./IConsortiumMultisig.sol";

/// @title MultisigStorage — the multisig's state, shared by its small bases
/// @dev The multisig is not upgradeable (governance replaces it by deploying a new one and handing
/// ownership over), so plain storage is used. What the hot path reads is packed into one slot.
abstract contract MultisigStorage is IConsortiumMultisig {
    /// @dev Read once per queue/execute: threshold, signer-set epoch and default delays.
    struct Config {
        uint8 threshold;
        uint32 epoch; // bumps whenever the signer set changes; on-chain approvals are per epoch
        uint32 minDelay; // global minimum delay, seconds
        uint32 sensitiveDelay; // default delay of sensitive calls (TimelockPolicy), seconds
    }

    Config internal _config;
    address[] internal _signers;
    /// @dev index in `_signers` + 1; 0 = not a signer
    mapping(address signer => uint256 slot) internal _signerSlot;
    /// @dev bitmap of signer indexes that approved a hash on-chain, per signer-set epoch
    mapping(uint32 epoch => mapping(bytes32 hash => uint256 bitmap)) internal _approvals;
    mapping(uint64 lane => uint64 nonce) internal _laneNonce;
    mapping(bytes32 hash => Queue) internal _queued;
    /// @dev (target << 32 | selector) => delay + 1; 0 = use the default
    mapping(uint256 key => uint32 delayPlusOne) internal _delays;
    address internal _guardian;
    address[] internal _pausables;

    struct Queue {
        uint64 queuedAt;
        uint64 executableAt;
        uint32 epoch; // the signer set that approved it; a signer change voids the entry
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert MultisigOnlySelf(msg.sender);
        _;
    }
}
