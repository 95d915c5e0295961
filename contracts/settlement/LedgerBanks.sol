// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title LedgerBanks — the settlement ledger's storage and its banks: indexes, release, barring
/// @notice Up to 256 banks hold an index (bit i of a counterparty mask). A bank the registry removed
/// is released by an operator: its index waits out a quarantine (every batch open at the release
/// has closed) and then goes to the next bank that enrolls. The netting engine (or governance) can
/// bar a bank from anchoring new batches. Decision 022.
/// @dev Abstract base of SettlementLedger; owns the ledger's ERC-7201 namespace.
abstract contract LedgerBanks is ISettlementLedger, Ownable2StepUpgradeable {
    uint256 internal constant MAX_BANKS = 256;
    uint32 internal constant MIN_WINDOW = 1 minutes;
    uint32 internal constant MAX_WINDOW = 30 days;
    /// @inheritdoc ISettlementLedger
    uint32 public constant MAX_WINDOW_SLACK = 15 minutes;
    /// @inheritdoc ISettlementLedger
    uint40 public constant RELEASE_QUARANTINE = MAX_WINDOW + MAX_WINDOW_SLACK;

    /// @dev One word per bank; submitBatch reads and writes it anyway, so the flags cost no SLOAD.
    struct Bank {
        uint16 indexPlusOne; // 0: never enrolled; a released bank keeps it
        uint64 sequence;
        bool barred; // may not anchor new batches
        bool released; // left the consortium: its index went to the free list
    }

    /// @dev A released index waiting for a new bank.
    struct Release {
        address bank;
        uint8 index;
        uint40 availableAt;
    }

    /// @custom:storage-location erc7201:clearhouse.storage.SettlementLedger
    struct LedgerStorage {
        // The first slot holds everything a submission reads besides the batch and the bank's word.
        IConsortiumRegistry registry;
        uint32 ackWindow;
        uint16 bankCount; // indexes ever handed out, 0 … 256
        bool paused;
        bool anyFree; // freeMask != 0: only then does a submission read freeMask
        // Decision 046: in slot 0's free bytes (a layout-safe insert), so a submission reads it free.
        TreeHash treeHash; // of batches submitted from now on
        address[] banks; // index → current holder (zero while released)
        mapping(address bank => Bank) bankOf;
        mapping(bytes32 batchId => bytes32 anchor) anchors; // digest's first 31 bytes | stored status
        mapping(bytes32 batchId => uint256 ackMask) acks; // counterparties that acknowledged
        address nettingEngine; // may mark final batches Netted and bar banks
        uint256 freeMask; // released indexes not yet given again
        Release[] releases; // the free list, oldest release first from `nextRelease`
        uint256 nextRelease;
        address sm3Verifier; // ISM3MerkleVerifier: read only for SM3 batches' inclusion checks
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.SettlementLedger")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x4f6afbace73d2c2bb2f7f3692c4c3207833ae1eb39488a70212b1c664e4d2c00;

    function _s() internal pure returns (LedgerStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    modifier whenNotPaused() {
        if (_s().paused) revert EnforcedPause();
        _;
    }

    // ================================================================ entry points

    /// @inheritdoc ISettlementLedger
    function enroll() external whenNotPaused returns (uint8 index) {
        _s().registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        return _enroll(msg.sender);
    }

    /// @inheritdoc ISettlementLedger
    /// @dev An operator's routine step after governance removed the bank in the registry: the
    /// removal is the decision, the release only recycles the index, and the quarantine keeps every
    /// batch that was open at the release out of the next holder's reach.
    function releaseBank(address bank) external whenNotPaused {
        LedgerStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        Bank storage b = $.bankOf[bank];
        uint16 indexPlusOne = b.indexPlusOne;
        if (indexPlusOne == 0) revert LedgerNotEnrolled(bank);
        uint8 index = uint8(indexPlusOne - 1);
        if (b.released) revert LedgerBankReleased(bank, index);
        IConsortiumRegistry.MemberStatus status = $.registry.memberOf(bank).status;
        if (status != IConsortiumRegistry.MemberStatus.Removed) revert LedgerBankNotRemoved(bank, uint8(status));
        b.released = true;
        delete $.banks[index];
        $.freeMask |= uint256(1) << index;
        $.anyFree = true;
        uint40 availableAt = uint40(block.timestamp) + RELEASE_QUARANTINE + 1;
        $.releases.push(Release(bank, index, availableAt));
        emit BankReleased(bank, index, availableAt);
    }

    /// @inheritdoc ISettlementLedger
    /// @dev Not stopped by a pause: the engine's escalation and governance must work in emergencies.
    function setBarred(address bank, bool barred) external {
        LedgerStorage storage $ = _s();
        if (msg.sender != $.nettingEngine && msg.sender != owner()) revert LedgerUnauthorizedBarring(msg.sender);
        Bank storage b = $.bankOf[bank];
        if (b.indexPlusOne == 0) revert LedgerNotEnrolled(bank);
        b.barred = barred;
        emit BankBarred(bank, barred);
    }

    // ================================================================ views

    /// @inheritdoc ISettlementLedger
    function isBarred(address bank) external view returns (bool) {
        return _s().bankOf[bank].barred;
    }

    /// @inheritdoc ISettlementLedger
    function isReleased(address bank) external view returns (bool) {
        return _s().bankOf[bank].released;
    }

    /// @inheritdoc ISettlementLedger
    function freeIndexes() external view returns (uint8[] memory indexes, uint40[] memory availableAt) {
        LedgerStorage storage $ = _s();
        uint256 first = $.nextRelease;
        uint256 n = $.releases.length - first;
        indexes = new uint8[](n);
        availableAt = new uint40[](n);
        for (uint256 i; i < n; ++i) {
            Release storage r = $.releases[first + i];
            (indexes[i], availableAt[i]) = (r.index, r.availableAt);
        }
    }

    /// @inheritdoc ISettlementLedger
    function bankOf(address bank) external view returns (uint8 index, uint64 sequence) {
        Bank storage b = _s().bankOf[bank];
        if (b.indexPlusOne == 0) revert LedgerNotEnrolled(bank);
        return (uint8(b.indexPlusOne - 1), b.sequence);
    }

    /// @inheritdoc ISettlementLedger
    function banks() external view returns (address[] memory) {
        return _s().banks;
    }

    // ================================================================ internals

    /// @dev Give `bank` an index: the oldest released one whose quarantine is over, else a new one.
    function _enroll(address bank) internal returns (uint8 index) {
        LedgerStorage storage $ = _s();
        Bank storage b = $.bankOf[bank];
        if (b.indexPlusOne != 0) {
            if (b.released) revert LedgerBankReleased(bank, uint8(b.indexPlusOne - 1));
            revert LedgerAlreadyEnrolled(bank, uint8(b.indexPlusOne - 1));
        }
        uint256 count = $.bankCount;
        Release memory head;
        if ($.anyFree) head = $.releases[$.nextRelease];
        if ($.anyFree && block.timestamp >= head.availableAt) {
            index = head.index;
            $.nextRelease += 1;
            uint256 free = $.freeMask & ~(uint256(1) << index);
            $.freeMask = free;
            $.anyFree = free != 0;
            $.banks[index] = bank;
            emit BankIndexReused(index, head.bank, bank);
        } else if (count < MAX_BANKS) {
            index = uint8(count);
            $.bankCount = uint16(count + 1);
            $.banks.push(bank);
        } else if ($.anyFree) {
            revert LedgerIndexInQuarantine(head.index, head.availableAt);
        } else {
            revert LedgerTooManyBanks();
        }
        b.indexPlusOne = uint16(index) + 1;
        emit BankEnrolled(bank, index);
    }
}
