// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ISettlementLedger — anchoring of settlement batches
/// @notice A member bank anchors each batch of its payments as a Merkle root plus a header; the
/// payments stay with the bank. Submission is idempotent per (bank, key); counterparties
/// acknowledge or dispute within a window; a batch is final when every counterparty acknowledged,
/// or when the window passed without a dispute, or when a dispute was dismissed. A final batch is
/// netted once: the netting engine takes it into a settlement cycle (`markNetted`).
/// One storage word is written per batch (decision 018): the first 31 bytes of its header digest
/// and its stored status. The window end is in the header (stamped by the bank's client, checked at
/// submission), so the effective status of a batch is read with its header (`statusOf`).
/// Up to 256 banks hold an index (bit i of a counterparty mask); a removed bank's index is released
/// and given to a new bank after a quarantine (decision 022).
interface ISettlementLedger {
    /// @notice Status of a batch. Stored: Submitted, Disputed, Rejected, Final (a dismissed dispute),
    /// Netted. Effective (`statusOf`): a stored Submitted is Final once every counterparty
    /// acknowledged or the window closed.
    enum BatchStatus {
        None,
        Submitted,
        Disputed,
        Rejected,
        Final,
        Netted
    }

    /// @notice The hash of a batch's Merkle tree (decision 046): keccak256 (OpenZeppelin
    /// StandardMerkleTree, every batch before decision 046) or SM3 (the same tree with SM3 for the
    /// leaf's two hashes and the nodes). A ledger-wide governed setting, recorded per batch at
    /// submission, so a batch is verified with the hash it was built with.
    enum TreeHash {
        Keccak256,
        SM3
    }

    /// @notice What is anchored of a batch. Its keccak256 (`digestOf`) is what the ledger keeps (the
    /// first 31 bytes); the fields are in the `BatchSubmitted` event.
    struct BatchHeader {
        bytes32 root; // Merkle root over the payment records (keccak leaves, StandardMerkleTree)
        uint32 entryCount; // number of payments
        uint128 grossTotal; // sum of amounts, minor units
        bytes32 totalsCommitment; // keccak256(abi.encode(address[] counterparties, uint256[] totals))
        bytes32 metadataDigest; // keccak256 of the batch's metadata (file name, currency, value date…)
        uint256 counterpartyMask; // bit i = the bank holding ledger index i receives payments in the batch
        uint40 closesAt; // end of the acknowledgement window: now + ackWindow … + MAX_WINDOW_SLACK (15 min) at submission
    }

    event BankEnrolled(address indexed bank, uint8 index);
    /// @notice A removed bank's index was released; it may be given to a new bank from `availableAt`
    /// (the release + MAX_WINDOW + MAX_WINDOW_SLACK + 1 s). The bank keeps it in `bankOf`, marked released.
    event BankReleased(address indexed bank, uint8 index, uint40 availableAt);
    /// @notice Index `index`, released by `previous`, was given to the newly enrolled `bank`.
    event BankIndexReused(uint8 indexed index, address indexed previous, address indexed bank);
    /// @notice `bank` was barred from anchoring new batches (`barred` true) or allowed again.
    event BankBarred(address indexed bank, bool barred);
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
    /// @notice Governance set the tree hash of batches submitted from now on, and the SM3 verifier
    /// the ledger calls for SM3 batches (zero: none yet).
    event TreeHashSet(TreeHash treeHash, address sm3Verifier);
    /// @notice `batchId` was anchored with a tree of `treeHash`. Emitted only for non-keccak256 trees:
    /// a batch without this event has a keccak256 tree.
    event BatchTreeHash(bytes32 indexed batchId, TreeHash treeHash);
    /// @notice The ledger was paused by `account` (governance).
    event Paused(address account);
    /// @notice The ledger was unpaused by `account` (governance).
    event Unpaused(address account);

