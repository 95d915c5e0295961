// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {INettingEngine} from "./INettingEngine.sol";
import {NettingStorage} from "./NettingStorage.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {StreamedClose} from "./StreamedClose.sol";
import {PrivateProofs} from "./PrivateProofs.sol";
import {IPrivateChunks} from "./IPrivateChunks.sol";
import {Declaring} from "./Declaring.sol";

/// @title NettingEngine — settlement cycles: multilateral netting, credit lines, gridlock resolution
/// @notice Gas depends on the number of banks and batches in a cycle, never on the number of
/// payments. The engine is a registry member holding the clearing pool: net debtors pay in
/// (by allowance), net creditors are paid out, and credit draws come from the operator's pool.
/// Nothing of a cycle's obligations is stored pair by pair: batches are presented at the close and
/// what does not settle is carried by reference, one word per batch (decision 023).
/// @dev Inactive participants (suspended, removed, sanctioned) are held first: every obligation to
/// or from them waits, since the token would refuse to move their money.
/// @custom:security-contact security@clearhouse.example
contract NettingEngine is NettingStorage, Ownable2StepUpgradeable, StreamedClose, UUPSUpgradeable {
    using SafeERC20 for IERC20;
    /// @dev The circuit that proves a `declareProved` batch's totals (PrivateProofs answers
    /// BATCH_NETTING_CIRCUIT() and BUCKETS(): the engine has no code room for the getters).
    bytes32 private constant BATCH_NETTING_CIRCUIT = "batch_netting_16";

    /// @notice The private-mode proof checks, created with this implementation (the engine has no
    /// code room for them under EIP-170, decision 023): `declareProved`'s proof (a static call) and
    /// `declareProvedChunks` (run as the engine by the fallback).
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    PrivateProofs private immutable PROOFS;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
        PROOFS = new PrivateProofs();
    }

    /// @notice Initialize the proxy.
    function initialize(
        address initialOwner,
        IConsortiumRegistry registry_,
        ISettlementLedger ledger_,
        IERC20 token_
    ) external initializer {
        __Ownable_init(initialOwner);
        __Pausable_init();
        EngineStorage storage $ = _s();
        for (uint256 i; i < 3; ++i) {
            address a =
                i == 0
                    ? address(registry_)
                    : i == 1
                        ? address(ledger_)
                        : address(token_);
            if (a.code.length == 0) revert NettingInvalidAddress(a);
        }
        ($.registry, $.ledger, $.token) = (registry_, ledger_, token_);
    }

    // ================================================================ cycles

    /// @inheritdoc INettingEngine
    function openCycle() external whenNotPaused returns (uint64 cycleId) {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        uint64 last = $.current;
        // Open or being closed in several transactions: the next cycle waits (its carries come from
        // this close's final session).
        CycleStatus status = $.cycles[last].status;
        if (status == CycleStatus.Open || status == CycleStatus.Closing) revert NettingCycleStillOpen(last);
        return _open(last + 1);
    }

    /// @inheritdoc INettingEngine
    function declare(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals
    ) external whenNotPaused {
        _requireUntraced();
        bytes32 given = keccak256(abi.encode(counterparties, totals));
        _declare(cycleId, key, header, counterparties, totals, given);
    }

    /// @inheritdoc INettingEngine
    function declareProved(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        uint256[8] calldata
    ) external whenNotPaused {
        // First PrivateProofs.checkBatch (a static call): a registry, at most BUCKETS (4)
        // counterparties, no regulator key, and the proof of the public signals (root, packed
        // totals, bank). Then the declaration.
        _checkBatchProof();
        bytes32 given = keccak256(abi.encode(PRIVATE_BATCH_TAG, counterparties, totals));
        bytes32 batchId = _declare(cycleId, key, header, counterparties, totals, given);
        emit BatchProofAccepted(cycleId, batchId, BATCH_NETTING_CIRCUIT);
    }

    /// @notice `IPrivateChunks.declareProvedChunks` (private mode v2): it runs in PrivateProofs, on
    /// the engine's storage and as the engine (delegatecall), since the engine has no code room for
    /// it under EIP-170 (decision 023). Any other unknown call: NettingUnknownFunction.
    /// @custom:oz-upgrades-unsafe-allow delegatecall
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        address target = address(PROOFS);
        if (
            msg.sig != IPrivateChunks.declareProvedChunks.selector &&
            msg.sig != IPrivateChunks.declareTracedChunks.selector
        ) revert NettingUnknownFunction(msg.sig);
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            let ok := delegatecall(gas(), target, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) {
                revert(p, returndatasize())
            }
            return(p, returndatasize())
        }
    }

    /// @inheritdoc INettingEngine
    function setVerifierRegistry(address verifierRegistry_) external onlyOwner {
        if (verifierRegistry_.code.length == 0) revert NettingInvalidAddress(verifierRegistry_);
        _s().verifiers = IVerifierRegistry(verifierRegistry_);
        emit VerifierRegistrySet(verifierRegistry_);
    }

    /// @inheritdoc INettingEngine
    /// @dev `declarations` is decoded into memory once on purpose: reading the nested calldata arrays
    /// again at every use cost 16k gas more for four batches (decision 017).
    // solhint-disable-next-line gas-calldata-parameters
    function closeCycleWith(
        uint64 cycleId,
        Declaration[] memory declarations,
        bool openNext
    ) external whenNotPaused nonReentrant {
        _s().registry.requireMember(msg.sender, Roles.OPERATOR);
        _requireOpen(cycleId);
        _closeWith(cycleId, declarations);
        if (openNext) _open(cycleId + 1);
    }

    /// @inheritdoc INettingEngine
    function setMaxConsecutiveDeferrals(uint32 maxConsecutive) external onlyOwner {
        if (maxConsecutive == 0 || maxConsecutive > type(uint8).max) revert NettingInvalidDeferralLimit(maxConsecutive);
        _s().maxConsecutiveDeferrals = maxConsecutive;
        emit MaxConsecutiveDeferralsSet(maxConsecutive);
    }

    /// @inheritdoc INettingEngine
    /// @dev Also while the cycle is being closed in several transactions: that close is abandoned
    /// (the cycle is Open again and the close must be begun again, or done in one transaction, which
    /// then carries under a new session), since what it presented and carried so far counted the batch.
    function writeOff(uint64 cycleId, bytes32 batchId) external onlyOwner {
        EngineStorage storage $ = _s();
        Cycle storage cycle = $.cycles[cycleId];
        if (cycleId != $.current || (cycle.status != CycleStatus.Open && cycle.status != CycleStatus.Closing)) {
            revert NettingNoOpenCycle(cycleId);
        }
        if (cycle.status == CycleStatus.Closing) cycle.status = CycleStatus.Open;
        uint32 previous = cycleId > 1 ? $.closing[cycleId - 1].session : 0;
        uint256 mask = _pendingMask(cycleId, batchId, previous);
        if (mask == 0) revert NettingNothingPending(cycleId, batchId);
        delete $.pending[cycleId][batchId];
        if (cycleId > 1) delete $.carried[cycleId - 1][previous][batchId];
        cycle.pending -= 1;
        emit PendingWrittenOff(cycleId, batchId, mask);
    }

    /// @inheritdoc INettingEngine
    /// @dev Checks, then the transfer (the engine holds no state about a rescued token).
    function rescue(address token, address to, uint256 amount) external onlyOwner nonReentrant {
        EngineStorage storage $ = _s();
        if (to == address(0)) revert NettingInvalidAddress(to);
        if (amount == 0) revert NettingZeroAmount();
        uint256 available = IERC20(token).balanceOf(address(this));
        // The pool is owed to the operator and backs the credit lines: never rescued.
        if (token == address($.token)) available = available > $.pool ? available - $.pool : 0;
        if (amount > available) revert NettingRescueTooMuch(token, available, amount);
        emit Rescued(token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc INettingEngine
    function pause() external onlyOwner {
        _pause();
    }

    /// @inheritdoc INettingEngine
    function unpause() external onlyOwner {
        _unpause();
    }

    // ================================================================ views

    /// @inheritdoc INettingEngine
    function cycleOf(uint64 cycleId) external view returns (Cycle memory) {
        return _s().cycles[cycleId];
    }

    /// @inheritdoc INettingEngine
    function currentCycle() external view returns (uint64) {
        return _s().current;
    }

    /// @inheritdoc INettingEngine
    function pendingOf(uint64 cycleId, bytes32 batchId) external view returns (uint256) {
        if (_s().cycles[cycleId].status == CycleStatus.Closed) return 0;
        return _pendingMask(cycleId, batchId, cycleId > 1 ? _s().closing[cycleId - 1].session : 0);
    }

    /// @inheritdoc INettingEngine
    function heldIn(uint64 cycleId) external view returns (uint256) {
        return _s().held[cycleId];
    }

    /// @inheritdoc INettingEngine
    function maxConsecutiveDeferrals() external view returns (uint32) {
        uint32 limit = _s().maxConsecutiveDeferrals;
        return limit == 0 ? DEFAULT_MAX_DEFERRALS : limit;
    }

    /// @inheritdoc INettingEngine
    function deferralsOf(address bank) external view returns (uint32) {
        return _s().deferrals[bank] & ~BARRED_BY_ENGINE;
    }

    /// @inheritdoc INettingEngine
    function verifierRegistry() external view returns (address) {
        return address(_s().verifiers);
    }

    // ================================================================ internals

    /// @dev StreamedClose opens the next cycle through this.
    function _openNext(uint64 cycleId) internal override {
        _open(cycleId);
    }

    /// @dev Open cycle `cycleId` (the one after the current): the batches carried into it are pending.
    function _open(uint64 cycleId) private returns (uint64) {
        EngineStorage storage $ = _s();
        $.current = cycleId;
        Cycle storage cycle = $.cycles[cycleId];
        (cycle.status, cycle.openedAt) = (CycleStatus.Open, uint40(block.timestamp));
        uint32 carried = cycle.pending;
        cycle.batchCount = carried;
        emit CycleOpened(cycleId, msg.sender, carried);
        return cycleId;
    }

    function _requireOpen(uint64 cycleId) private view {
        Declaring.requireOpen(_s(), cycleId);
    }

    /// @dev Checks and effects shared by the declarations (Declaring.declare).
    function _declare(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        bytes32 given
    ) private returns (bytes32 batchId) {
        return Declaring.declare(_s(), cycleId, key, header, counterparties, totals, given);
    }

    /// @dev Ask PrivateProofs.checkBatch to check the proof of this `declareProved` call: its
    /// arguments are forwarded as they came, under the checker's selector (the same ABI layout),
    /// with the context appended (caller, verifier registry). A refusal is the checker's error
    /// (or the registry's), rethrown as is. A static call: nothing can re-enter.
    function _checkBatchProof() private view {
        (bytes4 selector, address target) = (PrivateProofs.checkBatch.selector, address(PROOFS));
        address verifiers = address(_s().verifiers);
        assembly ("memory-safe") {
            let p := mload(0x40)
            let n := sub(calldatasize(), 4)
            mstore(p, selector)
            calldatacopy(add(p, 4), 4, n)
            let q := add(p, add(4, n))
            mstore(q, caller())
            mstore(add(q, 32), verifiers)
            if iszero(staticcall(gas(), target, p, add(n, 68), 0, 0)) {
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
        }
    }

    /// @dev Only governance upgrades the engine.
    function _authorizeUpgrade(address) internal override onlyOwner {}

    /// @notice Disabled: the engine must always have an owner (governance).
    function renounceOwnership() public view override onlyOwner {
        revert NettingOwnershipCannotBeRenounced();
    }
}
