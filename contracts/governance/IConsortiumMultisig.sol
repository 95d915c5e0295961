// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IConsortiumMultisig — the consortium's M-of-N governance
/// @notice Proposals are EIP-712 typed data signed offline (in any order) and/or approved on-chain;
/// once the threshold is reached a proposal is queued and executes after its timelock. Independent
/// nonce lanes keep unrelated proposals from blocking each other.
interface IConsortiumMultisig {
    /// @notice A call the consortium may make. Signed as EIP-712
    /// `Proposal(address target,uint256 value,bytes data,uint64 lane,uint64 nonce,uint64 notBefore,uint64 expiry)`.
    struct Proposal {
        address target;
        uint256 value;
        bytes data;
        uint64 lane; // independent nonce sequence
        uint64 nonce; // must equal the lane's next nonce
        uint64 notBefore; // earliest execution time (unix seconds), 0 for none
        uint64 expiry; // latest execution time (unix seconds)
    }

    // ---------------------------------------------------------------- events
    /// @notice `signer` approved `proposalHash` on-chain (counted with the signer set of `epoch`).
    event Approved(bytes32 indexed proposalHash, address indexed signer, uint32 epoch);
    /// @notice A proposal reached its threshold and waits until `executableAt`.
    event Queued(bytes32 indexed proposalHash, uint64 indexed lane, uint64 nonce, uint64 executableAt);
    /// @notice A proposal was executed.
    event Executed(bytes32 indexed proposalHash, uint64 indexed lane, uint64 nonce);
    /// @notice A lane's nonce was burned by a threshold-approved cancel.
    event Cancelled(bytes32 indexed cancelHash, uint64 indexed lane, uint64 nonce);
    /// @notice A signer was added.
    event SignerAdded(address indexed signer, uint32 epoch);
    /// @notice A signer was removed.
    event SignerRemoved(address indexed signer, uint32 epoch);
    /// @notice The threshold changed.
    event ThresholdChanged(uint8 threshold, uint32 epoch);
    /// @notice The delay of (target, selector) was set; `delay` 0 with `isSet` false restores the default.
    event DelaySet(address indexed target, bytes4 indexed selector, uint32 delay, bool isSet);
    /// @notice The global minimum or the default delay of sensitive actions changed.
    event DefaultDelaysSet(uint32 minDelay, uint32 sensitiveDelay);
    /// @notice The guardian changed.
    event GuardianChanged(address indexed previousGuardian, address indexed guardian);
    /// @notice The set of contracts the guardian pauses at once changed.
    event PausablesSet(address[] targets);
    /// @notice The guardian paused `target` (or found it already paused).
    event EmergencyPaused(address indexed target, bool alreadyPaused);
    /// @notice The guardian could not pause `target` (its `paused()`/`pause()` failed or answered
    /// garbage: `reason` is what it returned); the other contracts were still paused.
    event EmergencyPauseFailed(address indexed target, bytes reason);

    // ---------------------------------------------------------------- errors
    /// @notice A function only the multisig itself (through a proposal) may call.
    error MultisigOnlySelf(address caller);
    /// @notice The caller is not a current signer.
    error MultisigNotSigner(address account);
    /// @notice The caller is not the guardian.
    error MultisigNotGuardian(address caller);
    /// @notice A zero or duplicate signer, or a signer that is already present.
    error MultisigInvalidSigner(address signer);
    /// @notice The threshold is outside 1..signerCount.
    error MultisigInvalidThreshold(uint256 threshold, uint256 signerCount);
    /// @notice More signers than the multisig supports.
    error MultisigTooManySigners(uint256 count, uint256 max);
    /// @notice The same signer appears twice among the signatures.
    error MultisigDuplicateSigner(address signer);
    /// @notice The signature at byte `offset` of the signature blob is malformed or invalid.
    error MultisigInvalidSignature(uint256 offset);
    /// @notice Fewer approvals than the threshold.
    error MultisigThresholdNotMet(bytes32 proposalHash, uint256 approvals, uint256 threshold);
    /// @notice The proposal's nonce is not its lane's next nonce (executed, cancelled or out of order).
    error MultisigStaleNonce(uint64 lane, uint64 expected, uint64 nonce);
    /// @notice The proposal is already queued.
    error MultisigAlreadyQueued(bytes32 proposalHash, uint64 executableAt);
    /// @notice The proposal was never queued (and its delay is not zero, so it cannot run at once).
    error MultisigNotQueued(bytes32 proposalHash, uint32 delay);
    /// @notice The proposal's delay is zero: execute it directly with its signatures.
    error MultisigNothingToQueue(bytes32 proposalHash);
    /// @notice The timelock has not elapsed.
    error MultisigTimelocked(bytes32 proposalHash, uint64 executableAt);
    /// @notice The proposal's expiry has passed (or is not after notBefore).
    error MultisigExpired(bytes32 proposalHash, uint64 expiry);
    /// @notice The executed call reverted; `reason` is its revert data.
    error MultisigCallFailed(bytes32 proposalHash, bytes reason);
    /// @notice A delay above the maximum.
    error MultisigInvalidDelay(uint32 delay, uint32 max);
    /// @notice A pausable or call target that holds no contract code.
    error MultisigNotAContract(address target);
    /// @notice The proposal was queued under another signer set (a signer or threshold change
    /// since); it must be approved and queued again by the current signers.
    error MultisigSignerSetChanged(bytes32 proposalHash, uint32 queuedEpoch, uint32 epoch);
    /// @notice The signer already approved this proposal on-chain.
    error MultisigAlreadyApproved(bytes32 proposalHash, address signer);

