// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title SettlementLedger — idempotent anchoring of settlement batches
/// @notice Stores two slots per batch (its header digest and a packed state), whatever the number
/// of payments in it, so anchoring costs the same for 10 or 100,000 payments.
/// @dev UUPS proxy owned by governance; ERC-7201 storage; every entry point checks the registry.
/// @custom:security-contact security@clearhouse.example
contract SettlementLedger is ISettlementLedger, Ownable2StepUpgradeable, UUPSUpgradeable {
    uint8 private constant MAX_BANKS = 32;
    uint32 private constant MIN_WINDOW = 1 minutes;
    uint32 private constant MAX_WINDOW = 30 days;

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
        mapping(bytes32 batchId => bytes32 digest) digests;
        mapping(bytes32 batchId => BatchState) states;
        address nettingEngine; // appended: may mark final batches Netted
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
        bytes32 anchored = $.digests[batchId];
        if (anchored != bytes32(0)) {
            // A retry of the same submission is a no-op; the same key for other content is refused.
            if (anchored != digest) revert LedgerBatchConflict(batchId, anchored, digest);
            return (batchId, false);
        }
        uint64 sequence = _admit(header);
        $.digests[batchId] = digest;
        $.states[batchId] = BatchState({
            sequence: sequence,
            submittedAt: uint40(block.timestamp),
            status: BatchStatus.Submitted,
            counterpartyMask: header.counterpartyMask,
            ackMask: 0,
            // Fixed now: a later change of the window never reopens or closes this batch's window.
            closesAt: uint40(block.timestamp) + $.ackWindow,
            cycle: 0
        });
        emit BatchSubmitted(batchId, msg.sender, key, sequence, digest, header);
        return (batchId, true);
    }

    /// @inheritdoc ISettlementLedger
    function acknowledge(bytes32 batchId) external whenNotPaused {
        (BatchState storage st, uint32 bit) = _answerable(batchId);
        uint32 acks = st.ackMask | bit;
        st.ackMask = acks;
        emit BatchAcknowledged(batchId, msg.sender, acks == st.counterpartyMask);
    }

    /// @inheritdoc ISettlementLedger
    function dispute(bytes32 batchId, uint16 reasonCode) external whenNotPaused {
        if (reasonCode == 0) revert LedgerInvalidReason();
        (BatchState storage st, ) = _answerable(batchId);
        st.status = BatchStatus.Disputed;
        emit BatchDisputed(batchId, msg.sender, reasonCode);
    }

    /// @inheritdoc ISettlementLedger
    function resolveDispute(bytes32 batchId, bool upheld) external whenNotPaused {
        _s().registry.requireMember(msg.sender, Roles.OPERATOR);
        BatchState storage st = _state(batchId);
        if (st.status != BatchStatus.Disputed) revert LedgerWrongStatus(batchId, _effective(st));
        st.status = upheld ? BatchStatus.Rejected : BatchStatus.Final;
        emit DisputeResolved(batchId, msg.sender, upheld);
    }

    /// @inheritdoc ISettlementLedger
    function markNetted(bytes32 batchId, BatchHeader calldata header, uint64 cycleId) external whenNotPaused {
        if (msg.sender != _s().nettingEngine) revert LedgerNotNettingEngine(msg.sender);
        BatchState storage st = _state(batchId);
        _requireHeader(batchId, header);
        BatchStatus status = _effective(st);
        if (status == BatchStatus.Netted) revert LedgerAlreadyNetted(batchId, st.cycle);
        if (status != BatchStatus.Final) revert LedgerWrongStatus(batchId, status);
        st.status = BatchStatus.Netted;
        st.cycle = uint40(cycleId);
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
    function batchOf(bytes32 batchId) external view returns (BatchState memory, bytes32 digest, BatchStatus status) {
        BatchState storage st = _state(batchId);
        return (st, _s().digests[batchId], _effective(st));
    }

    /// @inheritdoc ISettlementLedger
    function statusOf(bytes32 batchId) external view returns (BatchStatus) {
        BatchState storage st = _s().states[batchId];
        return st.sequence == 0 ? BatchStatus.None : _effective(st);
    }

    /// @inheritdoc ISettlementLedger
    function nettingEngine() external view returns (address) {
        return _s().nettingEngine;
    }

    /// @inheritdoc ISettlementLedger
    function nettedIn(bytes32 batchId) external view returns (uint64) {
        BatchState storage st = _s().states[batchId];
        return st.status == BatchStatus.Netted ? st.cycle : 0;
    }

    /// @inheritdoc ISettlementLedger
    function requireFinal(bytes32 batchId, BatchHeader calldata header) external view {
        BatchState storage st = _state(batchId);
        _requireHeader(batchId, header);
        BatchStatus status = _effective(st);
        if (status != BatchStatus.Final) revert LedgerWrongStatus(batchId, status);
    }

    /// @inheritdoc ISettlementLedger
    function verifyInclusion(
        bytes32 batchId,
        BatchHeader calldata header,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (bool) {
        _state(batchId);
        _requireHeader(batchId, header);
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

    /// @dev The caller's bit in a batch it may still acknowledge or dispute.
    function _answerable(bytes32 batchId) private view returns (BatchState storage st, uint32 bit) {
        LedgerStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        st = _state(batchId);
        uint8 indexPlusOne = $.bankOf[msg.sender].indexPlusOne;
        bit = indexPlusOne == 0 ? 0 : uint32(1) << (indexPlusOne - 1);
        if (st.counterpartyMask & bit == 0) revert LedgerNotCounterparty(batchId, msg.sender);
        if (st.status != BatchStatus.Submitted) revert LedgerWrongStatus(batchId, _effective(st));
        if (block.timestamp > st.closesAt) revert LedgerWindowClosed(batchId, st.closesAt);
        if (st.ackMask & bit != 0) revert LedgerAlreadyAnswered(batchId, msg.sender);
    }

    function _state(bytes32 batchId) private view returns (BatchState storage st) {
        st = _s().states[batchId];
        if (st.sequence == 0) revert LedgerUnknownBatch(batchId);
    }

    function _requireHeader(bytes32 batchId, BatchHeader calldata header) private view {
        bytes32 anchored = _s().digests[batchId];
        bytes32 given = keccak256(abi.encode(header));
        if (anchored != given) revert LedgerHeaderMismatch(batchId, anchored, given);
    }

    /// @dev Submitted is Final once every counterparty acknowledged or the window passed.
    function _effective(BatchState storage st) private view returns (BatchStatus) {
        BatchStatus status = st.status;
        if (status != BatchStatus.Submitted) return status;
        if (st.ackMask == st.counterpartyMask) return BatchStatus.Final;
        if (block.timestamp > st.closesAt) return BatchStatus.Final;
        return BatchStatus.Submitted;
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