    /// @notice The ledger is paused.
    error EnforcedPause();
    /// @notice The ledger is not paused.
    error ExpectedPause();

    /// @notice The same key was anchored with other content (the ledger keeps the first 31 bytes of
    /// the anchored digest; the whole digest and header are in the batch's `BatchSubmitted` event).
    error LedgerBatchConflict(bytes32 batchId, bytes31 anchoredDigest, bytes32 submittedDigest);
    /// @notice The header's window end is outside [now + ackWindow, now + ackWindow + slack]: stamp
    /// it again from the chain's clock (a batch not yet anchored may be re-stamped).
    error LedgerInvalidWindowEnd(uint40 closesAt, uint256 earliest, uint256 latest);
    /// @notice No batch with this id.
    error LedgerUnknownBatch(bytes32 batchId);
    /// @notice A header field is invalid (`field` names it).
    error LedgerInvalidHeader(string field);
    /// @notice The counterparty mask names a bank that is not enrolled, or the submitter itself.
    error LedgerInvalidCounterparties(uint256 counterpartyMask, uint16 bankCount);
    /// @notice The counterparty mask names released indexes not yet given to another bank (`freeMask`):
    /// a batch cannot pay a bank that left the consortium.
    error LedgerCounterpartyReleased(uint256 counterpartyMask, uint256 freeMask);
    /// @notice The bank is not enrolled (it has no index for counterparty masks).
    error LedgerNotEnrolled(address bank);
    /// @notice The bank is already enrolled.
    error LedgerAlreadyEnrolled(address bank, uint8 index);
    /// @notice All 256 bank indexes are held and none is released.
    error LedgerTooManyBanks();
    /// @notice All 256 bank indexes are taken; released index `index` is free from `availableAt`.
    error LedgerIndexInQuarantine(uint8 index, uint40 availableAt);
    /// @notice The bank's index was released (it left the consortium): it cannot enroll, anchor or
    /// answer again under this address.
    error LedgerBankReleased(address bank, uint8 index);
    /// @notice Only a bank the registry says is Removed can be released (`status` is its registry status).
    error LedgerBankNotRemoved(address bank, uint8 status);
    /// @notice The bank is barred from anchoring new batches (the netting engine's escalation).
    error LedgerBankBarred(address bank);
    /// @notice Only the netting engine named by governance, or the owner, bars a bank.
    error LedgerUnauthorizedBarring(address caller);
    /// @notice The signed dispute's deadline passed.
    error LedgerSignatureExpired(uint256 deadline);
    /// @notice The signature is not `signer`'s (EOA or ERC-1271) over the typed dispute.
    error LedgerInvalidSignature(address signer);
    /// @notice The caller is not a counterparty of the batch.
    error LedgerNotCounterparty(bytes32 batchId, address account);
    /// @notice The caller already acknowledged the batch.
    error LedgerAlreadyAnswered(bytes32 batchId, address account);
    /// @notice The acknowledgement window of the batch closed at `closedAt`.
    error LedgerWindowClosed(bytes32 batchId, uint64 closedAt);
    /// @notice The batch is not in the status the action needs.
    error LedgerWrongStatus(bytes32 batchId, BatchStatus status);
    /// @notice The given header is not the anchored one (first 31 bytes of the anchored digest).
    error LedgerHeaderMismatch(bytes32 batchId, bytes31 anchoredDigest, bytes32 givenDigest);
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
    /// @notice The batch was already netted (its `BatchNetted` event names the cycle): each batch settles once.
    error LedgerAlreadyNetted(bytes32 batchId);
    /// @notice Renouncing ownership would leave the ledger without governance.
    error LedgerOwnershipCannotBeRenounced();
    /// @notice `verifier` is not a contract: the SM3 tree hash needs an SM3 verifier (`SM3MerkleVerifier`).
    error LedgerInvalidTreeVerifier(address verifier);

    /// @notice Enroll the calling member bank: it gets an index for counterparty masks.
    function enroll() external returns (uint8 index);

