// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementToken} from "../token/ISettlementToken.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {INettingEngine} from "./INettingEngine.sol";
import {NettingMath} from "./NettingMath.sol";
import {NettingStorage} from "./NettingStorage.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";
import {CreditFacility} from "./CreditFacility.sol";

/// @title NettingEngine — settlement cycles: multilateral netting, credit lines, gridlock resolution
/// @notice Gas depends on the number of banks and batches in a cycle, never on the number of
/// payments. The engine is a registry member holding the clearing pool: net debtors pay in
/// (by allowance), net creditors are paid out, and credit draws come from the operator's pool.
/// @dev Inactive participants (suspended, removed, sanctioned) are set aside before netting: every
/// obligation to or from them is deferred, since the token would refuse to move their money.
/// @custom:security-contact security@clearhouse.example
contract NettingEngine is NettingStorage, Ownable2StepUpgradeable, CreditFacility, UUPSUpgradeable {
    uint256 private constant MAX_PARTICIPANTS = 32;
    /// @notice Counterparty buckets of the batch_netting circuit (one public signal each).
    uint256 public constant NETTING_BUCKETS = 4;
    /// @notice The circuit that proves a private-mode chunk's totals.
    bytes32 public constant BATCH_NETTING_CIRCUIT = "batch_netting_16";
    /// @notice Domain tag of a private-mode batch's totals commitment.
    bytes32 public constant PRIVATE_BATCH_TAG = keccak256("clearhouse.batch.private/1");

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
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
        if ($.cycles[last].status == CycleStatus.Open) revert NettingCycleStillOpen(last);
        cycleId = last + 1;
        $.current = cycleId;
        $.cycles[cycleId] = Cycle({
            status: CycleStatus.Open,
            openedAt: uint40(block.timestamp),
            closedAt: 0,
            batchCount: 0
        });
        emit CycleOpened(cycleId, msg.sender, $.participants[cycleId].length);
    }

    /// @inheritdoc INettingEngine
    function declare(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals
    ) external whenNotPaused {
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
        uint256[8] calldata proof
    ) external whenNotPaused {
        IVerifierRegistry verifiers = _s().verifiers;
        if (address(verifiers) == address(0)) revert NettingNoVerifierRegistry();
        if (counterparties.length > NETTING_BUCKETS) {
            revert NettingTooManyCounterparties(counterparties.length, NETTING_BUCKETS);
        }
        bytes32 given = keccak256(abi.encode(PRIVATE_BATCH_TAG, counterparties, totals));
        bytes32 batchId = _declare(cycleId, key, header, counterparties, totals, given);
        // Public signals of batch_netting_16: root, packed[4] (total << 160 | counterparty), bank.
        uint256[] memory signals = new uint256[](NETTING_BUCKETS + 2);
        signals[0] = uint256(header.root);
        for (uint256 k; k < counterparties.length; ++k) {
            // A chunk's total is below 16 * 2^64; anything from 2^90 on cannot be proven and would not fit.
            if (totals[k] >= 1 << 90) revert NettingInvalidObligation(msg.sender, counterparties[k]);
            signals[k + 1] = (totals[k] << 160) | uint256(uint160(counterparties[k]));
        }
        signals[NETTING_BUCKETS + 1] = uint256(uint160(msg.sender));
        verifiers.requireValid(BATCH_NETTING_CIRCUIT, proof, signals);
        emit BatchProofAccepted(cycleId, batchId, BATCH_NETTING_CIRCUIT);
    }

    /// @inheritdoc INettingEngine
    function setVerifierRegistry(address verifierRegistry_) external onlyOwner {
        if (verifierRegistry_.code.length == 0) revert NettingInvalidAddress(verifierRegistry_);
        _s().verifiers = IVerifierRegistry(verifierRegistry_);
        emit VerifierRegistrySet(verifierRegistry_);
    }

    /// @inheritdoc INettingEngine
    function closeCycle(uint64 cycleId) external whenNotPaused nonReentrant {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        _requireOpen(cycleId);
        address[] memory ps = $.participants[cycleId];
        uint256 n = ps.length;
        uint256[][] memory owe = new uint256[][](n);
        uint256[] memory funds = new uint256[](n);
        uint256[] memory capacity = new uint256[](n);
        bool[] memory deferred = new bool[](n);
        bool[] memory inactive = new bool[](n);
        for (uint256 i; i < n; ++i) {
            owe[i] = new uint256[](n);
            for (uint256 j; j < n; ++j) owe[i][j] = $.owe[cycleId][ps[i]][ps[j]];
            (inactive[i], funds[i]) = _funds(ps[i]);
            capacity[i] = funds[i] + _unused(ps[i]);
        }
        // Obligations to or from an inactive bank cannot move: defer them before netting.
        for (uint256 i; i < n; ++i) {
            for (uint256 j; j < n; ++j) {
                if ((inactive[i] || inactive[j]) && owe[i][j] != 0) {
                    _carry(cycleId, ps[i], ps[j], owe[i][j]);
                    owe[i][j] = 0;
                }
            }
        }
        int256[] memory net = NettingMath.resolve(owe, capacity, deferred);
        uint256 deferredDebtors;
        for (uint256 i; i < n; ++i) {
            if (!deferred[i]) continue;
            deferredDebtors += 1;
            for (uint256 j; j < n; ++j) if (owe[i][j] != 0) _carry(cycleId, ps[i], ps[j], owe[i][j]);
        }
        uint256 gross = NettingMath.grossOf(owe, deferred);
        uint256 netSettled = _settle(cycleId, ps, net, funds);
        Cycle storage cycle = $.cycles[cycleId];
        cycle.status = CycleStatus.Closed;
        cycle.closedAt = uint40(block.timestamp);
        emit CycleClosed(cycleId, gross, netSettled, deferredDebtors);
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
    function participantsOf(uint64 cycleId) external view returns (address[] memory) {
        return _s().participants[cycleId];
    }

    /// @inheritdoc INettingEngine
    function obligationOf(uint64 cycleId, address debtor, address creditor) external view returns (uint256) {
        return _s().owe[cycleId][debtor][creditor];
    }

    /// @inheritdoc INettingEngine
    function netPositionOf(uint64 cycleId, address bank) external view returns (int256) {
        return _s().net[cycleId][bank];
    }

    /// @inheritdoc INettingEngine
    function verifierRegistry() external view returns (address) {
        return address(_s().verifiers);
    }

    /// @inheritdoc INettingEngine
    function declaredIn(bytes32 batchId) external view returns (uint64) {
        return _s().declaredIn[batchId];
    }

    // ================================================================ internals

    function _requireOpen(uint64 cycleId) private view {
        EngineStorage storage $ = _s();
        if (cycleId != $.current || $.cycles[cycleId].status != CycleStatus.Open) revert NettingNoOpenCycle(cycleId);
    }

    /// @dev Checks and effects shared by both declarations; `given` is the caller's commitment to
    /// `counterparties`/`totals` in the batch's mode. Returns the batch id.
    function _declare(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        bytes32 given
    ) private returns (bytes32 batchId) {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        _requireOpen(cycleId);
        batchId = keccak256(abi.encode(msg.sender, key));
        uint64 earlier = $.declaredIn[batchId];
        if (earlier != 0) revert NettingAlreadyDeclared(batchId, earlier);
        $.ledger.requireFinal(batchId, header);
        if (counterparties.length != totals.length) revert NettingLengthMismatch(counterparties.length, totals.length);
        if (given != header.totalsCommitment) revert NettingTotalsMismatch(batchId, header.totalsCommitment, given);
        (uint256 sum, uint32 declaredMask) = _addObligations(cycleId, counterparties, totals);
        if (declaredMask != header.counterpartyMask) {
            revert NettingCounterpartiesMismatch(batchId, header.counterpartyMask, declaredMask);
        }
        if (sum != header.grossTotal) revert NettingGrossMismatch(batchId, header.grossTotal, sum);
        $.declaredIn[batchId] = cycleId;
        $.cycles[cycleId].batchCount += 1;
        emit BatchDeclared(cycleId, batchId, msg.sender, sum);
    }

    /// @dev Add the caller's obligations; return their sum and the ledger mask of their creditors.
    function _addObligations(
        uint64 cycleId,
        address[] calldata counterparties,
        uint256[] calldata totals
    ) private returns (uint256 sum, uint32 declaredMask) {
        ISettlementLedger ledger = _s().ledger;
        for (uint256 i; i < counterparties.length; ++i) {
            address creditor = counterparties[i];
            uint256 amount = totals[i];
            if (creditor == msg.sender || creditor == address(0) || amount == 0) {
                revert NettingInvalidObligation(msg.sender, creditor);
            }
            // Creditors must be the batch's anchored counterparties: enrolled banks that could
            // acknowledge or dispute it (bankOf reverts LedgerNotEnrolled otherwise).
            (uint8 index, ) = ledger.bankOf(creditor);
            declaredMask |= uint32(1) << index; // a creditor may repeat: its amounts add up
            sum += amount;
            _addObligation(cycleId, msg.sender, creditor, amount);
        }
    }

    function _addObligation(uint64 cycleId, address debtor, address creditor, uint256 amount) private {
        EngineStorage storage $ = _s();
        _join(cycleId, debtor);
        _join(cycleId, creditor);
        $.owe[cycleId][debtor][creditor] += amount;
        emit ObligationAdded(cycleId, debtor, creditor, amount);
    }

    function _join(uint64 cycleId, address bank) private {
        EngineStorage storage $ = _s();
        if ($.isParticipant[cycleId][bank]) return;
        if ($.participants[cycleId].length >= MAX_PARTICIPANTS) revert NettingTooManyParticipants(cycleId);
        $.isParticipant[cycleId][bank] = true;
        $.participants[cycleId].push(bank);
    }

    /// @dev Move an obligation into the next cycle (it stays visible there and in the event).
    function _carry(uint64 cycleId, address debtor, address creditor, uint256 amount) private {
        uint64 next = cycleId + 1;
        _join(next, debtor);
        _join(next, creditor);
        _s().owe[next][debtor][creditor] += amount;
        emit ObligationDeferred(cycleId, debtor, creditor, amount);
    }

    /// @dev What `bank` can pay in from its balance now: the least of its balance, its allowance to
    /// the engine, its single-transfer limit and what is left of its daily outflow limit.
    function _funds(address bank) private view returns (bool inactive, uint256 funds) {
        EngineStorage storage $ = _s();
        try $.registry.requireActive(bank, Roles.MEMBER_BANK) returns (uint8, uint128 single, uint128 daily) {
            (, uint256 spent) = ISettlementToken(address($.token)).outflowToday(bank);
            funds = _min(_min($.token.balanceOf(bank), $.token.allowance(bank, address(this))), single);
            funds = _min(funds, daily > spent ? daily - spent : 0);
        } catch {
            inactive = true;
        }
    }

    /// @dev Record the net positions, draw credit where a debtor's funds fall short, and move the
    /// money in one `SettlementToken.settleNet` call (debtors pay in, creditors are paid out, the
    /// pool's change is the credit drawn).
    function _settle(
        uint64 cycleId,
        address[] memory ps,
        int256[] memory net,
        uint256[] memory funds
    ) private returns (uint256 netSettled) {
        EngineStorage storage $ = _s();
        uint256 n = ps.length;
        address[] memory accounts = new address[](n + 1);
        int256[] memory deltas = new int256[](n + 1);
        uint256 drawn;
        uint256 moves;
        for (uint256 i; i < n; ++i) {
            int256 position = net[i];
            $.net[cycleId][ps[i]] = position;
            if (position > 0) {
                (accounts[moves], deltas[moves]) = (ps[i], position);
                ++moves;
                emit NetPosition(cycleId, ps[i], position, 0, 0);
                continue;
            }
            if (position == 0) {
                emit NetPosition(cycleId, ps[i], 0, 0, 0);
                continue;
            }
            (uint256 fromBalance, uint256 fromCredit) = _payIn(cycleId, ps[i], position, funds[i]);
            if (fromBalance != 0) {
                (accounts[moves], deltas[moves]) = (ps[i], -int256(fromBalance));
                ++moves;
            }
            drawn += fromCredit;
            netSettled += fromBalance + fromCredit;
        }
        if (moves == 0) return netSettled;
        if (drawn != 0) {
            (accounts[moves], deltas[moves]) = (address(this), -int256(drawn));
            ++moves;
        }
        assembly ("memory-safe") {
            mstore(accounts, moves)
            mstore(deltas, moves)
        }
        ISettlementToken(address($.token)).settleNet(accounts, deltas);
    }

    /// @dev How a net debtor covers `position` (< 0): from its funds first, the rest drawn on its
    /// credit line (resolve() made sure the two cover it).
    function _payIn(
        uint64 cycleId,
        address bank,
        int256 position,
        uint256 funds
    ) private returns (uint256 fromBalance, uint256 fromCredit) {
        uint256 need = uint256(-position);
        fromBalance = _min(need, funds);
        fromCredit = need - fromBalance;
        if (fromCredit != 0) _draw(bank, fromCredit);
        emit NetPosition(cycleId, bank, position, fromBalance, fromCredit);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev Only governance upgrades the engine.
    function _authorizeUpgrade(address) internal override onlyOwner {}

    /// @notice Disabled: the engine must always have an owner (governance).
    function renounceOwnership() public view override onlyOwner {
        revert NettingOwnershipCannotBeRenounced();
    }
}
