// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {ISettlementLedger} from "./ISettlementLedger.sol";
import {INettingEngine} from "./INettingEngine.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";

/// @title NettingStorage — the netting engine's state (ERC-7201 namespace), shared by its parts
abstract contract NettingStorage is INettingEngine {
    /// @custom:storage-location erc7201:clearhouse.storage.NettingEngine
    struct EngineStorage {
        IConsortiumRegistry registry;
        ISettlementLedger ledger;
        IERC20 token;
        uint64 current;
        uint32 deferredBanks; // banks whose count of consecutive deferrals is not 0 (packed with current, read by every close)
        uint256 pool;
        uint256 unusedCredit;
        mapping(uint64 cycleId => Cycle) cycles;
        mapping(uint64 cycleId => address[]) participants; // retired: obligations are carried by batch (decision 023)
        mapping(uint64 cycleId => mapping(address bank => bool)) isParticipant; // retired (decision 023)
        mapping(uint64 cycleId => mapping(address debtor => mapping(address creditor => uint256))) owe; // retired (decision 023)
        mapping(uint64 cycleId => mapping(address bank => int256)) net; // retired: net positions are in NetPosition events
        mapping(bytes32 batchId => uint64 cycleId) declaredIn; // retired: the ledger's Netted mark is the record (decision 018)
        mapping(address bank => CreditLine) credit;
        IVerifierRegistry verifiers; // appended: verifies private-mode batch proofs
        uint32 maxConsecutiveDeferrals; // appended (decision 023); 0 reads as the default, 3
        mapping(uint64 cycleId => mapping(bytes32 batchId => uint256 creditorMask)) pending; // declared into the cycle
        mapping(uint64 cycleId => uint256 heldMask) held;
        mapping(address bank => uint32 consecutive) deferrals;
        mapping(uint64 cycleId => Closing) closing; // a close in several transactions
        // what a close session carried into the next cycle (session 0: a close in one transaction)
        mapping(uint64 cycleId => mapping(uint32 session => mapping(bytes32 batchId => uint256 creditorMask))) carried;
        mapping(uint64 cycleId => mapping(bytes32 batchId => uint32 session)) presentedIn;
        mapping(uint64 cycleId => mapping(uint32 session => mapping(uint256 index => int256 position))) positions;
    }

    /// @dev A close in several transactions: its session (restarts count up), the held banks it
    /// was begun with, the participants seen, what it settles and carries so far.
    struct Closing {
        uint256 held;
        uint256 seen;
        uint256 gross;
        uint32 session;
        uint32 presented;
        uint32 carried;
    }

    function _s() internal pure returns (EngineStorage storage $) {
        return engineStorage();
    }
}

// keccak256(abi.encode(uint256(keccak256("clearhouse.storage.NettingEngine")) - 1)) & ~bytes32(uint256(0xff))
bytes32 constant ENGINE_STORAGE_SLOT = 0x2a46cd332ea22f633c04eec22361546ba9940764b364535cffab5d0f75f86200;

/// @dev The engine's state: NettingStorage's, and PrivateProofs' when it runs as the engine (delegatecall).
function engineStorage() pure returns (NettingStorage.EngineStorage storage $) {
    assembly {
        $.slot := ENGINE_STORAGE_SLOT
    }
}
