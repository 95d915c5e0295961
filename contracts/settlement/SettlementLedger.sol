// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title SettlementLedger — idempotent anchoring of settlement batches
/// @notice Writes one storage word per batch (the first 31 bytes of its header digest and its
/// status), whatever the number of payments in it, so anchoring costs the same for 10 or 100,000
/// payments. Acknowledgements are written only when given (their own word); decision 018.
/// @dev UUPS proxy owned by governance; ERC-7201 storage; every entry point checks the registry.
/// @custom:security-contact security@clearhouse.example
contract SettlementLedger is ISettlementLedger, Ownable2StepUpgradeable, UUPSUpgradeable {
    uint8 private constant MAX_BANKS = 32;
    uint32 private constant MIN_WINDOW = 1 minutes;
    uint32 private constant MAX_WINDOW = 30 days;
    /// @inheritdoc ISettlementLedger
    uint32 public constant MAX_WINDOW_SLACK = 15 minutes;
    /// @dev An anchor word: the digest's first 31 bytes | the stored status in the last byte.
    bytes32 private constant DIGEST_PART = ~bytes32(uint256(0xff));

    struct Bank {
        uint8 indexPlusOne;
        uint64 sequence;
    }

    /// @custom:storage-location erc7201:clearhouse.storage.SettlementLedger
    struct LedgerStorage {
        // The first slot holds everything a submission reads besides the batch itself.
        IConsortiumRegistry registry;
        uint32 ackWindow;
        uint8 bankCount;
        bool paused;
        address[] banks;
        mapping(address bank => Bank) bankOf;
        mapping(bytes32 batchId => bytes32 anchor) anchors; // digest's first 31 bytes | stored status
        mapping(bytes32 batchId => uint32 ackMask) acks; // counterparties that acknowledged
        address nettingEngine; // may mark final batches Netted
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.SettlementLedger")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x4f6afbace73d2c2bb2f7f3692c4c3207833ae1eb39488a70212b1c664e4d2c00;

    function _s() private pure returns (LedgerStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    modifier whenNotPaused() {
        if (_s().paused) revert EnforcedPause();
        _;
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initialize the proxy.
    /// @param initialOwner the deployer, later the governance multisig
    /// @param registry_ the consortium registry
    /// @param ackWindow_ seconds counterparties have to acknowledge or dispute a batch
    function initialize(address initialOwner, IConsortiumRegistry registry_, uint32 ackWindow_) external initializer {
        __Ownable_init(initialOwner);
        if (address(registry_).code.length == 0) revert LedgerInvalidRegistry(address(registry_));
        _s().registry = registry_;
        _setAckWindow(ackWindow_);
    }

    // ================================================================ banks

    /// @inheritdoc ISettlementLedger
    function enroll() external whenNotPaused returns (uint8 index) {
        _s().registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        return _enroll(msg.sender);
    }

    // ================================================================ batches

    /// @inheritdoc ISettlementLedger
    function submitBatch(
        bytes32 key,
        BatchHeader calldata header
    ) external whenNotPaused returns (bytes32 batchId, bool created) {
        LedgerStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        batchId = keccak256(abi.encode(msg.sender, key));
        bytes32 digest = keccak256(abi.encode(header));
        bytes32 anchored = $.anchors[batchId];
        if (anchored != bytes32(0)) {
            // A retry of the same submission is a no-op; the same key for other content is refused.
            if (anchored & DIGEST_PART != digest & DIGEST_PART) {
                revert LedgerBatchConflict(batchId, bytes31(anchored), digest);
            }
            return (batchId, false);
        }
        uint64 sequence = _admit(header);
        $.anchors[batchId] = _anchor(digest, BatchStatus.Submitted);
        emit BatchSubmitted(batchId, msg.sender, key, sequence, digest, header);
        return (batchId, true);
    }

    /// @inheritdoc ISettlementLedger
    function acknowledge(bytes32 batchId, BatchHeader calldata header) external whenNotPaused {
        uint32 bit = _answerable(batchId, header);
        uint32 acks = _s().acks[batchId];
        if (acks & bit != 0) revert LedgerAlreadyAnswered(batchId, msg.sender);
        acks |= bit;
        _s().acks[batchId] = acks;
        emit BatchAcknowledged(batchId, msg.sender, acks == header.counterpartyMask);
    }

    /// @inheritdoc ISettlementLedger
    function dispute(bytes32 batchId, BatchHeader calldata header, uint16 reasonCode) external whenNotPaused {
        if (reasonCode == 0) revert LedgerInvalidReason();
        uint32 bit = _answerable(batchId, header);
        if (_s().acks[batchId] & bit != 0) revert LedgerAlreadyAnswered(batchId, msg.sender);
        _setStatus(batchId, BatchStatus.Disputed);
        emit BatchDisputed(batchId, msg.sender, reasonCode);
    }

    /// @inheritdoc ISettlementLedger
    /// @dev A batch not in dispute reverts LedgerWrongStatus with its stored status.
    function resolveDispute(bytes32 batchId, bool upheld) external whenNotPaused {
        _s().registry.requireMember(msg.sender, Roles.OPERATOR);
        BatchStatus stored = _stored(_anchorWord(batchId));
        if (stored != BatchStatus.Disputed) revert LedgerWrongStatus(batchId, stored);
        _setStatus(batchId, upheld ? BatchStatus.Rejected : BatchStatus.Final);
        emit DisputeResolved(batchId, msg.sender, upheld);
    }

    /// @inheritdoc ISettlementLedger
    function markNetted(bytes32 batchId, BatchHeader calldata header, uint64 cycleId) external whenNotPaused {
        if (msg.sender != _s().nettingEngine) revert LedgerNotNettingEngine(msg.sender);
        BatchStatus status = _effective(batchId, _anchored(batchId, header), header);
        if (status == BatchStatus.Netted) revert LedgerAlreadyNetted(batchId);
        if (status != BatchStatus.Final) revert LedgerWrongStatus(batchId, status);
        _setStatus(batchId, BatchStatus.Netted);
        emit BatchNetted(batchId, cycleId);
    }

    // ================================================================ governance

    /// @inheritdoc ISettlementLedger
    function setNettingEngine(address engine) external onlyOwner {
        if (engine.code.length == 0) revert LedgerInvalidEngine(engine);
        _s().nettingEngine = engine;
        emit NettingEngineSet(engine);
    }

    /// @inheritdoc ISettlementLedger
    /// @dev Applies to batches submitted from now on; each batch keeps the window it was given.
    function setAckWindow(uint32 ackWindow_) external onlyOwner {
        _setAckWindow(ackWindow_);
    }

    /// @inheritdoc ISettlementLedger
    /// @dev A flag of its own, packed with the registry address, rather than OpenZeppelin's
    /// Pausable: every entry point reads that slot anyway, so the check costs no extra SLOAD.
    function pause() external onlyOwner {
        LedgerStorage storage $ = _s();
        if ($.paused) revert EnforcedPause();
        $.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc ISettlementLedger
    function unpause() external onlyOwner {
        LedgerStorage storage $ = _s();
        if (!$.paused) revert ExpectedPause();
        $.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc ISettlementLedger
    function paused() external view returns (bool) {
        return _s().paused;
    }

    // ================================================================ views

    /// @inheritdoc ISettlementLedger
    function batchIdOf(address submitter, bytes32 key) external pure returns (bytes32) {
        return keccak256(abi.encode(submitter, key));
    }

    /// @inheritdoc ISettlementLedger
    function digestOf(BatchHeader calldata header) external pure returns (bytes32) {
        return keccak256(abi.encode(header));
    }

    /// @inheritdoc ISettlementLedger
    function anchorOf(bytes32 batchId) external view returns (bytes31 digest, BatchStatus stored, uint32 ackMask) {
        bytes32 anchored = _s().anchors[batchId];
        return (bytes31(anchored), _stored(anchored), _s().acks[batchId]);
    }

    /// @inheritdoc ISettlementLedger
    function statusOf(bytes32 batchId, BatchHeader calldata header) external view returns (BatchStatus) {
        if (_s().anchors[batchId] == bytes32(0)) return BatchStatus.None;
        return _effective(batchId, _anchored(batchId, header), header);
    }

    /// @inheritdoc ISettlementLedger
    function nettingEngine() external view returns (address) {
        return _s().nettingEngine;
    }

    /// @inheritdoc ISettlementLedger
    function requireFinal(bytes32 batchId, BatchHeader calldata header) external view {
        BatchStatus status = _effective(batchId, _anchored(batchId, header), header);
        if (status != BatchStatus.Final) revert LedgerWrongStatus(batchId, status);
    }

    /// @inheritdoc ISettlementLedger
    function verifyInclusion(
        bytes32 batchId,
        BatchHeader calldata header,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (bool) {
        _anchored(batchId, header);
        return MerkleProof.verifyCalldata(proof, header.root, leaf);
    }

    /// @inheritdoc ISettlementLedger
    function leafOf(uint256[8] calldata encodedRecord) external pure returns (bytes32) {
        // Addresses and uint64 encode to the same 32-byte words as uint256 of the same value.
        return keccak256(bytes.concat(keccak256(abi.encode(encodedRecord))));
    }

    /// @inheritdoc ISettlementLedger
    function bankOf(address bank) external view returns (uint8 index, uint64 sequence) {
        Bank storage b = _s().bankOf[bank];
        if (b.indexPlusOne == 0) revert LedgerNotEnrolled(bank);
        return (b.indexPlusOne - 1, b.sequence);
    }

    /// @inheritdoc ISettlementLedger
    function banks() external view returns (address[] memory) {
        return _s().banks;
    }

    /// @inheritdoc ISettlementLedger
    function ackWindow() external view returns (uint32) {
        return _s().ackWindow;
    }

    // ================================================================ internals

    function _enroll(address bank) private returns (uint8 index) {
        LedgerStorage storage $ = _s();
        Bank storage b = $.bankOf[bank];
        if (b.indexPlusOne != 0) revert LedgerAlreadyEnrolled(bank, b.indexPlusOne - 1);
        uint8 count = $.bankCount;
        if (count >= MAX_BANKS) revert LedgerTooManyBanks();
        index = count;
        $.bankCount = count + 1;
        $.banks.push(bank);
        b.indexPlusOne = index + 1;
        emit BankEnrolled(bank, index);
    }

    /// @dev Validate a new batch's header (enrolling the submitter if needed) and return its sequence.
    function _admit(BatchHeader calldata header) private returns (uint64 sequence) {
        if (header.root == bytes32(0)) revert LedgerInvalidHeader("root");
        if (header.entryCount == 0) revert LedgerInvalidHeader("entryCount");
        if (header.grossTotal == 0) revert LedgerInvalidHeader("grossTotal");
        LedgerStorage storage $ = _s();
        // The window end is the bank's stamp: at least the full window from now, at most 15 minutes
        // more (room for the client's margin and rounding, not for postponing its own debits).
        uint256 earliest = block.timestamp + $.ackWindow;
        if (header.closesAt < earliest || header.closesAt > earliest + MAX_WINDOW_SLACK) {
            revert LedgerInvalidWindowEnd(header.closesAt, earliest, earliest + MAX_WINDOW_SLACK);
        }
        Bank storage bank = $.bankOf[msg.sender];
        uint8 index = bank.indexPlusOne == 0 ? _enroll(msg.sender) : bank.indexPlusOne - 1;
        uint256 bankCount = $.bankCount;
        uint32 mask = header.counterpartyMask;
        // Counterparties are enrolled banks other than the submitter.
        if (mask == 0 || (bankCount < 32 && mask >> bankCount != 0) || mask & (uint32(1) << index) != 0) {
            revert LedgerInvalidCounterparties(mask, uint8(bankCount));
        }
        sequence = bank.sequence + 1;
        bank.sequence = sequence;
    }

    /// @dev The caller's bit in a batch it may still acknowledge or dispute (`header` is checked).
    function _answerable(bytes32 batchId, BatchHeader calldata header) private view returns (uint32 bit) {
        LedgerStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        bytes32 anchored = _anchored(batchId, header);
        uint8 indexPlusOne = $.bankOf[msg.sender].indexPlusOne;
        bit = indexPlusOne == 0 ? 0 : uint32(1) << (indexPlusOne - 1);
        if (header.counterpartyMask & bit == 0) revert LedgerNotCounterparty(batchId, msg.sender);
        if (_stored(anchored) != BatchStatus.Submitted) {
            revert LedgerWrongStatus(batchId, _effective(batchId, anchored, header));
        }
        if (block.timestamp > header.closesAt) revert LedgerWindowClosed(batchId, header.closesAt);
    }

    /// @dev The anchor word of a known batch.
    function _anchorWord(bytes32 batchId) private view returns (bytes32 anchored) {
        anchored = _s().anchors[batchId];
        if (anchored == bytes32(0)) revert LedgerUnknownBatch(batchId);
    }

    /// @dev The anchor word of a known batch whose anchored header is `header`.
    function _anchored(bytes32 batchId, BatchHeader calldata header) private view returns (bytes32 anchored) {
        anchored = _anchorWord(batchId);
        bytes32 given = keccak256(abi.encode(header));
        if (anchored & DIGEST_PART != given & DIGEST_PART) {
            revert LedgerHeaderMismatch(batchId, bytes31(anchored), given);
        }
    }

    /// @dev Stored Submitted is Final once the window closed or every counterparty acknowledged.
    function _effective(
        bytes32 batchId,
        bytes32 anchored,
        BatchHeader calldata header
    ) private view returns (BatchStatus status) {
        status = _stored(anchored);
        if (status != BatchStatus.Submitted) return status;
        // The clock first: after the window (the daily routine) the acknowledgements are not read.
        if (block.timestamp > header.closesAt) return BatchStatus.Final;
        if (_s().acks[batchId] == header.counterpartyMask) return BatchStatus.Final;
    }

    function _stored(bytes32 anchored) private pure returns (BatchStatus) {
        return BatchStatus(uint8(uint256(anchored)));
    }

    function _anchor(bytes32 digest, BatchStatus status) private pure returns (bytes32) {
        return (digest & DIGEST_PART) | bytes32(uint256(status));
    }

    function _setStatus(bytes32 batchId, BatchStatus status) private {
        LedgerStorage storage $ = _s();
        $.anchors[batchId] = _anchor($.anchors[batchId], status);
    }

    function _setAckWindow(uint32 ackWindow_) private {
        if (ackWindow_ < MIN_WINDOW || ackWindow_ > MAX_WINDOW) revert LedgerInvalidWindow(ackWindow_);
        _s().ackWindow = ackWindow_;
        emit AckWindowSet(ackWindow_);
    }

    /// @dev Only governance upgrades the ledger.
    function _authorizeUpgrade(address) internal override onlyOwner {}

    /// @notice Disabled: the ledger must always have an owner (governance).
    function renounceOwnership() public view override onlyOwner {
        revert LedgerOwnershipCannotBeRenounced();
    }
}
