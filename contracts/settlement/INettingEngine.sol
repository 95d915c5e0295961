// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISettlementLedger} from "./ISettlementLedger.sol";

/// @title INettingEngine — multilateral netting cycles with credit lines and gridlock resolution
/// @notice Final anchored batches enter the open cycle (declared on chain by their bank, or
/// presented by the operator at the close); at close the engine nets them multilaterally and
/// settles the net positions in the settlement token through its clearing pool. A net debtor that
/// cannot cover its position with its balance and credit line is held: every obligation to or from
/// it waits for the next cycle (the largest shortfall first, repeated until everyone left can pay;
/// decision 023). What waits is carried by reference (one word per batch), never pair by pair.
interface INettingEngine {
    /// @notice None → Open → (Closing, for a close in several transactions) → Closed.
    enum CycleStatus {
        None,
        Open,
        Closed,
        Closing
    }

    /// @notice A cycle: `batchCount` batches entered it (declared, presented or carried in);
    /// `pending` of them (declared on chain or carried in) must be presented again at its close.
    struct Cycle {
        CycleStatus status;
        uint40 openedAt;
        uint40 closedAt;
        uint32 batchCount;
        uint32 pending;
    }

    /// @notice A batch presented when the cycle closes: the bank that anchored it under `key`, its
    /// anchored header and the per-counterparty totals its `totalsCommitment` commits to. Either a
    /// final standard-mode batch not yet in any cycle (`keccak256(abi.encode(counterparties,
    /// totals))`), or a pending one of the cycle (declared on chain, or carried in), of either mode.
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

    /// @notice Cycle `cycleId` opened with `pendingBatches` batches carried into it.
    event CycleOpened(uint64 indexed cycleId, address indexed operator, uint256 pendingBatches);
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
    /// @notice The batch's entries to the creditors in `creditorMask` (bit i: ledger index i) did not
    /// settle in cycle `cycleId` (their debtor or creditor was held) and wait in cycle `cycleId + 1`.
    /// Their amounts are in the batch's `BatchDeclared` event.
    event BatchCarried(uint64 indexed cycleId, bytes32 indexed batchId, uint256 creditorMask);
    /// @notice `bank` was held at the close of `cycleId`: inactive (suspended, removed, sanctioned,
    /// not a bank), or a net debtor short of `capacity` (funds it could pay in plus unused credit);
    /// `consecutive` counts the closes in a row it was held short (0 when inactive).
    event BankHeld(uint64 indexed cycleId, address indexed bank, bool inactive, uint256 capacity, uint32 consecutive);
    /// @notice `bank` was held short `consecutive` closes in a row, the limit governance set: the
    /// ledger now refuses its new batches until it settles a close again.
    event DeferralLimitReached(uint64 indexed cycleId, address indexed bank, uint32 consecutive);
    /// @notice A held bank settled again: its count of consecutive deferrals went back to 0 (and
    /// the ledger accepts its batches again if the limit had barred it).
    event DeferralsCleared(uint64 indexed cycleId, address indexed bank);
    /// @notice The operator began (`session` 1) or began again a close of `cycleId` in several
    /// transactions, holding the banks in `heldMask`; the steps of earlier sessions are void.
    event CloseBegun(uint64 indexed cycleId, uint32 session, uint256 heldMask);
    /// @notice `batches` batches were presented to the close of `cycleId` in session `session`.
    event CloseStepTaken(uint64 indexed cycleId, uint32 session, uint256 batches);
    /// @notice Governance set how many closes in a row a bank may be held short before it is barred.
    event MaxConsecutiveDeferralsSet(uint32 maxConsecutive);
    /// @notice Governance wrote off what was still pending of a batch in `cycleId` (the entries to
    /// `creditorMask`): they will never settle through the engine (e.g. owed to or by a bank
    /// removed from the consortium, settled outside it).
    event PendingWrittenOff(uint64 indexed cycleId, bytes32 indexed batchId, uint256 creditorMask);
    /// @notice Governance took back `amount` of `token` the engine held and owed to nobody.
    event Rescued(address indexed token, address indexed to, uint256 amount);
    event NetPosition(
        uint64 indexed cycleId,
        address indexed bank,
        int256 net,
        uint256 fromBalance,
        uint256 fromCredit
    );
    /// @notice Cycle `cycleId` closed: `grossSettled` of obligations settled by moving `netSettled`;
    /// `heldBanks` banks were held (their obligations wait in the next cycle).
    event CycleClosed(uint64 indexed cycleId, uint256 grossSettled, uint256 netSettled, uint256 heldBanks);
    event CreditLineSet(address indexed bank, uint128 limit);
    event CreditPoolChanged(address indexed by, int256 delta, uint256 pool);
    event CreditRepaid(address indexed bank, uint256 amount, uint128 stillUsed);
    /// @notice Governance set the registry that verifies private-mode batch proofs.
    event VerifierRegistrySet(address indexed verifierRegistry);
    /// @notice A private-mode batch's totals were accepted with valid proofs of `circuitId`: one
    /// `batch_netting_16` proof (`declareProved`), or one `private_netting_256` proof per chunk
    /// (`declareProvedChunks`; the chunks are in the transaction's calldata).
    event BatchProofAccepted(uint64 indexed cycleId, bytes32 indexed batchId, bytes32 circuitId);
    /// @notice A traced private batch (`declareTracedChunks`, private/3) was declared: its `chunks`
    /// chunks carry ciphertexts for the regulator key (`keyX`, `keyY`) of `epoch`, payments from
    /// `threshold` traced. The key is in the event so that a reader needs no registry's history (the
    /// engine's registry can be replaced). The ephemeral keys and ciphertexts are in the calldata.
    event BatchTraced(
        uint64 indexed cycleId,
        bytes32 indexed batchId,
        uint32 epoch,
        uint64 threshold,
        uint256 chunks,
        uint256 keyX,
        uint256 keyY
    );

