// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ISettlementLedger — anchoring of settlement batches
/// @notice A member bank anchors each batch of its payments as a Merkle root plus a header; the
/// payments stay with the bank. Submission is idempotent per (bank, key); counterparties
/// acknowledge or dispute within a window; a batch is final when every counterparty acknowledged,
/// or when the window passed without a dispute, or when a dispute was dismissed. A final batch is
/// netted once: the netting engine takes it into a settlement cycle (`markNetted`).
interface ISettlementLedger {
    /// @notice Effective status of a batch (`Final` is derived, see `statusOf`).
    enum BatchStatus {
        None,
        Submitted,
        Disputed,
        Rejected,
        Final,
        Netted
    }

    /// @notice What is anchored of a batch. Its keccak256 (`digestOf`) is stored; the fields are in
    /// the `BatchSubmitted` event and in the bank's batch file.
    struct BatchHeader {
        bytes32 root; // Merkle root over the payment records (keccak leaves, StandardMerkleTree)
        uint32 entryCount; // number of payments
        uint128 grossTotal; // sum of amounts, minor units
        bytes32 totalsCommitment; // keccak256(abi.encode(address[] counterparties, uint256[] totals))
        bytes32 metadataDigest; // keccak256 of the batch's metadata (file name, currency, value date…)
        uint32 counterpartyMask; // bit i = the bank enrolled at index i receives payments in the batch
    }

    /// @notice Stored per batch, next to its digest.
    struct BatchState {
        uint64 sequence; // the submitter's batch number, from 1
        uint40 submittedAt;
        BatchStatus status; // Submitted, Disputed, Rejected, Final (a dismissed dispute) or Netted
        uint32 counterpartyMask;
        uint32 ackMask;
        uint40 closesAt; // end of the acknowledgement window, fixed at submission
        uint40 cycle; // the settlement cycle that netted the batch (0 until Netted)
    }

    event BankEnrolled(address indexed bank, uint8 index);
    event BatchSubmitted(
        bytes32 indexed batchId,
        address indexed submitter,
        bytes32 indexed key,
        uint64 sequence,
        bytes32 digest,
        BatchHeader header
    );
    event BatchAcknowledged(bytes32 indexed batchId, address indexed counterparty, bool allAcknowledged);
    event BatchDisputed(bytes32 indexed batchId, address indexed counterparty, uint16 reasonCode);
    event DisputeResolved(bytes32 indexed batchId, address indexed operator, bool upheld);
    event AckWindowSet(uint32 ackWindow);
    /// @notice The netting engine took the final batch into settlement cycle `cycleId`.
    event BatchNetted(bytes32 indexed batchId, uint64 indexed cycleId);
    /// @notice Governance named the netting engine that may net batches.
    event NettingEngineSet(address indexed engine);
    /// @notice The ledger was paused by `account` (governance).
    event Paused(address account);
    /// @notice The ledger was unpaused by `account` (governance).
    event Unpaused(address account);

    /// @notice The ledger is paused.
    error EnforcedPause();
    /// @notice The ledger is not paused.
    error ExpectedPause();

    /// @notice The same key was anchored with other content.
    error LedgerBatchConflict(bytes32 batchId, bytes32 anchoredDigest, bytes32 submittedDigest);
    /// @notice No batch with this id.
    error LedgerUnknownBatch(bytes32 batchId);
    /// @notice A header field is invalid (`field` names it).
    error LedgerInvalidHeader(string field);
    /// @notice The counterparty mask names a bank that is not enrolled, or the submitter itself.
    error LedgerInvalidCounterparties(uint32 counterpartyMask, uint8 bankCount);
    /// @notice The bank is not enrolled (it has no index for counterparty masks).
    error LedgerNotEnrolled(address bank);
    /// @notice The bank is already enrolled.
    error LedgerAlreadyEnrolled(address bank, uint8 index);
    /// @notice All 32 bank indexes are taken.
    error LedgerTooManyBanks();
    /// @notice The caller is not a counterparty of the batch.
    error LedgerNotCounterparty(bytes32 batchId, address account);
    /// @notice The caller already acknowledged the batch.
    error LedgerAlreadyAnswered(bytes32 batchId, address account);
    /// @notice The acknowledgement window of the batch closed at `closedAt`.
    error LedgerWindowClosed(bytes32 batchId, uint64 closedAt);
    /// @notice The batch is not in the status the action needs.
    error LedgerWrongStatus(bytes32 batchId, BatchStatus status);
    /// @notice The given header is not the anchored one.
    error LedgerHeaderMismatch(bytes32 batchId, bytes32 anchoredDigest, bytes32 givenDigest);
    /// @notice The acknowledgement window is outside 1 minute … 30 days.
    error LedgerInvalidWindow(uint32 ackWindow);
    /// @notice Dispute reason codes start at 1.
    error LedgerInvalidReason();
    /// @notice The registry address holds no contract.
    error LedgerInvalidRegistry(address registry);
    /// @notice Only the netting engine named by governance may net batches.
    error LedgerNotNettingEngine(address caller);
    /// @notice The netting engine address holds no contract.
    error LedgerInvalidEngine(address engine);
    /// @notice The batch was already netted, in cycle `cycleId`: each batch settles once.
    error LedgerAlreadyNetted(bytes32 batchId, uint64 cycleId);
    /// @notice Renouncing ownership would leave the ledger without governance.
    error LedgerOwnershipCannotBeRenounced();

