// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {INettingEngine} from "./INettingEngine.sol";
import {NettingBook} from "./NettingBook.sol";
import {NettingMath} from "./NettingMath.sol";
import {NettingStorage} from "./NettingStorage.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";
import {Clearing} from "./Clearing.sol";
import {BankBits} from "./BankBits.sol";

/// @title NettingEngine — settlement cycles: multilateral netting, credit lines, gridlock resolution
/// @notice Gas depends on the number of banks and batches in a cycle, never on the number of
/// payments. The engine is a registry member holding the clearing pool: net debtors pay in
/// (by allowance), net creditors are paid out, and credit draws come from the operator's pool.
/// @dev Inactive participants (suspended, removed, sanctioned) are set aside before netting: every
/// obligation to or from them is deferred, since the token would refuse to move their money.
/// @custom:security-contact security@clearhouse.example
contract NettingEngine is NettingStorage, Ownable2StepUpgradeable, Clearing, UUPSUpgradeable {
    using NettingBook for NettingBook.Book;
    using BankBits for BankBits.Cache;
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
        _s().registry.requireMember(msg.sender, Roles.OPERATOR);
        _requireOpen(cycleId);
        _close(cycleId, _book(cycleId, 0));
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
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        _requireOpen(cycleId);
        uint256 room;
        for (uint256 d; d < declarations.length; ++d) room += 1 + declarations[d].counterparties.length;
        NettingBook.Book memory book = _book(cycleId, room);
        BankBits.Cache memory bits = BankBits.withRoom($.ledger, room);
        for (uint256 d; d < declarations.length; ++d) _present(cycleId, declarations[d], book, bits);
        $.cycles[cycleId].batchCount += uint32(declarations.length);
        _close(cycleId, book);
        if (openNext) _open(cycleId + 1);
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
    function verifierRegistry() external view returns (address) {
        return address(_s().verifiers);
    }

    // ================================================================ internals

    /// @dev Open cycle `cycleId` (the one after the current): it starts with the obligations carried into it.
    function _open(uint64 cycleId) private returns (uint64) {
        EngineStorage storage $ = _s();
        $.current = cycleId;
        $.cycles[cycleId] = Cycle({
            status: CycleStatus.Open,
            openedAt: uint40(block.timestamp),
            closedAt: 0,
            batchCount: 0
        });
        emit CycleOpened(cycleId, msg.sender, $.participants[cycleId].length);
        return cycleId;
    }

    /// @dev A final standard-mode batch presented at close: checked like `declare` (and marked
    /// Netted in the ledger), its obligations added to `book`, the same events emitted.
    function _present(
        uint64 cycleId,
        Declaration memory d,
        NettingBook.Book memory book,
        BankBits.Cache memory bits
    ) private {
        bytes32 batchId = keccak256(abi.encode(d.bank, d.key));
        bytes32 given = keccak256(abi.encode(d.counterparties, d.totals));
        uint256 sum = _checkDeclaration(cycleId, d.bank, batchId, d.header, d.counterparties, d.totals, given, bits);
        uint256 debtor = book.indexOf(d.bank, cycleId);
        for (uint256 i; i < d.counterparties.length; ++i) {
            uint256 amount = d.totals[i];
            book.owe[debtor][book.indexOf(d.counterparties[i], cycleId)] += amount;
        }
        emit BatchDeclared(cycleId, batchId, d.bank, sum, d.counterparties, d.totals);
    }

    /// @dev The cycle's stored participants and obligations (declared on chain or carried in), in
    /// memory with room for `room` more participants.
    function _book(uint64 cycleId, uint256 room) private view returns (NettingBook.Book memory) {
        EngineStorage storage $ = _s();
        return NettingBook.load($.participants[cycleId], $.owe[cycleId], room, MAX_PARTICIPANTS);
    }

    /// @dev Net `book`, resolve gridlock (deferring into the next cycle), settle and close the cycle.
    function _close(uint64 cycleId, NettingBook.Book memory book) private {
        address[] memory ps = book.ps;
        uint256[][] memory owe = book.owe;
        uint256 n = ps.length;
        (uint128[] memory single, uint128[] memory daily) = _setAsideInactive(cycleId, ps, owe);
        (int256[] memory net, uint256[] memory funds, bool[] memory deferred) = _resolve(ps, owe, single, daily);
        uint256 deferredDebtors;
        for (uint256 i; i < n; ++i) {
            if (!deferred[i]) continue;
            deferredDebtors += 1;
            for (uint256 j; j < n; ++j) if (owe[i][j] != 0) _carry(cycleId, ps[i], ps[j], owe[i][j]);
        }
        uint256 gross = NettingMath.grossOf(owe, deferred);
        uint256 netSettled = _settle(cycleId, ps, net, funds);
        Cycle storage cycle = _s().cycles[cycleId];
        cycle.status = CycleStatus.Closed;
        cycle.closedAt = uint40(block.timestamp);
        emit CycleClosed(cycleId, gross, netSettled, deferredDebtors);
    }

    /// @dev Screen every participant; obligations to or from an inactive bank cannot move, so they
    /// are deferred before netting. Returns the active banks' single-transfer and daily limits.
    function _setAsideInactive(
        uint64 cycleId,
        address[] memory ps,
        uint256[][] memory owe
    ) private returns (uint128[] memory single, uint128[] memory daily) {
        uint256 n = ps.length;
        bool[] memory inactive = new bool[](n);
        single = new uint128[](n);
        daily = new uint128[](n);
        for (uint256 i; i < n; ++i) (inactive[i], single[i], daily[i]) = _screen(ps[i]);
        for (uint256 i; i < n; ++i) {
            for (uint256 j; j < n; ++j) {
                if ((inactive[i] || inactive[j]) && owe[i][j] != 0) {
                    _carry(cycleId, ps[i], ps[j], owe[i][j]);
                    owe[i][j] = 0;
                }
            }
        }
    }

    /// @dev The gridlock rule: net, defer the worst short debtor (NettingMath.worstShortfall), net
    /// again, at most one round per participant. Each bank's capacity is read the first round it is
    /// a net debtor: a round reads only the capacities of its net debtors, so every choice is the
    /// one the rule makes with every capacity known. Net creditors (half of the banks on a normal day) cost no token or credit-line
    /// reads.
    function _resolve(
        address[] memory ps,
        uint256[][] memory owe,
        uint128[] memory single,
        uint128[] memory daily
    ) private view returns (int256[] memory net, uint256[] memory funds, bool[] memory deferred) {
        uint256 n = ps.length;
        funds = new uint256[](n);
        uint256[] memory capacity = new uint256[](n);
        bool[] memory known = new bool[](n);
        deferred = new bool[](n);
        while (true) {
            net = NettingMath.netPositions(owe, deferred);
            for (uint256 i; i < n; ++i) {
                if (net[i] >= 0 || known[i]) continue;
                known[i] = true;
                funds[i] = _funds(ps[i], single[i], daily[i]);
                capacity[i] = funds[i] + _unused(ps[i]);
            }
            uint256 worst = NettingMath.worstShortfall(net, capacity);
            if (worst == n) return (net, funds, deferred);
            deferred[worst] = true;
        }
    }

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
        BankBits.Cache memory bits = BankBits.withRoom($.ledger, counterparties.length);
        uint256 sum = _checkDeclaration(cycleId, msg.sender, batchId, header, counterparties, totals, given, bits);
        for (uint256 i; i < counterparties.length; ++i)
            _addObligation(cycleId, msg.sender, counterparties[i], totals[i]);
        $.cycles[cycleId].batchCount += 1;
        emit BatchDeclared(cycleId, batchId, msg.sender, sum, counterparties, totals);
    }

    /// @dev What every declaration must satisfy, on chain or presented at close: `header` is the
    /// final anchored header of `batchId` (the ledger marks it Netted, so it settles once),
    /// `given` (the commitment to counterparties/totals in the batch's mode) is its totals
    /// commitment, the creditors are exactly its counterparty mask (enrolled banks other than the
    /// debtor, non-zero amounts) and the totals add up to its gross total, which it returns.
    function _checkDeclaration(
        uint64 cycleId,
        address debtor,
        bytes32 batchId,
        ISettlementLedger.BatchHeader memory header,
        address[] memory counterparties,
        uint256[] memory totals,
        bytes32 given,
        BankBits.Cache memory bits
    ) private returns (uint256 sum) {
        bits.ledger.markNetted(batchId, header, cycleId);
        if (counterparties.length != totals.length) revert NettingLengthMismatch(counterparties.length, totals.length);
        if (given != header.totalsCommitment) revert NettingTotalsMismatch(batchId, header.totalsCommitment, given);
        uint256 declaredMask;
        for (uint256 i; i < counterparties.length; ++i) {
            address creditor = counterparties[i];
            if (creditor == debtor || creditor == address(0) || totals[i] == 0) {
                revert NettingInvalidObligation(debtor, creditor);
            }
            // Creditors must be the batch's anchored counterparties: enrolled banks that could
            // acknowledge or dispute it (the ledger reverts LedgerNotEnrolled otherwise).
            declaredMask |= bits.bitOf(creditor); // a creditor may repeat: its amounts add up
            sum += totals[i];
        }
        if (declaredMask != header.counterpartyMask) {
            revert NettingCounterpartiesMismatch(batchId, header.counterpartyMask, declaredMask);
        }
        if (sum != header.grossTotal) revert NettingGrossMismatch(batchId, header.grossTotal, sum);
    }

    function _addObligation(uint64 cycleId, address debtor, address creditor, uint256 amount) private {
        EngineStorage storage $ = _s();
        _join(cycleId, debtor);
        _join(cycleId, creditor);
        $.owe[cycleId][debtor][creditor] += amount;
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

    /// @dev Only governance upgrades the engine.
    function _authorizeUpgrade(address) internal override onlyOwner {}

    /// @notice Disabled: the engine must always have an owner (governance).
    function renounceOwnership() public view override onlyOwner {
        revert NettingOwnershipCannotBeRenounced();
    }
}
