// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EscrowConditions} from "./EscrowConditions.sol";
import {IConditionalEscrow} from "./IConditionalEscrow.sol";

/// @title EscrowViews — what the escrow answers about agreements, and the lookups its entry points share
/// @dev Split out of ConditionalEscrow (one concept per file); no storage of its own (ERC-7201 layout
/// in EscrowStorage), so the split changes neither the layout nor the interface.
abstract contract EscrowViews is EscrowConditions {
    // ================================================================ views

    /// @inheritdoc IConditionalEscrow
    function agreementOf(uint256 agreementId) external view returns (AgreementView memory v) {
        Agreement storage a = _agreement(agreementId);
        v.payer = a.payer;
        v.token = a.token;
        v.arbiter = a.arbiter;
        v.status = a.status;
        v.createdAt = a.createdAt;
        v.ref = a.ref;
        v.total = a.total;
        v.released = a.released;
        v.refunded = a.refunded;
        v.attestors = a.attestors;
        uint256 n = a.milestoneCount;
        v.milestones = new MilestoneView[](n);
        for (uint256 i; i < n; ++i) {
            Milestone storage m = _s().milestones[agreementId][i];
            MilestoneView memory mv = v.milestones[i];
            mv.payee = m.payee;
            mv.amount = m.amount;
            mv.deadline = m.deadline;
            mv.status = m.status;
            mv.combine = m.combine;
            mv.conditions = new Condition[](m.conditionCount);
            for (uint256 k; k < m.conditionCount; ++k) mv.conditions[k] = _conditionView(a, m, k, v.attestors.length);
            for (uint256 k; k < 3; ++k) mv.attestedBy[k] = uint16(m.attested >> (16 * k));
            mv.provenMask = m.provenMask;
            mv.conditionHolds = _holds(a, m);
        }
    }

    /// @inheritdoc IConditionalEscrow
    function conditionHolds(uint256 agreementId, uint256 milestone) external view returns (bool) {
        (Agreement storage a, Milestone storage m) = _milestone(agreementId, milestone);
        return _holds(a, m);
    }

    /// @inheritdoc IConditionalEscrow
    function cancelConsentOf(uint256 agreementId, address party) external view returns (uint64) {
        _agreement(agreementId);
        return _s().cancelConsentUntil[agreementId][party];
    }

    /// @inheritdoc IConditionalEscrow
    function bindingOf(uint256 agreementId, uint256 milestone) external view returns (uint256) {
        return _binding(agreementId, milestone);
    }

    /// @inheritdoc IConditionalEscrow
    function attestationDigest(
        uint256 agreementId,
        uint256 milestone,
        AttestationKind kind,
        bytes32 evidenceHash,
        uint64 deadline
    ) external view returns (bytes32) {
        return _attestationDigest(agreementId, milestone, kind, evidenceHash, deadline);
    }

    /// @inheritdoc IConditionalEscrow
    function agreementCount() external view returns (uint256) {
        return _s().count;
    }

    /// @notice The registry that verifies proof conditions (0 if none).
    function verifierRegistry() external view returns (address) {
        return address(_s().verifiers);
    }

    // ================================================================ lookups

    function _agreement(uint256 id) internal view returns (Agreement storage a) {
        a = _s().agreements[id];
        if (a.status == AgreementStatus.None) revert EscrowUnknownAgreement(id);
    }

    function _active(uint256 id) internal view returns (Agreement storage a) {
        a = _agreement(id);
        if (a.status != AgreementStatus.Active) revert EscrowAgreementNotActive(id, a.status);
    }

    function _milestone(uint256 id, uint256 index) internal view returns (Agreement storage a, Milestone storage m) {
        a = _active(id);
        if (index >= a.milestoneCount) revert EscrowUnknownMilestone(id, index);
        m = _s().milestones[id][index];
    }

    /// @dev Condition `k` of a milestone as `Condition`: with its attestation binding, or for an agreement
    /// created before the binding existed, the rule it keeps (k of any attestor).
    function _conditionView(
        Agreement storage a,
        Milestone storage m,
        uint256 k,
        uint256 attestorCount
    ) internal view returns (Condition memory c) {
        StoredCondition storage s = m.conditions[k];
        c.kind = s.kind;
        c.attestation = s.attestation;
        c.notBefore = s.notBefore;
        c.circuitId = s.circuitId;
        c.expected = s.expected;
        c.limit = s.limit;
        if (c.kind != ConditionKind.Attestation) return c;
        (uint256 mask, uint256 threshold, ) = _rule(m.attestRules, k);
        if (threshold == 0) (mask, threshold) = ((1 << attestorCount) - 1, a.threshold);
        c.attestorMask = uint16(mask);
        c.threshold = uint8(threshold);
    }
}