    /// @notice Enroll the calling member bank: it gets an index for counterparty masks.
    function enroll() external returns (uint8 index);

    /// @notice Anchor a batch under `key`, idempotently: the same key with the same header returns
    /// the existing id and changes nothing (`created` false); with another header it reverts.
    function submitBatch(bytes32 key, BatchHeader calldata header) external returns (bytes32 batchId, bool created);

    /// @notice Acknowledge a batch as one of its counterparties, within the window.
    function acknowledge(bytes32 batchId) external;

    /// @notice Dispute a batch as one of its counterparties, within the window.
    function dispute(bytes32 batchId, uint16 reasonCode) external;

    /// @notice Settle a dispute (an active OPERATOR): upheld → Rejected, dismissed → Final.
    function resolveDispute(bytes32 batchId, bool upheld) external;

    /// @notice Take a final batch into settlement cycle `cycleId` (the netting engine): `header`
    /// must be its anchored header; it becomes Netted and can never be netted again.
    function markNetted(bytes32 batchId, BatchHeader calldata header, uint64 cycleId) external;

    /// @notice Name the netting engine that may net batches (owner).
    function setNettingEngine(address engine) external;

    /// @notice The netting engine that may net batches (zero: none yet).
    function nettingEngine() external view returns (address);

    /// @notice The cycle that netted `batchId` (0 if unknown or not netted yet).
    function nettedIn(bytes32 batchId) external view returns (uint64);

    /// @notice Set the acknowledgement window, seconds (owner). Applies to batches submitted from
    /// now on; each batch keeps the window end (`closesAt`) it was given.
    function setAckWindow(uint32 ackWindow) external;

    /// @notice Stop submissions, acknowledgements and disputes (owner).
    function pause() external;

    /// @notice Resume (owner).
    function unpause() external;

    /// @notice Whether the ledger is paused.
    function paused() external view returns (bool);

    /// @notice The id of `submitter`'s batch under `key`: keccak256(abi.encode(submitter, key)).
    function batchIdOf(address submitter, bytes32 key) external pure returns (bytes32);

    /// @notice keccak256(abi.encode(header)): what is stored of a batch.
    function digestOf(BatchHeader calldata header) external pure returns (bytes32);

    /// @notice The stored state, digest and effective status of a batch.
    function batchOf(bytes32 batchId) external view returns (BatchState memory, bytes32 digest, BatchStatus status);

    /// @notice Effective status: Submitted becomes Final when all counterparties acknowledged or
    /// the window has passed; a final batch taken into a settlement cycle is Netted.
    function statusOf(bytes32 batchId) external view returns (BatchStatus);

    /// @notice Revert unless `header` is the anchored header of `batchId` and the batch is Final
    /// (a batch already taken into a settlement cycle is Netted, not Final: it reverts).
    function requireFinal(bytes32 batchId, BatchHeader calldata header) external view;

    /// @notice Whether `leaf` (a record's leaf hash) is in the anchored batch, given its header and proof.
    function verifyInclusion(
        bytes32 batchId,
        BatchHeader calldata header,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The leaf hash of an encoded payment record (as StandardMerkleTree hashes it).
    function leafOf(uint256[8] calldata encodedRecord) external pure returns (bytes32);

    /// @notice A bank's enrollment index (reverts if not enrolled) and its last batch sequence.
    function bankOf(address bank) external view returns (uint8 index, uint64 sequence);

    /// @notice The enrolled banks, by index.
    function banks() external view returns (address[] memory);

    /// @notice The acknowledgement window, seconds.
    function ackWindow() external view returns (uint32);
}
