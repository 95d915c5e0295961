// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title INettingEngine — multilateral netting cycles with credit lines and gridlock resolution
/// @notice Banks declare the per-counterparty totals of their final, anchored batches into the open
/// cycle; at close the engine nets them multilaterally and settles the net positions in the
/// settlement token through its clearing pool. A net debtor that cannot cover its position with
/// its balance and credit line has all its outgoing obligations deferred to the next cycle (the
/// largest shortfall first, repeated until everyone left can pay).
interface INettingEngine {
    enum CycleStatus {
        None,
        Open,
        Closed
    }

    struct Cycle {
        CycleStatus status;
        uint40 openedAt;
        uint40 closedAt;
        uint32 batchCount;
    }

    /// @notice A final standard-mode batch presented when the cycle closes (`closeCycleWith`): the
    /// bank that anchored it under `key`, its anchored header and the per-counterparty totals its
    /// `totalsCommitment` commits to (`keccak256(abi.encode(counterparties, totals))`).
    struct Declaration {
        address bank;
        bytes32 key;
        ISettlementLedger.BatchHeader header;
        address[] counterparties;
        uint256[] totals;
    }

    struct CreditLine {
        uint128 limit;
        uint128 used;
    }

    event CycleOpened(uint64 indexed cycleId, address indexed operator, uint256 carriedParticipants);
    /// @notice A final batch entered cycle `cycleId` (declared on chain or presented at the close):
    /// `debtor` owes `amounts[k]` to `creditors[k]` (a creditor may repeat; its amounts add up).
    /// The record of the cycle's obligations, one event per batch.
    event BatchDeclared(
        uint64 indexed cycleId,
        bytes32 indexed batchId,
        address indexed debtor,
        uint256 grossTotal,
        address[] creditors,
        uint256[] amounts
    );
    event ObligationDeferred(uint64 indexed cycleId, address indexed debtor, address indexed creditor, uint256 amount);
    event NetPosition(
        uint64 indexed cycleId,
        address indexed bank,
        int256 net,
        uint256 fromBalance,
        uint256 fromCredit
    );
    event CycleClosed(uint64 indexed cycleId, uint256 grossSettled, uint256 netSettled, uint256 deferredDebtors);
    event CreditLineSet(address indexed bank, uint128 limit);
    event CreditPoolChanged(address indexed by, int256 delta, uint256 pool);
    event CreditRepaid(address indexed bank, uint256 amount, uint128 stillUsed);
    /// @notice Governance set the registry that verifies private-mode batch proofs.
    event VerifierRegistrySet(address indexed verifierRegistry);
    /// @notice A private-mode batch's totals were accepted with a valid `batch_netting` proof.
    event BatchProofAccepted(uint64 indexed cycleId, bytes32 indexed batchId, bytes32 circuitId);

    error NettingNoOpenCycle(uint64 cycleId);
    error NettingCycleStillOpen(uint64 cycleId);
    error NettingTotalsMismatch(bytes32 batchId, bytes32 expected, bytes32 given);
    error NettingGrossMismatch(bytes32 batchId, uint256 header, uint256 sumOfTotals);
    error NettingInvalidObligation(address debtor, address creditor);
    error NettingTooManyParticipants(uint64 cycleId);
    /// @notice After the change the pool (`poolAfter`) would not cover the unused credit lines.
    error NettingCreditUncovered(uint256 poolAfter, uint256 unusedCredit);
    error NettingRepayTooMuch(address bank, uint256 amount, uint128 used);
    error NettingZeroAmount();
    error NettingLengthMismatch(uint256 counterparties, uint256 totals);
    error NettingCounterpartiesMismatch(bytes32 batchId, uint256 headerMask, uint256 declaredMask);
    error NettingPoolTooSmall(uint256 pool, uint256 amount);
    error NettingInvalidAddress(address account);
    error NettingOwnershipCannotBeRenounced();
    /// @notice A private-mode chunk has at most `max` counterparties (one per proof bucket).
    error NettingTooManyCounterparties(uint256 given, uint256 max);
    /// @notice No verifier registry is set, so private-mode batches cannot be declared yet.
    error NettingNoVerifierRegistry();