    error NettingNoOpenCycle(uint64 cycleId);
    error NettingCycleStillOpen(uint64 cycleId);
    error NettingTotalsMismatch(bytes32 batchId, bytes32 expected, bytes32 given);
    error NettingGrossMismatch(bytes32 batchId, uint256 header, uint256 sumOfTotals);
    error NettingInvalidObligation(address debtor, address creditor);
    /// @notice At the close, `presented` of the cycle's `pending` batches were presented: present
    /// every batch declared on chain or carried in (`pendingOf`).
    error NettingPendingNotPresented(uint64 cycleId, uint256 pending, uint256 presented);
    /// @notice A batch presented as pending is not Netted in the ledger (`status`): its header is not
    /// the anchored one, or it never entered a cycle.
    error NettingNotPending(bytes32 batchId, ISettlementLedger.BatchStatus status);
    /// @notice The same batch was presented twice in one close.
    error NettingBatchRepeated(bytes32 batchId);
    /// @notice Two banks hold ledger index `index` in one close: `released` was released and its
    /// index given to `holder`. Write off (governance) what is still pending with the released bank.
    error NettingIndexReused(uint256 index, address released, address holder);
    /// @notice The batch is not pending in the cycle (nothing to write off).
    error NettingNothingPending(uint64 cycleId, bytes32 batchId);
    /// @notice No close in several transactions is under way for `cycleId` (`beginClose` first).
    error NettingNotClosing(uint64 cycleId);
    /// @notice `bank` is inactive but the close was begun without holding it: begin it again with it held.
    error NettingMustHold(uint64 cycleId, address bank);
    /// @notice `bank` cannot pay its position (`need`) from its capacity: begin the close again
    /// with it held (its capacity changed since the held set was computed).
    error NettingNotCovered(uint64 cycleId, address bank, uint256 need, uint256 capacity);
    /// @notice A batch has `entries` counterparty entries; at most `max` may be declared or presented.
    error NettingTooManyEntries(bytes32 batchId, uint256 entries, uint256 max);
    /// @notice The limit of consecutive deferrals must be 1 … 255.
    error NettingInvalidDeferralLimit(uint32 maxConsecutive);
    /// @notice Only what the engine holds beyond the credit pool may be rescued (`available`).
    error NettingRescueTooMuch(address token, uint256 available, uint256 amount);
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
    /// @notice A batch declared with proofs has `given` chunks; 1 … `max` are accepted in one transaction.
    error NettingChunkCount(uint256 given, uint256 max);
    /// @notice The registry's current version of `circuitId` is retired, or takes `publicInputs`
    /// public signals where the engine builds 3: governance must register a live private-netting verifier.
    error NettingCircuitUnusable(bytes32 circuitId, uint8 publicInputs, bool retired);
    /// @notice Chunk roots must be strictly ascending (so no chunk is counted twice): chunk `chunk`'s
    /// `root` is not above the previous one, `previous` (0 for the first chunk: a root of 0 is refused).
    error NettingChunkRootsUnordered(uint256 chunk, uint256 previous, uint256 root);
    /// @notice The header's root is not keccak256(abi.encodePacked(chunk roots)) (`chunks`).
    error NettingChunkRootsMismatch(bytes32 header, bytes32 chunks);
    /// @notice Chunk `chunk`'s bucket `bucket` is invalid: its position is not below the number of
    /// counterparties, its amount is not below 2^72, or it is unused (amount 0) at a position other than 0.
    error NettingChunkBucketInvalid(uint256 chunk, uint256 bucket, uint256 position, uint256 amount);
    /// @notice The chunks' amounts to counterparty position `position` sum to `proved`, not the declared `declared`.
    error NettingChunkTotalsMismatch(uint256 position, uint256 proved, uint256 declared);
    /// @notice The engine has no function `selector` (its fallback only runs `declareProvedChunks`
    /// and `declareTracedChunks`).
    error NettingUnknownFunction(bytes4 selector);
    /// @notice Chunk `chunk`'s proof does not verify for its public signals under `circuitId`.
    error NettingChunkProofInvalid(bytes32 circuitId, uint256 chunk);
    /// @notice Traceability is on (the VerifierRegistry holds a regulator key of `epoch`): every batch
    /// must be declared traced, with `declareTracedChunks`; standard (`declare`, or presented fresh at
    /// a close), private/1 and private/2 declarations are refused (decision 042).
    error NettingTraceRequired(uint32 epoch);
    /// @notice No regulator key is registered (epoch 0): there is nobody to trace for; declare with
    /// `declareProvedChunks`.
    error NettingTraceOff();
    /// @notice Chunk `chunk`'s ephemeral key is the identity (0, 1): its ciphertexts would be readable by anyone.
    error NettingTraceEphemeralInvalid(uint256 chunk);
    /// @notice Chunk `chunk` has the ephemeral key of chunk `earlier`: both would share one key stream,
    /// so the difference of their ciphertexts would show the difference of their plaintexts. Draw a
    /// fresh ephemeral scalar for every chunk.
    error NettingTraceEphemeralReused(uint256 chunk, uint256 earlier);
    /// @notice A traced chunk's ciphertext element at `index` (slot-major, 0–223) is `value`, not below p.
    error NettingTraceCiphertextNotInField(uint256 index, uint256 value);

