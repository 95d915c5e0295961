// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";
import {IConditionalEscrow} from "./IConditionalEscrow.sol";

/// @title EscrowStorage — the escrow's state (ERC-7201 namespace), shared by its parts
abstract contract EscrowStorage is IConditionalEscrow {
    uint256 internal constant MAX_MILESTONES = 32;
    uint256 internal constant MAX_CONDITIONS = 4;
    uint256 internal constant MAX_ATTESTORS = 16;

    struct Agreement {
        address payer;
        AgreementStatus status;
        uint8 threshold;
        uint8 milestoneCount;
        uint40 createdAt;
        IERC20 token;
        address arbiter;
        uint128 total;
        uint128 released;
        uint128 refunded;
        bytes32 ref;
        address[] attestors;
    }

    struct Milestone {
        address payee;
        uint96 amount;
        uint64 deadline;
        MilestoneStatus status;
        Combine combine;
        uint8 conditionCount;
        uint8 provenMask;
        uint48 attested; // 16 bits per AttestationKind: bit i = attestor i
        Condition[MAX_CONDITIONS] conditions;
    }

    /// @custom:storage-location erc7201:clearhouse.storage.ConditionalEscrow
    struct EscrowLayout {
        IConsortiumRegistry registry;
        IVerifierRegistry verifiers;
        uint256 count;
        mapping(uint256 agreementId => Agreement) agreements;
        mapping(uint256 agreementId => mapping(uint256 index => Milestone)) milestones;
        mapping(uint256 agreementId => mapping(address party => bool)) cancelConsent;
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.ConditionalEscrow")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x8771489f365d83bdf5b82d2dd96991087608749c3c0e18184be5955d96cbf200;

    function _s() internal pure returns (EscrowLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