    /// @notice Open the next cycle (an active OPERATOR; only one cycle is open at a time). It starts
    /// with the obligations deferred by the previous cycle.
    function openCycle() external returns (uint64 cycleId);

    /// @notice Declare a final batch of the caller into the open cycle: `counterparties`/`totals`
    /// must be what its header's `totalsCommitment` commits to.
    function declare(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals
    ) external;

    /// @notice Declare a final private-mode batch (a chunk of at most 16 payments under a Poseidon
    /// root) into the open cycle. Its header commits to the totals with the private-mode tag
    /// (`keccak256(abi.encode(PRIVATE_BATCH_TAG, counterparties, totals))`, so it can never be
    /// declared without a proof), and `proof` must be a valid `batch_netting_16` proof that the
    /// payments under `header.root` are the caller's and sum to `totals` per counterparty.
    /// @param proof Groth16 proof, flattened in the verifier's calldata order
    function declareProved(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        uint256[8] calldata proof
    ) external;

    /// @notice Set the registry that verifies private-mode batch proofs (owner).
    function setVerifierRegistry(address verifierRegistry) external;

    /// @notice The registry that verifies private-mode batch proofs (0 if none).
    function verifierRegistry() external view returns (address);

    /// @notice Net, resolve gridlock and settle the open cycle (an active OPERATOR).
    function closeCycle(uint64 cycleId) external;

    /// @notice Close the open cycle with `declarations`: final standard-mode batches presented by the
    /// operator instead of declared one by one, each checked as `declare` checks a bank's (anchored
    /// header, final, netted once, totals matching the commitment, creditors the header's
    /// counterparties, gross total) — except that the bank need not be active now: an inactive
    /// bank's obligations are deferred, like any obligation to or from an inactive bank. Their
    /// obligations are added to those declared on chain; then net,
    /// resolve gridlock and settle as `closeCycle`. With `openNext`, the next cycle opens in the
    /// same transaction. An active OPERATOR. The obligations are in the events
    /// (`BatchDeclared`), not in storage: `obligationOf`/`participantsOf` show
    /// only what was declared on chain or carried in.
    function closeCycleWith(uint64 cycleId, Declaration[] memory declarations, bool openNext) external;

    /// @notice Grant or change `bank`'s intraday credit line (an active OPERATOR). Raising a line
    /// needs `bank` to be an active MEMBER_BANK; lowering is always allowed. The pool must cover
    /// every bank's unused credit afterwards.
    function setCreditLine(address bank, uint128 limit) external;

    /// @notice Add `amount` of the caller's tokens to the credit pool (an active OPERATOR).
    function fundCreditPool(uint256 amount) external;

    /// @notice Take `amount` back from the pool, as long as the rest covers all unused credit.
    function withdrawCreditPool(uint256 amount) external;

    /// @notice Repay `amount` of the caller's used credit (from its balance, by allowance).
    function repayCredit(uint256 amount) external;

    /// @notice Stop declarations, closes and credit movements (owner).
    function pause() external;

    /// @notice Resume (owner).
    function unpause() external;

    /// @notice A cycle's status, times and number of declared batches.
    function cycleOf(uint64 cycleId) external view returns (Cycle memory);

    /// @notice The id of the last opened cycle (0 before the first).
    function currentCycle() external view returns (uint64);

    /// @notice The banks with obligations in a cycle (including ones carried in), in joining order.
    function participantsOf(uint64 cycleId) external view returns (address[] memory);

    /// @notice What `debtor` owes `creditor` in a cycle.
    function obligationOf(uint64 cycleId, address debtor, address creditor) external view returns (uint256);

    /// @notice A bank's credit line and how much of it is used.
    function creditOf(address bank) external view returns (CreditLine memory);

    /// @notice Tokens in the credit pool and the unused credit it must cover.
    function creditPool() external view returns (uint256 pool, uint256 unusedCredit);
}