    /// @notice Open the next cycle (an active OPERATOR; only one cycle is open at a time). It starts
    /// with the batches carried from the previous cycle pending.
    function openCycle() external returns (uint64 cycleId);

    /// @notice Declare a final batch of the caller into the open cycle: `counterparties`/`totals`
    /// must be what its header's `totalsCommitment` commits to. The batch is pending in the cycle:
    /// the operator presents it again (with the same totals) at the close.
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

    /// @notice Close the open cycle (an active OPERATOR) with `declarations`: every batch pending
    /// in it (declared on chain or carried in), and any final standard-mode batches not yet in a
    /// cycle (each checked as `declare` checks a bank's: anchored header, final, netted once,
    /// totals matching the commitment, creditors the header's counterparties, gross total —
    /// except that the bank need not be active now). Then net, hold by the gridlock rule (inactive
    /// banks first; then the net debtor with the largest shortfall, lowest ledger index on a tie,
    /// until every net debtor left can pay), settle, and carry each batch's held entries into the
    /// next cycle. With `openNext`, the next cycle opens in the same transaction.
    function closeCycleWith(uint64 cycleId, Declaration[] memory declarations, bool openNext) external;

    /// @notice Set how many closes in a row a bank may be held short before the ledger refuses its
    /// new batches (owner; 1 … 255; default 3).
    function setMaxConsecutiveDeferrals(uint32 maxConsecutive) external;

    /// @notice How many closes in a row a bank may be held short before it is barred.
    function maxConsecutiveDeferrals() external view returns (uint32);

    /// @notice How many closes in a row `bank` has been held short (0: it settled its last close).
    function deferralsOf(address bank) external view returns (uint32);

    /// @notice Write off what is pending of `batchId` in the open cycle (owner): it is no longer
    /// presented at closes and never settles through the engine. A close in several transactions
    /// under way is abandoned (the cycle is Open again; begin the close again).
    function writeOff(uint64 cycleId, bytes32 batchId) external;

    /// @notice Send `amount` of `token` held by the engine to `to` (owner): any token sent to it by
    /// mistake; of the settlement token, only what exceeds the credit pool.
    function rescue(address token, address to, uint256 amount) external;

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

    /// @notice The live creditors (bit i: ledger index i) of a batch pending in `cycleId` (declared
    /// on chain or carried in; 0 if it is not pending there, and 0 once the cycle is closed).
    function pendingOf(uint64 cycleId, bytes32 batchId) external view returns (uint256 creditorMask);

    /// @notice The banks (bit i: ledger index i) held at the close of `cycleId`.
    function heldIn(uint64 cycleId) external view returns (uint256 heldMask);

    /// @notice A bank's credit line and how much of it is used.
    function creditOf(address bank) external view returns (CreditLine memory);

    /// @notice Tokens in the credit pool and the unused credit it must cover.
    function creditPool() external view returns (uint256 pool, uint256 unusedCredit);
}