    /// @notice Anchor a batch under `key`, idempotently: the same key with the same header returns
    /// the existing id and changes nothing (`created` false); with another header it reverts.
    function submitBatch(bytes32 key, BatchHeader calldata header) external returns (bytes32 batchId, bool created);

    /// @notice Acknowledge a batch as one of its counterparties, within the window; `header` is its
    /// anchored header (from the `BatchSubmitted` event).
    function acknowledge(bytes32 batchId, BatchHeader calldata header) external;

    /// @notice Dispute a batch as one of its counterparties, within the window; `header` is its
    /// anchored header. A suspended (not sanctioned, not removed) member bank may dispute too.
    function dispute(bytes32 batchId, BatchHeader calldata header, uint16 reasonCode) external;

    /// @notice Dispute a batch on behalf of `signer`, one of its counterparties, with its EIP-712
    /// signature of `Dispute(bytes32 batchId,uint16 reasonCode,uint256 deadline)` (domain
    /// "Clearhouse SettlementLedger", version "1"); anyone may relay it, within the window and
    /// before `deadline`. The signer must be a member bank, Active or Suspended, not sanctioned:
    /// a suspended bank, whose own transactions the chain drops, can still stop its batches.
    function disputeBySignature(
        bytes32 batchId,
        BatchHeader calldata header,
        uint16 reasonCode,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The EIP-712 digest `signer` signs to dispute `batchId` (what `disputeBySignature` checks).
    function disputeDigest(bytes32 batchId, uint16 reasonCode, uint256 deadline) external view returns (bytes32);

    /// @notice Release a removed bank's index (an active OPERATOR; the registry must say Removed):
    /// the index may be given to a new bank after the quarantine (MAX_WINDOW + MAX_WINDOW_SLACK).
    function releaseBank(address bank) external;

    /// @notice Bar `bank` from anchoring new batches, or allow it again (the netting engine, or the owner).
    function setBarred(address bank, bool barred) external;

    /// @notice Whether `bank` is barred from anchoring new batches (false if not enrolled).
    function isBarred(address bank) external view returns (bool);

    /// @notice Whether `bank`'s index was released (false if not enrolled).
    function isReleased(address bank) external view returns (bool);

    /// @notice The released indexes waiting for a new bank, oldest first, and when each becomes free.
    function freeIndexes() external view returns (uint8[] memory indexes, uint40[] memory availableAt);

    /// @notice Settle a dispute (an active OPERATOR): upheld → Rejected, dismissed → Final.
    function resolveDispute(bytes32 batchId, bool upheld) external;

    /// @notice Take a final batch into settlement cycle `cycleId` (the netting engine): `header`
    /// must be its anchored header; it becomes Netted and can never be netted again.
    function markNetted(bytes32 batchId, BatchHeader calldata header, uint64 cycleId) external;

    /// @notice Name the netting engine that may net batches (owner).
    function setNettingEngine(address engine) external;

    /// @notice The netting engine that may net batches (zero: none yet).
    function nettingEngine() external view returns (address);

    /// @notice Set the acknowledgement window, seconds (owner). Applies to batches submitted from
    /// now on; each batch keeps the window end (`closesAt`) in its header.
    function setAckWindow(uint32 ackWindow) external;

    /// @notice Set the tree hash of batches submitted from now on (owner); each batch keeps the one
    /// it was submitted under (`treeHashOf`). `sm3Verifier` replaces the SM3 verifier when non-zero
    /// (it must be a contract); zero keeps the current one, but choosing SM3 names the verifier in
    /// the same call (zero: LedgerInvalidTreeVerifier(0)). The verifier is the ledger's, not pinned
    /// per batch: replacing it changes how every SM3 batch is checked (docs/crypto.md).
    function setTreeHash(TreeHash treeHash_, address sm3Verifier) external;

    /// @notice The tree hash new batches are anchored with (the SM3 verifier is in the last `TreeHashSet`
    /// event that named one).
    function treeHash() external view returns (TreeHash);

    /// @notice The tree hash `batchId` was anchored with (reverts LedgerUnknownBatch for an unknown batch).
    function treeHashOf(bytes32 batchId) external view returns (TreeHash);

    /// @notice Stop submissions, acknowledgements and disputes (owner).
    function pause() external;

    /// @notice Resume (owner).
    function unpause() external;

    /// @notice Whether the ledger is paused.
    function paused() external view returns (bool);

    /// @notice The id of `submitter`'s batch under `key`: keccak256(abi.encode(submitter, key)).
    function batchIdOf(address submitter, bytes32 key) external pure returns (bytes32);

    /// @notice keccak256(abi.encode(header)): the batch's digest (its first 31 bytes are stored).
    function digestOf(BatchHeader calldata header) external pure returns (bytes32);

    /// @notice What the ledger stores of a batch: the first 31 bytes of its digest, its stored status
    /// (None if unknown; a stored Submitted may be Final in effect, see `statusOf`) and the mask of
    /// the counterparties that acknowledged it.
    function anchorOf(bytes32 batchId) external view returns (bytes31 digest, BatchStatus stored, uint256 ackMask);

    /// @notice Effective status of `batchId`, whose anchored header is `header` (None if unknown;
    /// reverts LedgerHeaderMismatch for another header): Submitted becomes Final when all
    /// counterparties acknowledged or the window closed; a final batch taken into a cycle is Netted.
    function statusOf(bytes32 batchId, BatchHeader calldata header) external view returns (BatchStatus);

    /// @notice Revert unless `header` is the anchored header of `batchId` and the batch is Final
    /// (a batch already taken into a settlement cycle is Netted, not Final: it reverts).
    function requireFinal(bytes32 batchId, BatchHeader calldata header) external view;

    /// @notice Whether `leaf` is in the anchored batch, given its header and proof, with the batch's
    /// tree hash (`treeHashOf`: SM3 batches are checked by the SM3 verifier). **Warning:** any
    /// node of the tree passes, not only a record's leaf (an internal node with its upper path):
    /// integrators proving a payment must use `verifyRecord`; this is for callers that computed
    /// the leaf from the record themselves (`leafOf`).
    function verifyInclusion(
        bytes32 batchId,
        BatchHeader calldata header,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Whether the payment record `encodedRecord` is in the anchored batch: its leaf is
    /// computed here (`leafOf`, or the SM3 verifier's `leafOf` for an SM3 batch), so no internal
    /// node can pass. Integrators use this one.
    function verifyRecord(
        bytes32 batchId,
        BatchHeader calldata header,
        uint256[8] calldata encodedRecord,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The keccak256 leaf hash of an encoded payment record (as StandardMerkleTree hashes it;
    /// an SM3 batch's leaf is the SM3 verifier's `leafOf`).
    function leafOf(uint256[8] calldata encodedRecord) external pure returns (bytes32);

    /// @notice A bank's enrollment index (reverts if not enrolled) and its last batch sequence. A
    /// released bank keeps the index it held (its old batches stay declarable; `isReleased`).
    function bankOf(address bank) external view returns (uint8 index, uint64 sequence);

    /// @notice The current holder of each index (zero for a released index not yet given again).
    function banks() external view returns (address[] memory);

    /// @notice The acknowledgement window, seconds.
    function ackWindow() external view returns (uint32);

    /// @notice How much later than now + ackWindow a header's window end may be, seconds.
    function MAX_WINDOW_SLACK() external view returns (uint32);

    /// @notice Seconds after a release before its index may be given to a new bank (MAX_WINDOW +
    /// MAX_WINDOW_SLACK: every batch open at the release has closed; the index is free one second later).
    function RELEASE_QUARANTINE() external view returns (uint40);
}
