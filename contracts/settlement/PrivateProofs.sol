// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {INettingEngine} from "./INettingEngine.sol";
import {IPrivateChunks} from "./IPrivateChunks.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {NettingStorage, engineStorage} from "./NettingStorage.sol";
import {Declaring} from "./Declaring.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";
import {Groth16Call} from "../zk/Groth16Call.sol";
import {TracedChunks} from "./TracedChunks.sol";

/// @title PrivateProofs — the NettingEngine's private-mode proof checks, and its v2 declaration
/// @notice The engine has no code room left under EIP-170 (decision 023); its implementation
/// creates this contract in its constructor and uses it two ways:
/// - `declareProvedChunks` (private mode v2, decision 034) runs here as the engine: the engine's
///   fallback delegates that one selector, so it reads and writes the engine's storage (ERC-7201
///   namespaces: the engine's and OpenZeppelin's Pausable) and `msg.sender` is the declaring bank.
///   Called directly it acts on this contract's own empty state and is refused (no registry).
/// - `checkBatch` checks `declareProved`'s one proof (a static call): the engine forwards its own
///   call's arguments as they came (same ABI layout, under this selector) followed by two ABI
///   words of context, the caller and the verifier registry.
/// @custom:security-contact security@clearhouse.example
contract PrivateProofs is IPrivateChunks, PausableUpgradeable, TracedChunks {
    /// @notice The circuit that proves a chunk (public signals [root, word0, word1]).
    bytes32 public constant PRIVATE_NETTING_CIRCUIT = "private_netting_256";
    /// @notice The circuit of `checkBatch` (public signals root, packed[4], bank).
    bytes32 public constant BATCH_NETTING_CIRCUIT = "batch_netting_16";
    /// @notice Most chunks (proofs) of one declaration. Gas budget: the whole `declareProvedChunks`
    /// stays under 15,000,000 gas, the per-transaction budget of a deployment (MIN_GAS_LIMIT in the
    /// SDK). Measured with real proofs at this bound, 4 distinct creditors a chunk (192 entries,
    /// test/contracts/settlement/netting-chunks-proved.test.ts): accepted, 4,507,759 gas (all proofs in
    /// one `verifyBatch`, decision 036); refused at the last chunk, 13,757,177 gas (the batch, then
    /// every proof alone to name it). The refusal is the bound: each proof checked alone costs ~205k.
    uint256 public constant MAX_PROVED_CHUNKS = 48;
    uint256 private constant CONTEXT = 64;

    /// @notice Revert unless the proof of a `declareProved` call (same arguments, then the context
    /// words) verifies through the registry's `batch_netting_16` for the public signals [root,
    /// packed_0..3, bank], packed_k = totals[k] << 160 | counterparties[k] (0 past the last), bank
    /// = the caller. A total from 2^90 on cannot be proven and would not fit: NettingInvalidObligation.
    /// Also refused, in this order: no verifier registry (NettingNoVerifierRegistry), more than
    /// BUCKETS counterparties (NettingTooManyCounterparties), as many totals as counterparties
    /// (NettingLengthMismatch), a regulator key registered (NettingTraceRequired).
    /// @param header the batch's header (only its root is read)
    /// @param counterparties the declared creditors
    /// @param totals the declared totals
    /// @param proof the flattened Groth16 proof
    function checkBatch(
        uint64,
        bytes32,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        uint256[8] calldata proof
    ) external view {
        (address bank, IVerifierRegistry verifiers) = _context();
        if (address(verifiers) == address(0)) revert INettingEngine.NettingNoVerifierRegistry();
        if (counterparties.length > BUCKETS) {
            revert INettingEngine.NettingTooManyCounterparties(counterparties.length, BUCKETS);
        }
        if (counterparties.length != totals.length) {
            revert INettingEngine.NettingLengthMismatch(counterparties.length, totals.length);
        }
        Declaring.requireUntraced(address(verifiers));
        uint256[] memory signals = new uint256[](BUCKETS + 2);
        signals[0] = uint256(header.root);
        for (uint256 k; k < counterparties.length; ++k) {
            if (totals[k] >= 1 << 90) revert INettingEngine.NettingInvalidObligation(bank, counterparties[k]);
            signals[k + 1] = (totals[k] << 160) | uint256(uint160(counterparties[k]));
        }
        signals[BUCKETS + 1] = uint256(uint160(bank));
        verifiers.requireValid(BATCH_NETTING_CIRCUIT, proof, signals);
    }

    /// @inheritdoc IPrivateChunks
    /// @dev Checks (cheapest first, then one verifier call per chunk, all static) before the
    /// declaration's checks and effects (Declaring.declare, as `declare`). Bounded:
    /// MAX_PROVED_CHUNKS chunks of BUCKETS buckets, one pass over the totals.
    function declareProvedChunks(
        uint64 cycleId,
        bytes32 key,
        ISettlementLedger.BatchHeader calldata header,
        address[] calldata counterparties,
        uint256[] calldata totals,
        ProvedChunk[] calldata chunks
    ) external whenNotPaused {
        NettingStorage.EngineStorage storage $ = engineStorage();
        if (address($.verifiers) == address(0)) revert INettingEngine.NettingNoVerifierRegistry();
        Declaring.requireUntraced(address($.verifiers));
        _checkChunks(header.root, counterparties, totals, chunks);
        _verifyChunks($.verifiers, $.ledger, counterparties, chunks);
        bytes32 given = keccak256(abi.encode(Declaring.PRIVATE_CHUNKS_TAG, counterparties, totals));
        bytes32 batchId = Declaring.declare($, cycleId, key, header, counterparties, totals, given);
        emit INettingEngine.BatchProofAccepted(cycleId, batchId, PRIVATE_NETTING_CIRCUIT);
    }

    /// @dev The registry's current private_netting_256 (read once), then every chunk's proof in one
    /// `verifyBatch` call (decision 036: one pairing product for all the chunks). If the batch does not
    /// verify, each proof is checked alone, to name the first that fails; a verifier without
    /// `verifyBatch` is thus still usable (every proof alone, as before).
    function _verifyChunks(
        IVerifierRegistry verifiers,
        ISettlementLedger ledger,
        address[] calldata counterparties,
        ProvedChunk[] calldata chunks
    ) private view {
        IVerifierRegistry.Circuit memory circuit = _liveCircuit(verifiers, PRIVATE_NETTING_CIRCUIT, 3);
        (uint256 bankWord, uint256[] memory indexes) = _indexes(ledger, counterparties);
        uint256 n = chunks.length;
        uint256[8][] memory proofs = new uint256[8][](n);
        uint256[3][] memory signals = new uint256[3][](n);
        for (uint256 i; i < n; ++i) {
            proofs[i] = chunks[i].proof;
            signals[i] = _signals(bankWord, indexes, chunks[i]);
        }
        if (Groth16Call.verifyBatch3(circuit.verifier, proofs, signals)) return;
        for (uint256 i; i < n; ++i) {
            uint256[3] memory x = signals[i];
            if (!Groth16Call.verify3(circuit.verifier, circuit.selector, chunks[i].proof, x[0], x[1], x[2])) {
                revert INettingEngine.NettingChunkProofInvalid(PRIVATE_NETTING_CIRCUIT, i);
            }
        }
    }

    /// @dev Chunk `c`'s public signals [root, word0, word1].
    function _signals(
        uint256 bankWord,
        uint256[] memory indexes,
        ProvedChunk calldata c
    ) private pure returns (uint256[3] memory) {
        (uint256 word0, uint256 word1) = _words(bankWord, indexes, c.buckets, c.amounts);
        return [c.root, word0, word1];
    }

    /// @dev The calldata checks (no state read, cheapest first): chunk count, lengths, roots strictly ascending and
    /// hashing to `headerRoot`, buckets, per-position sums equal to `totals`.
    function _checkChunks(
        bytes32 headerRoot,
        address[] calldata counterparties,
        uint256[] calldata totals,
        ProvedChunk[] calldata chunks
    ) private pure {
        uint256 count = chunks.length;
        (uint256[] memory sums, uint256[] memory roots) = _shape(count, MAX_PROVED_CHUNKS, counterparties, totals);
        uint256 previous;
        for (uint256 i; i < count; ++i) {
            ProvedChunk calldata c = chunks[i];
            _checkChunk(i, c.root, previous, c.buckets, c.amounts, sums);
            (roots[i], previous) = (c.root, c.root);
        }
        _checkRootsAndSums(headerRoot, roots, sums, totals);
    }

    /// @dev The context the engine appended to its forwarded arguments.
    function _context() private pure returns (address bank, IVerifierRegistry verifiers) {
        return abi.decode(msg.data[msg.data.length - CONTEXT:], (address, IVerifierRegistry));
    }
}
