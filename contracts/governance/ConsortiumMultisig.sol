// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumMultisig} from "./IConsortiumMultisig.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {SignerManager} from "./SignerManager.sol";
import {TimelockPolicy} from "./TimelockPolicy.sol";
import {GuardianManager} from "./GuardianManager.sol";

/// @title ConsortiumMultisig — M-of-N governance of the consortium's chain and contracts
/// @notice Owns every Clearhouse contract. A proposal is EIP-712 typed data; signers sign it offline
/// (any order, EOA or ERC-1271) and/or approve its hash on-chain; at threshold it is queued and runs
/// after its timelock (or at once when its delay is zero). Nonce lanes are independent, so a stuck
/// proposal blocks only its own lane, and a threshold-approved cancel burns a lane's nonce.
/// @dev Composed of small bases, each owning one part of the state (signers, timelock policy,
/// guardian), as Safe is; unlike Safe: errors in words, no global nonce, no sorted signatures.
/// @custom:security-contact security@clearhouse.example
contract ConsortiumMultisig is EIP712, ReentrancyGuardTransient, SignerManager, TimelockPolicy, GuardianManager {
    bytes32 private constant PROPOSAL_TYPEHASH = keccak256(
        "Proposal(address target,uint256 value,bytes data,uint64 lane,uint64 nonce,uint64 notBefore,uint64 expiry)"
    );
    bytes32 private constant CANCEL_TYPEHASH = keccak256("Cancel(uint64 lane,uint64 nonce)");

    /// @param signers_ the initial signers (no zero address, no duplicates, at most 64)
    /// @param threshold how many approvals a proposal needs (1..signers)
    /// @param minDelay global minimum timelock, seconds (≤ 30 days)
    /// @param sensitiveDelay default timelock of upgrades, ownership, wiring setters, OPERATOR grants
    /// and signer changes, seconds
    /// @param guardian_ who may pause every governed contract at once (may be zero)
    /// @param pausables_ the contracts the guardian pauses (each must hold code)
    constructor(
        address[] memory signers_,
        uint8 threshold,
        uint32 minDelay,
        uint32 sensitiveDelay,
        address guardian_,
        address[] memory pausables_
    ) EIP712("ClearhouseMultisig", "1") {
        _initSigners(signers_, threshold);
        _initDelays(minDelay, sensitiveDelay);
        _guardian = guardian_;
        emit GuardianChanged(address(0), guardian_);
        _setPausables(pausables_);
    }

    // ================================================================ proposals

    /// @inheritdoc IConsortiumMultisig
    function approve(bytes32 hash) external {
        uint256 slot = _signerSlot[msg.sender];
        if (slot == 0) revert MultisigNotSigner(msg.sender);
        uint32 epoch = _config.epoch;
        uint256 bit = 1 << (slot - 1);
        uint256 bitmap = _approvals[epoch][hash];
        if (bitmap & bit != 0) revert MultisigAlreadyApproved(hash, msg.sender);
        _approvals[epoch][hash] = bitmap | bit;
        emit Approved(hash, msg.sender, epoch);
    }

    /// @inheritdoc IConsortiumMultisig
    function queue(Proposal calldata p, bytes calldata signatures) external returns (uint64 executableAt) {
        bytes32 hash = _proposalHash(p);
        uint64 notBefore = p.notBefore;
        _checkLive(hash, p.lane, p.nonce, notBefore, p.expiry);
        Queue storage q = _queued[hash];
        Config memory c = _config;
        // An entry from an earlier signer set is void and may be replaced.
        if (q.executableAt != 0 && q.epoch == c.epoch) revert MultisigAlreadyQueued(hash, q.executableAt);
        uint32 delay = _delayOf(p.target, p.data, c);
        if (delay == 0) revert MultisigNothingToQueue(hash);
        // Fail now rather than after the whole timelock (execute checks this too).
        if (p.data.length != 0 && p.target.code.length == 0) revert MultisigNotAContract(p.target);
        _requireThreshold(hash, signatures, c);
        uint64 readyAt = uint64(block.timestamp) + delay;
        executableAt = readyAt > notBefore ? readyAt : notBefore;
        // Refuse what could never run: it would only block its lane until cancelled.
        if (executableAt > p.expiry) revert MultisigExpired(hash, p.expiry);
        q.queuedAt = uint64(block.timestamp);
        q.executableAt = executableAt;
        q.epoch = c.epoch;
        emit Queued(hash, p.lane, p.nonce, executableAt);
    }

    /// @inheritdoc IConsortiumMultisig
    /// @dev Dispatches on the call's delay: zero → verify approvals now and run (one transaction,
    /// as Safe does); non-zero → require a matured queue entry. A queue entry left behind because
    /// governance later set the delay to zero is harmless: the lane's nonce has moved past it.
    function execute(
        Proposal calldata p,
        bytes calldata signatures
    ) external payable nonReentrant returns (bytes memory result) {
        bytes32 hash = _proposalHash(p);
        uint64 lane = p.lane;
        uint64 nonce = p.nonce;
        _checkLive(hash, lane, nonce, p.notBefore, p.expiry);
        address target = p.target;
        Config memory c = _config;
        uint32 delay = _delayOf(target, p.data, c);
        if (delay == 0) {
            if (block.timestamp < p.notBefore) revert MultisigTimelocked(hash, p.notBefore);
            _requireThreshold(hash, signatures, c);
        } else {
            Queue memory q = _queued[hash];
            if (q.executableAt == 0) revert MultisigNotQueued(hash, delay);
            if (q.epoch != c.epoch) revert MultisigSignerSetChanged(hash, q.epoch, c.epoch);
            if (block.timestamp < q.executableAt) revert MultisigTimelocked(hash, q.executableAt);
            delete _queued[hash];
        }
        // A call with data to an address without code would "succeed" without doing anything.
        if (p.data.length != 0 && target.code.length == 0) revert MultisigNotAContract(target);
        _laneNonce[lane] = nonce + 1;
        bool ok;
        (ok, result) = target.call{value: p.value}(p.data);
        if (!ok) revert MultisigCallFailed(hash, result);
        emit Executed(hash, lane, nonce);
    }

    /// @inheritdoc IConsortiumMultisig
    function cancel(uint64 lane, uint64 nonce, bytes calldata signatures) external {
        uint64 expected = _laneNonce[lane];
        if (nonce != expected) revert MultisigStaleNonce(lane, expected, nonce);
        bytes32 hash = _cancelHash(lane, nonce);
        _requireThreshold(hash, signatures, _config);
        _laneNonce[lane] = nonce + 1;
        emit Cancelled(hash, lane, nonce);
    }

    /// @inheritdoc IConsortiumMultisig
    /// @dev Permissionless on purpose: `acceptOwnership` only succeeds when the target's current
    /// owner offered ownership to this multisig, so any caller can only complete a handover that
    /// the owner started (the deploy script uses this).
    function claimOwnership(address target) external {
        Ownable2Step(target).acceptOwnership();
    }

    // ================================================================ views

    /// @inheritdoc IConsortiumMultisig
    function proposalHash(Proposal calldata p) external view returns (bytes32) {
        return _proposalHash(p);
    }

    /// @inheritdoc IConsortiumMultisig
    function cancelHash(uint64 lane, uint64 nonce) external view returns (bytes32) {
        return _cancelHash(lane, nonce);
    }

    /// @inheritdoc IConsortiumMultisig
    function nonceOf(uint64 lane) external view returns (uint64) {
        return _laneNonce[lane];
    }

    /// @inheritdoc IConsortiumMultisig
    function queuedOf(bytes32 hash) external view returns (uint64 queuedAt, uint64 executableAt, uint32 queuedEpoch) {
        Queue storage q = _queued[hash];
        return (q.queuedAt, q.executableAt, q.epoch);
    }

    /// @inheritdoc IConsortiumMultisig
    function approvalsOf(bytes32 hash) external view returns (address[] memory approvers) {
        uint256 bitmap = _approvals[_config.epoch][hash];
        approvers = new address[](_popcount(bitmap));
        uint256 n;
        for (uint256 i; bitmap != 0; ++i) {
            if (bitmap & 1 != 0) approvers[n++] = _signers[i];
            bitmap >>= 1;
        }
    }

    /// @inheritdoc IConsortiumMultisig
    function signers() external view returns (address[] memory, uint8 threshold, uint32 epoch) {
        return (_signers, _config.threshold, _config.epoch);
    }

    // ================================================================ internals

    function _proposalHash(Proposal calldata p) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        PROPOSAL_TYPEHASH,
                        p.target,
                        p.value,
                        keccak256(p.data),
                        p.lane,
                        p.nonce,
                        p.notBefore,
                        p.expiry
                    )
                )
            );
    }

    function _cancelHash(uint64 lane, uint64 nonce) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CANCEL_TYPEHASH, lane, nonce)));
    }

    /// @dev The proposal holds its lane's next nonce and has not expired.
    function _checkLive(bytes32 hash, uint64 lane, uint64 nonce, uint64 notBefore, uint64 expiry) private view {
        uint64 expected = _laneNonce[lane];
        if (nonce != expected) revert MultisigStaleNonce(lane, expected, nonce);
        if (block.timestamp > expiry || expiry <= notBefore) revert MultisigExpired(hash, expiry);
    }

    /// @dev Count distinct current signers among `signatures` and on-chain approvals of `hash`.
    /// Signatures may come in any order; a signer appearing twice is refused, not silently ignored.
    /// Malleable (high-s) ECDSA signatures are refused by OpenZeppelin's ECDSA; duplicates are
    /// detected by signer, so a second encoding of one signature could not count twice anyway.
    function _requireThreshold(bytes32 hash, bytes calldata signatures, Config memory c) private view {
        uint256 seen;
        uint256 count;
        uint256 offset;
        uint256 length = signatures.length;
        // Unchecked: offset ≤ length is kept by the bounds checks below, count ≤ 64 signers.
        unchecked {
            while (offset < length) {
                if (length - offset < 65) revert MultisigInvalidSignature(offset);
                bytes32 r;
                bytes32 s;
                uint8 v;
                // Reads the 65-byte entry at `offset`; its bounds were checked just above.
                assembly ("memory-safe") {
                    let at := add(signatures.offset, offset)
                    r := calldataload(at)
                    s := calldataload(add(at, 32))
                    v := byte(0, calldataload(add(at, 64)))
                }
                address signer;
                if (v == 0) {
                    // Contract signer: r = its address, s = length of its ERC-1271 signature that follows.
                    if (uint256(r) >> 160 != 0) revert MultisigInvalidSignature(offset);
                    signer = address(uint160(uint256(r)));
                    uint256 start = offset + 65;
                    if (uint256(s) > length - start) revert MultisigInvalidSignature(offset);
                    uint256 end = start + uint256(s);
                    if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, hash, signatures[start:end])) {
                        revert MultisigInvalidSignature(offset);
                    }
                    offset = end;
                } else {
                    ECDSA.RecoverError err;
                    (signer, err, ) = ECDSA.tryRecover(hash, v, r, s);
                    if (err != ECDSA.RecoverError.NoError) revert MultisigInvalidSignature(offset);
                    offset += 65;
                }
                uint256 slot = _signerSlot[signer];
                if (slot == 0) revert MultisigNotSigner(signer);
                uint256 bit = 1 << (slot - 1);
                if (seen & bit != 0) revert MultisigDuplicateSigner(signer);
                seen |= bit;
                ++count;
            }
        }
        if (count < c.threshold) count += _popcount(_approvals[c.epoch][hash] & ~seen);
        if (count < c.threshold) revert MultisigThresholdNotMet(hash, count, c.threshold);
    }

    function _popcount(uint256 x) private pure returns (uint256 n) {
        for (; x != 0; ++n) x &= x - 1;
    }
}
