// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ISM3MerkleVerifier} from "../crypto/ISM3MerkleVerifier.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {LedgerBanks} from "./LedgerBanks.sol";

/// @title SettlementLedger — idempotent anchoring of settlement batches
/// @notice Writes one storage word per batch (the first 31 bytes of its header digest and its
/// status), whatever the number of payments in it, so anchoring costs the same for 10 or 100,000
/// payments. Acknowledgements are written only when given (their own word); decision 018.
/// @dev UUPS proxy owned by governance; ERC-7201 storage; every entry point checks the registry.
/// @custom:security-contact security@clearhouse.example
contract SettlementLedger is LedgerBanks, EIP712Upgradeable, UUPSUpgradeable {
    /// @dev An anchor word: the digest's first 31 bytes | the stored status in the last byte.
    bytes32 private constant DIGEST_PART = ~bytes32(uint256(0xff));
    /// @dev In an anchor word's last byte: the batch's tree is SM3 (decision 046); the status is the low 7 bits.
    uint256 private constant SM3_TREE = 0x80;
    uint256 private constant STATUS_PART = 0x7f;
    /// @dev EIP-712 type of a signed dispute (docs/spec/batch-header.md).
    bytes32 private constant DISPUTE_TYPEHASH = keccak256(
        "Dispute(bytes32 batchId,uint16 reasonCode,uint256 deadline)"
    );

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
        __EIP712_init("Clearhouse SettlementLedger", "1");
        if (address(registry_).code.length == 0) revert LedgerInvalidRegistry(address(registry_));
        _s().registry = registry_;
        _setAckWindow(ackWindow_);
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
        bool sm3 = $.treeHash == TreeHash.SM3;
        $.anchors[batchId] = _anchor(digest, BatchStatus.Submitted) | bytes32(sm3 ? SM3_TREE : 0);
        emit BatchSubmitted(batchId, msg.sender, key, sequence, digest, header);
        if (sm3) emit BatchTreeHash(batchId, TreeHash.SM3);
        return (batchId, true);
    }

    /// @inheritdoc ISettlementLedger
    function acknowledge(bytes32 batchId, BatchHeader calldata header) external whenNotPaused {
        _s().registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        uint256 bit = _answerable(batchId, header, msg.sender);
        uint256 acks = _s().acks[batchId];
        if (acks & bit != 0) revert LedgerAlreadyAnswered(batchId, msg.sender);
        acks |= bit;
        _s().acks[batchId] = acks;
        emit BatchAcknowledged(batchId, msg.sender, acks == header.counterpartyMask);
    }

    /// @inheritdoc ISettlementLedger
    function dispute(bytes32 batchId, BatchHeader calldata header, uint16 reasonCode) external whenNotPaused {
        _dispute(batchId, header, reasonCode, msg.sender);
    }

    /// @inheritdoc ISettlementLedger
    /// @dev No nonce: a batch is disputed at most once (a second dispute finds it Disputed, Rejected
    /// or Final), so a replayed signature is refused with LedgerWrongStatus.
    function disputeBySignature(
        bytes32 batchId,
        BatchHeader calldata header,
        uint16 reasonCode,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external whenNotPaused {
        if (block.timestamp > deadline) revert LedgerSignatureExpired(deadline);
        bytes32 digest = _disputeDigest(batchId, reasonCode, deadline);
        // A view call for an ERC-1271 signer: nothing is written before or after it but the dispute.
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) revert LedgerInvalidSignature(signer);
        _dispute(batchId, header, reasonCode, signer);
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
    /// @dev Applies to batches submitted from now on; each batch keeps its tree hash in its anchor word.
    function setTreeHash(TreeHash treeHash_, address sm3Verifier) external onlyOwner {
        LedgerStorage storage $ = _s();
        if (sm3Verifier != address(0) || treeHash_ == TreeHash.SM3) {
            if (sm3Verifier.code.length == 0) revert LedgerInvalidTreeVerifier(sm3Verifier);
            $.sm3Verifier = sm3Verifier;
        }
        $.treeHash = treeHash_;
        emit TreeHashSet(treeHash_, sm3Verifier);
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
    function disputeDigest(bytes32 batchId, uint16 reasonCode, uint256 deadline) external view returns (bytes32) {
        return _disputeDigest(batchId, reasonCode, deadline);
    }

    /// @inheritdoc ISettlementLedger
    function anchorOf(bytes32 batchId) external view returns (bytes31 digest, BatchStatus stored, uint256 ackMask) {
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
        if (_isSm3(_anchored(batchId, header))) {
            return ISM3MerkleVerifier(_s().sm3Verifier).verify(proof, header.root, leaf);
        }
        return MerkleProof.verifyCalldata(proof, header.root, leaf);
    }

    /// @inheritdoc ISettlementLedger
    function verifyRecord(
        bytes32 batchId,
        BatchHeader calldata header,
        uint256[8] calldata encodedRecord,
        bytes32[] calldata proof
    ) external view returns (bool) {
        if (_isSm3(_anchored(batchId, header))) {
            return ISM3MerkleVerifier(_s().sm3Verifier).verifyRecord(proof, header.root, encodedRecord);
        }
        return MerkleProof.verifyCalldata(proof, header.root, _leafOf(encodedRecord));
    }

    /// @inheritdoc ISettlementLedger
    function treeHash() external view returns (TreeHash) {
        return _s().treeHash;
    }

    /// @inheritdoc ISettlementLedger
    function treeHashOf(bytes32 batchId) external view returns (TreeHash) {
        return _isSm3(_anchorWord(batchId)) ? TreeHash.SM3 : TreeHash.Keccak256;
    }

    /// @inheritdoc ISettlementLedger
    function leafOf(uint256[8] calldata encodedRecord) external pure returns (bytes32) {
        return _leafOf(encodedRecord);
    }

    /// @inheritdoc ISettlementLedger
    function ackWindow() external view returns (uint32) {
        return _s().ackWindow;
    }

    // ================================================================ internals

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
        uint256 indexPlusOne = bank.indexPlusOne;
        if (indexPlusOne == 0) {
            indexPlusOne = uint256(_enroll(msg.sender)) + 1;
        } else if (bank.barred || bank.released) {
            // A re-admitted released bank would otherwise anchor under an index another bank holds.
            if (bank.released) revert LedgerBankReleased(msg.sender, uint8(indexPlusOne - 1));
            revert LedgerBankBarred(msg.sender);
        }
        uint256 bankCount = $.bankCount;
        uint256 mask = header.counterpartyMask;
        // Counterparties are enrolled banks other than the submitter (a shift by 256 gives 0).
        if (mask == 0 || mask >> bankCount != 0 || mask & (uint256(1) << (indexPlusOne - 1)) != 0) {
            revert LedgerInvalidCounterparties(mask, uint16(bankCount));
        }
        // Released indexes not yet given again name nobody: only read while there is one.
        if ($.anyFree && mask & $.freeMask != 0) revert LedgerCounterpartyReleased(mask, $.freeMask);
        sequence = bank.sequence + 1;
        bank.sequence = sequence;
    }

    /// @dev Dispute `batchId` as `account` (the caller or a signer), a member bank that is Active or
    /// Suspended but neither Removed nor sanctioned: a suspended bank cannot send transactions on
    /// Besu, and its silence must not finalize a batch it disagrees with.
    function _dispute(bytes32 batchId, BatchHeader calldata header, uint16 reasonCode, address account) private {
        if (reasonCode == 0) revert LedgerInvalidReason();
        _requireMayDispute(account);
        uint256 bit = _answerable(batchId, header, account);
        if (_s().acks[batchId] & bit != 0) revert LedgerAlreadyAnswered(batchId, account);
        _setStatus(batchId, BatchStatus.Disputed);
        emit BatchDisputed(batchId, account, reasonCode);
    }

    /// @dev The registry's own errors for a disputer that is not a member bank, Removed or sanctioned.
    function _requireMayDispute(address account) private view {
        IConsortiumRegistry registry = _s().registry;
        uint16 sanction = registry.sanctionOf(account);
        if (sanction != 0) revert IConsortiumRegistry.RegistryAccountSanctioned(account, sanction);
        IConsortiumRegistry.Member memory m = registry.memberOf(account);
        if (m.status == IConsortiumRegistry.MemberStatus.None) revert IConsortiumRegistry.RegistryNotMember(account);
        if (m.status == IConsortiumRegistry.MemberStatus.Removed) {
            revert IConsortiumRegistry.RegistryMemberRemoved(account, m.statusSince);
        }
        if (m.roles & Roles.MEMBER_BANK == 0)
            revert IConsortiumRegistry.RegistryMissingRole(account, Roles.MEMBER_BANK);
    }

    /// @dev `account`'s bit in a batch it may still acknowledge or dispute (`header` is checked); a
    /// released bank has none (its index may be another bank's now).
    function _answerable(
        bytes32 batchId,
        BatchHeader calldata header,
        address account
    ) private view returns (uint256 bit) {
        bytes32 anchored = _anchored(batchId, header);
        Bank storage b = _s().bankOf[account];
        uint256 indexPlusOne = b.indexPlusOne;
        bit = indexPlusOne == 0 || b.released ? 0 : uint256(1) << (indexPlusOne - 1);
        if (header.counterpartyMask & bit == 0) revert LedgerNotCounterparty(batchId, account);
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

    function _disputeDigest(bytes32 batchId, uint16 reasonCode, uint256 deadline) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(DISPUTE_TYPEHASH, batchId, reasonCode, deadline)));
    }

    /// @dev Addresses and uint64 encode to the same 32-byte words as uint256 of the same value.
    function _leafOf(uint256[8] calldata encodedRecord) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(encodedRecord))));
    }

    function _stored(bytes32 anchored) private pure returns (BatchStatus) {
        return BatchStatus(uint8(uint256(anchored) & STATUS_PART));
    }

    function _isSm3(bytes32 anchored) private pure returns (bool) {
        return uint256(anchored) & SM3_TREE != 0;
    }

    function _anchor(bytes32 digest, BatchStatus status) private pure returns (bytes32) {
        return (digest & DIGEST_PART) | bytes32(uint256(status));
    }

    function _setStatus(bytes32 batchId, BatchStatus status) private {
        LedgerStorage storage $ = _s();
        bytes32 anchored = $.anchors[batchId];
        // Keep the tree flag: only the status bits change.
        $.anchors[batchId] = (anchored & ~bytes32(STATUS_PART)) | bytes32(uint256(status));
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
