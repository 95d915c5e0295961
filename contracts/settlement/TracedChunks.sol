// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {INettingEngine} from "./INettingEngine.sol";
import {IPrivateChunks} from "./IPrivateChunks.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {NettingStorage, engineStorage} from "./NettingStorage.sol";
import {Declaring} from "./Declaring.sol";
import {ChunkChecks} from "./ChunkChecks.sol";
import {TraceBinding} from "./TraceBinding.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";
import {IRegulatorKeys} from "../zk/IRegulatorKeys.sol";
import {Groth16Call} from "../zk/Groth16Call.sol";

/// @title TracedChunks — the traced private declaration (private/3, issue 23, decision 041)
/// @notice Runs in PrivateProofs as the engine (the engine's fallback delegates its selector): a
/// private batch whose chunks carry, per payment slot, a ciphertext for the regulator's current key,
/// proven by `private_traced_32` to encrypt the slot's payment when its amount is at or above the
/// governed threshold and zeros otherwise (docs/spec/traced-batch.md).
abstract contract TracedChunks is IPrivateChunks, PausableUpgradeable, ChunkChecks {
    /// @notice The circuit that proves a traced chunk (10 public signals).
    bytes32 public constant PRIVATE_TRACED_CIRCUIT = "private_traced_32";
    /// @notice Most chunks of one traced declaration (32 payments each). Gas budget: the whole
    /// `declareTracedChunks` under 15,000,000 gas. Measured with 24 real proofs, 768 payments to 96
    /// creditors, every bucket used (test/contracts/settlement/netting-traced-max.test.ts):
    /// 7,239,002 gas accepted; 12,726,529 gas refused at the last chunk (the batch check fails, then
    /// each proof alone). Size: 193,252 bytes of calldata (7,776 a chunk), 193,361 signed: over
    /// Geth's 128 KiB pool limit, which would allow 16 chunks, but Besu, the production node, has no
    /// per-transaction size limit (its P2P transactions message takes 1 MiB, its JSON-RPC body 5 MiB
    /// or more), so 24 stays and no node setting is needed (docs/zk.md, decision 041).
    uint256 public constant MAX_TRACED_CHUNKS = 24;

    /// @dev The trace policy a declaration is checked against (the registry's, read once).
    struct Policy {
        uint32 epoch;
        uint256 keyX;
        uint256 keyY;
        uint64 threshold;
    }

    /// @inheritdoc IPrivateChunks
    /// @dev Calldata checks, then the policy (one registry call), the circuit (one), the bindings,
    /// all proofs in one `verifyBatch`, then Declaring.declare. Bounded by MAX_TRACED_CHUNKS.
    function declareTracedChunks(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        TracedChunk[] calldata chunks
    ) external whenNotPaused {
        NettingStorage.EngineStorage storage $ = engineStorage();
        IVerifierRegistry verifiers = $.verifiers;
        if (address(verifiers) == address(0)) revert INettingEngine.NettingNoVerifierRegistry();
        _checkTraced(header.root, counterparties, totals, chunks);
        Policy memory policy;
        (policy.epoch, policy.keyX, policy.keyY, policy.threshold) = IRegulatorKeys(address(verifiers)).tracePolicy();
        if (policy.epoch == 0) revert INettingEngine.NettingTraceOff();
        _verifyTraced(verifiers, $.ledger, counterparties, chunks, policy);
        bytes32 given = keccak256(abi.encode(Declaring.TRACED_CHUNKS_TAG, counterparties, totals));
        bytes32 batchId = Declaring.declare($, cycleId, key, header, counterparties, totals, given);
        emit INettingEngine.BatchProofAccepted(cycleId, batchId, PRIVATE_TRACED_CIRCUIT);
        emit INettingEngine.BatchTraced(
            cycleId,
            batchId,
            policy.epoch,
            policy.threshold,
            chunks.length,
            policy.keyX,
            policy.keyY
        );
    }

    /// @dev Count, lengths, roots, buckets, sums, no identity ephemeral key and no ephemeral key twice
    /// (24 chunks: 276 comparisons).
    function _checkTraced(
        bytes32 headerRoot,
        address[] calldata counterparties,
        uint256[] calldata totals,
        TracedChunk[] calldata chunks
    ) private pure {
        uint256 count = chunks.length;
        (uint256[] memory sums, uint256[] memory roots) = _shape(count, MAX_TRACED_CHUNKS, counterparties, totals);
        uint256 previous;
        for (uint256 i; i < count; ++i) {
            TracedChunk calldata c = chunks[i];
            _checkChunk(i, c.root, previous, c.buckets, c.amounts, sums);
            (roots[i], previous) = (c.root, c.root);
            if (c.ephemeral[0] == 0 && c.ephemeral[1] == 1) revert INettingEngine.NettingTraceEphemeralInvalid(i);
            // Two chunks under one E share their key stream: slot by slot, the difference of their
            // ciphertexts is the difference of their plaintexts (a zero slot would reveal the other).
            for (uint256 j; j < i; ++j) {
                if (chunks[j].ephemeral[0] == c.ephemeral[0] && chunks[j].ephemeral[1] == c.ephemeral[1]) {
                    revert INettingEngine.NettingTraceEphemeralReused(i, j);
                }
            }
        }
        _checkRootsAndSums(headerRoot, roots, sums, totals);
    }

    /// @dev Every chunk's 10 public signals (the challenge and evaluation derived from its published
    /// ciphertexts), then all proofs in one `verifyBatch`; if that fails, each alone to name it.
    function _verifyTraced(
        IVerifierRegistry verifiers,
        ISettlementLedger ledger,
        address[] calldata counterparties,
        TracedChunk[] calldata chunks,
        Policy memory policy
    ) private view {
        IVerifierRegistry.Circuit memory circuit = _liveCircuit(verifiers, PRIVATE_TRACED_CIRCUIT, 10);
        (uint256 bankWord, uint256[] memory indexes) = _indexes(ledger, counterparties);
        uint256 n = chunks.length;
        uint256[8][] memory proofs = new uint256[8][](n);
        uint256[10][] memory signals = new uint256[10][](n);
        for (uint256 i; i < n; ++i) {
            proofs[i] = chunks[i].proof;
            signals[i] = _tracedSignals(bankWord, indexes, chunks[i], policy);
        }
        if (Groth16Call.verifyBatch10(circuit.verifier, proofs, signals)) return;
        for (uint256 i; i < n; ++i) {
            if (!Groth16Call.verify10(circuit.verifier, circuit.selector, chunks[i].proof, signals[i])) {
                revert INettingEngine.NettingChunkProofInvalid(PRIVATE_TRACED_CIRCUIT, i);
            }
        }
    }

    /// @dev [root, word0, word1, E.x, E.y, evaluation, K.x, K.y, threshold, r] of chunk `c`.
    function _tracedSignals(
        uint256 bankWord,
        uint256[] memory indexes,
        TracedChunk calldata c,
        Policy memory policy
    ) private pure returns (uint256[10] memory x) {
        (uint256 word0, uint256 word1) = _words(bankWord, indexes, c.buckets, c.amounts);
        uint256 r = TraceBinding.challenge(
            c.root,
            c.ephemeral,
            policy.keyX,
            policy.keyY,
            policy.threshold,
            c.ciphertexts
        );
        x = [
            c.root,
            word0,
            word1,
            c.ephemeral[0],
            c.ephemeral[1],
            TraceBinding.evaluation(c.ciphertexts, r),
            policy.keyX,
            policy.keyY,
            policy.threshold,
            r
        ];
    }
}
