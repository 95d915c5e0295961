// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Roles} from "../access/Roles.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {INettingEngine} from "./INettingEngine.sol";
import {NettingStorage} from "./NettingStorage.sol";
import {BankIndex} from "./BankIndex.sol";
import {IRegulatorKeys} from "../zk/IRegulatorKeys.sol";

/// @title Declaring — how a batch enters a cycle, shared by the engine and its extension
/// @notice The checks every declaration must satisfy (on chain or presented at a close) and the
/// effects of a declaration on chain, over the engine's storage. Shared by the NettingEngine and
/// PrivateProofs (which runs `declareProvedChunks` on the engine's storage), so both declare alike.
library Declaring {
    using BankIndex for BankIndex.Table;

    /// @dev Most counterparty entries of one batch (a creditor may repeat; at most 255 distinct).
    uint256 internal constant MAX_ENTRIES = 256;
    /// @dev Domain tag of a private-mode batch's totals commitment (one proof, `declareProved`).
    bytes32 internal constant PRIVATE_BATCH_TAG = keccak256("clearhouse.batch.private/1");
    /// @dev Domain tag of the totals commitment of a private-mode batch declared with several
    /// proofs (`declareProvedChunks`, private mode v2).
    bytes32 internal constant PRIVATE_CHUNKS_TAG = keccak256("clearhouse.batch.private/2");
    /// @dev Domain tag of a traced private batch's totals commitment (`declareTracedChunks`, private/3).
    bytes32 internal constant TRACED_CHUNKS_TAG = keccak256("clearhouse.batch.private/3");

    /// @dev Revert unless `cycleId` is the current cycle and open.
    function requireOpen(NettingStorage.EngineStorage storage $, uint64 cycleId) internal view {
        if (cycleId != $.current || $.cycles[cycleId].status != INettingEngine.CycleStatus.Open) {
            revert INettingEngine.NettingNoOpenCycle(cycleId);
        }
    }

    /// @dev Checks and effects of a declaration by the caller; `given` is its commitment to
    /// `counterparties`/`totals` in the batch's mode. The batch becomes pending in the cycle.
    function declare(
        NettingStorage.EngineStorage storage $,
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        bytes32 given
    ) internal returns (bytes32 batchId) {
        $.registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        requireOpen($, cycleId);
        batchId = keccak256(abi.encode(msg.sender, key));
        BankIndex.Table memory banks = BankIndex.over($.ledger, counterparties.length + 1);
        uint256 sum = check(cycleId, msg.sender, batchId, header, counterparties, totals, given, banks);
        $.pending[cycleId][batchId] = uint256(header.counterpartyMask);
        INettingEngine.Cycle storage cycle = $.cycles[cycleId];
        cycle.batchCount += 1;
        cycle.pending += 1;
        emit INettingEngine.BatchDeclared(cycleId, batchId, msg.sender, sum, counterparties, totals);
    }

    /// @dev What every declaration must satisfy, on chain or presented at close: `header` is the
    /// final anchored header of `batchId` (the ledger marks it Netted, so it settles once),
    /// `given` (the commitment to counterparties/totals in the batch's mode) is its totals
    /// commitment, the creditors are exactly its counterparty mask (enrolled banks other than the
    /// debtor, non-zero amounts) and the totals add up to its gross total, which it returns.
    function check(
        uint64 cycleId,
        address debtor,
        bytes32 batchId,
        ISettlementLedger.BatchHeader memory header,
        address[] memory counterparties,
        uint256[] memory totals,
        bytes32 given,
        BankIndex.Table memory banks
    ) internal returns (uint256 sum) {
        banks.ledger.markNetted(batchId, header, cycleId);
        if (counterparties.length != totals.length) {
            revert INettingEngine.NettingLengthMismatch(counterparties.length, totals.length);
        }
        // Bounded, so that any declared batch can be presented again within a transaction.
        if (counterparties.length > MAX_ENTRIES) {
            revert INettingEngine.NettingTooManyEntries(batchId, counterparties.length, MAX_ENTRIES);
        }
        if (given != header.totalsCommitment) {
            revert INettingEngine.NettingTotalsMismatch(batchId, header.totalsCommitment, given);
        }
        uint256 declaredMask;
        for (uint256 i; i < counterparties.length; ++i) {
            address creditor = counterparties[i];
            if (creditor == debtor || creditor == address(0) || totals[i] == 0) {
                revert INettingEngine.NettingInvalidObligation(debtor, creditor);
            }
            // Creditors must be the batch's anchored counterparties: enrolled banks that could
            // acknowledge or dispute it (the ledger reverts LedgerNotEnrolled otherwise).
            declaredMask |= 1 << banks.indexOf(creditor); // a creditor may repeat: its amounts add up
            sum += totals[i];
        }
        if (declaredMask != uint256(header.counterpartyMask)) {
            revert INettingEngine.NettingCounterpartiesMismatch(batchId, header.counterpartyMask, declaredMask);
        }
        if (sum != header.grossTotal) revert INettingEngine.NettingGrossMismatch(batchId, header.grossTotal, sum);
    }

    /// @dev Once a regulator key is registered (traceability on), a batch enters a cycle only
    /// traced (`declareTracedChunks`): a standard or untraced private declaration, on chain or
    /// presented fresh at a close, reverts NettingTraceRequired (decision 042). `verifiers` zero:
    /// nothing is traced. A registry that cannot answer refuses (fail closed, its revert passed on).
    /// The one rule for the engine and PrivateProofs (assembly: the engine is at the EIP-170 limit).
    function requireUntraced(address verifiers) internal view {
        bytes4 selector = IRegulatorKeys.tracePolicy.selector;
        uint256 epoch;
        // The epoch is tracePolicy()'s first word.
        assembly ("memory-safe") {
            if verifiers {
                mstore(0, selector)
                if iszero(staticcall(gas(), verifiers, 0, 4, 0, 32)) {
                    returndatacopy(0, 0, returndatasize())
                    revert(0, returndatasize())
                }
                epoch := mload(0)
            }
        }
        if (epoch != 0) revert INettingEngine.NettingTraceRequired(uint32(epoch));
    }
}