    // ---------------------------------------------------------------- proposals
    /// @notice Record the caller's on-chain approval of `proposalHash` (a signer only).
    function approve(bytes32 proposalHash) external;

    /// @notice Queue `proposal` once `signatures` plus on-chain approvals reach the threshold.
    /// @param signatures concatenated entries, any order: 65-byte ECDSA `r‖s‖v` (v 27/28), or for a
    /// contract signer `r = signer`, `s = length L`, `v = 0`, followed by its L-byte ERC-1271 signature
    /// @return executableAt when the proposal can be executed
    function queue(Proposal calldata proposal, bytes calldata signatures) external returns (uint64 executableAt);

    /// @notice Execute a proposal. When its delay is zero, `signatures` plus on-chain approvals must
    /// reach the threshold now and it runs at once; otherwise it must have been queued and its
    /// timelock elapsed (`signatures` is then ignored). Anyone may call.
    function execute(Proposal calldata proposal, bytes calldata signatures) external payable returns (bytes memory);

    /// @notice Burn lane `lane`'s next nonce `nonce`, with threshold approval of
    /// `Cancel(uint64 lane,uint64 nonce)`, so any proposal holding it can never execute.
    function cancel(uint64 lane, uint64 nonce, bytes calldata signatures) external;

    /// @notice Pause every registered pausable contract at once (the guardian only).
    function pauseAll() external;

    /// @notice Accept ownership that `target` (an Ownable2Step contract) offered the multisig.
    /// Anyone may call: it can only complete a handover the target's owner started.
    function claimOwnership(address target) external;

    // ---------------------------------------------------------------- governance (self only)
    /// @notice Add a signer and set the threshold.
    function addSigner(address signer, uint8 threshold) external;

    /// @notice Remove a signer and set the threshold.
    function removeSigner(address signer, uint8 threshold) external;

    /// @notice Replace `oldSigner` with `newSigner` (key rotation), keeping the threshold.
    function rotateSigner(address oldSigner, address newSigner) external;

    /// @notice Change the threshold.
    function changeThreshold(uint8 threshold) external;

    /// @notice Set the delay of calls to `selector` on `target` (`isSet` false restores the default).
    function setDelay(address target, bytes4 selector, uint32 delay, bool isSet) external;

    /// @notice Set the global minimum delay and the default delay of sensitive actions.
    function setDefaultDelays(uint32 minDelay, uint32 sensitiveDelay) external;

    /// @notice Set the guardian.
    function setGuardian(address guardian) external;

    /// @notice Set the contracts `pauseAll` pauses.
    function setPausables(address[] calldata targets) external;

    // ---------------------------------------------------------------- views
    /// @notice The EIP-712 digest of `proposal` that signers sign.
    function proposalHash(Proposal calldata proposal) external view returns (bytes32);

    /// @notice The EIP-712 digest of a cancel of (lane, nonce).
    function cancelHash(uint64 lane, uint64 nonce) external view returns (bytes32);

    /// @notice The delay of a call to `selector` on `target`, as far as the selector alone decides it.
    /// @dev For `admitMember`/`setRoles` this is the delay of a grant without OPERATOR: use
    /// `delayOfCall`, which reads the roles argument, to learn what a proposal will wait.
    function delayOf(address target, bytes4 selector) external view returns (uint32);

    /// @notice The delay a proposal calling `target` with `data` waits (what `queue` and `execute` use).
    /// @param target the call's target
    /// @param data the call's full calldata
    /// @return delay seconds between queueing and execution (0: executes at once)
    function delayOfCall(address target, bytes calldata data) external view returns (uint32 delay);

    /// @notice The next nonce of `lane`.
    function nonceOf(uint64 lane) external view returns (uint64);

    /// @notice When a proposal was queued, when it becomes executable and under which signer-set
    /// epoch (all 0 if never queued). Entries outlive cancels and signer changes: a proposal is
    /// live only while its lane's nonce (`nonceOf`) equals its nonce and the epoch is current.
    function queuedOf(
        bytes32 proposalHash
    ) external view returns (uint64 queuedAt, uint64 executableAt, uint32 queuedEpoch);

    /// @notice Signers who approved `proposalHash` on-chain under the current signer set.
    function approvalsOf(bytes32 proposalHash) external view returns (address[] memory);

    /// @notice The current signers, threshold and signer-set epoch.
    function signers() external view returns (address[] memory, uint8 threshold, uint32 epoch);

    /// @notice Global minimum delay and default delay of sensitive actions.
    function defaultDelays() external view returns (uint32 minDelay, uint32 sensitiveDelay);

    /// @notice The guardian and the contracts it pauses.
    function guardian() external view returns (address, address[] memory pausables);
}
