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
    /// @dev The longest a cancel consent may count: long enough to sign off a renegotiation, short
    /// enough that it cannot be used weeks later against a milestone delivered meanwhile.
    uint64 internal constant MAX_CONSENT_LIFETIME = 30 days;

    struct Agreement {
        address payer;
        AgreementStatus status;
        uint8 threshold; // only agreements created before per-condition binding: k of any attestor; else 0
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

    /// @dev A condition as stored: `Condition` without its attestation binding, which is packed into
    /// `Milestone.attestRules` (a slot written anyway) rather than into a slot of its own. The same
    /// layout as the conditions of agreements created before the binding existed.
    struct StoredCondition {
        ConditionKind kind;
        AttestationKind attestation;
        uint64 notBefore;
        bytes32 circuitId;
        uint256 expected;
        uint256 limit;
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
        // 26 bits per condition k (at 26·k): its attestor mask (16), threshold (8), attestation kind (2).
        // Threshold 0: not an attestation condition, or an agreement created before the binding (then
        // Agreement.threshold != 0 and any attestor counts). Inserted into slot 1's free bytes.
        uint104 attestRules;
        StoredCondition[MAX_CONDITIONS] conditions;
    }

    /// @custom:storage-location erc7201:clearhouse.storage.ConditionalEscrow
    struct EscrowLayout {
        IConsortiumRegistry registry;
        IVerifierRegistry verifiers;
        uint256 count;
        mapping(uint256 agreementId => Agreement) agreements;
        mapping(uint256 agreementId => mapping(uint256 index => Milestone)) milestones;
        // Retired: consents given before they expired. They no longer count (consents must expire).
        mapping(uint256 agreementId => mapping(address party => bool)) cancelConsent;
        mapping(uint256 agreementId => mapping(address party => uint64 expiresAt)) cancelConsentUntil;
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.ConditionalEscrow")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x8771489f365d83bdf5b82d2dd96991087608749c3c0e18184be5955d96cbf200;

    function _s() internal pure returns (EscrowLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
