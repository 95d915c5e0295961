// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";
import {EscrowStorage} from "./EscrowStorage.sol";

/// @title EscrowConditions — validating terms, recording attestations and proofs, evaluating conditions
abstract contract EscrowConditions is EscrowStorage, EIP712Upgradeable {
    bytes32 internal constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(uint256 agreement,uint256 milestone,uint8 kind,bytes32 evidenceHash,uint64 deadline)"
    );
    bytes32 internal constant KYC_CIRCUIT = "kyc_membership";
    bytes32 internal constant KYC_TIER_CIRCUIT = "kyc_tier";
    /// @dev kyc_tier range-checks tiers to 8 bits: a minimum above 255 could never be proven.
    uint256 internal constant MAX_KYC_TIER = 255;
    bytes32 internal constant AMOUNT_CIRCUIT = "amount_limit";

    uint256 private constant RULE_BITS = 26;

    /// @dev Check a milestone's terms against the agreement's `attestorCount`; returns the packed
    /// attestation rules of its conditions (see `Milestone.attestRules`).
    function _checkMilestone(MilestoneTerms calldata m, uint256 attestorCount) internal view returns (uint104 rules) {
        // The escrow as payee would "pay" itself: the funds would stay locked outside every agreement.
        if (m.payee == address(0) || m.payee == address(this)) revert EscrowInvalidTerms("payee");
        if (m.amount == 0) revert EscrowInvalidTerms("amount");
        if (m.deadline <= block.timestamp) revert EscrowInvalidTerms("deadline");
        uint256 n = m.conditions.length;
        if (n == 0 || n > MAX_CONDITIONS) revert EscrowInvalidTerms("conditions");
        for (uint256 i; i < n; ++i) {
            Condition calldata c = m.conditions[i];
            if (c.kind == ConditionKind.Attestation) {
                uint256 mask = c.attestorMask;
                if (mask == 0 || mask >> attestorCount != 0) revert EscrowInvalidTerms("attestorMask");
                if (c.threshold == 0 || c.threshold > _popcount(mask)) revert EscrowInvalidTerms("threshold");
                uint256 rule = mask | (uint256(c.threshold) << 16) | (uint256(c.attestation) << 24);
                rules |= uint104(rule << (i * RULE_BITS));
                continue;
            }
            if (c.attestorMask != 0) revert EscrowInvalidTerms("attestorMask");
            if (c.threshold != 0) revert EscrowInvalidTerms("threshold");
            if (c.kind == ConditionKind.Time) {
                if (c.notBefore > m.deadline) revert EscrowInvalidTerms("notBefore");
            } else if (c.circuitId == KYC_CIRCUIT) {
                if (c.expected == 0 || c.limit != 0) revert EscrowInvalidTerms("kyc root");
            } else if (c.circuitId == KYC_TIER_CIRCUIT) {
                if (c.expected == 0) revert EscrowInvalidTerms("kyc root");
                if (c.limit == 0 || c.limit > MAX_KYC_TIER) revert EscrowInvalidTerms("kyc minimum tier");
            } else if (c.circuitId == AMOUNT_CIRCUIT) {
                if (c.expected == 0 || c.limit == 0) revert EscrowInvalidTerms("amount commitment or limit");
            } else {
                revert EscrowInvalidTerms("circuitId");
            }
        }
    }

    /// @dev Up to 16 distinct, non-zero attestors.
    function _checkAttestors(address[] calldata attestors) internal pure {
        uint256 n = attestors.length;
        if (n > MAX_ATTESTORS) revert EscrowInvalidTerms("attestors");
        for (uint256 i; i < n; ++i) {
            address at = attestors[i];
            if (at == address(0)) revert EscrowInvalidTerms("attestors");
            for (uint256 j; j < i; ++j) if (attestors[j] == at) revert EscrowInvalidTerms("attestors");
        }
    }

    /// @dev Index of `account` among the agreement's attestors, refusing one that is not an attestor
    /// or that no attestation condition of `kind` in the milestone names. Agreements created before
    /// per-condition binding (threshold != 0) let any of their attestors attest any kind.
    function _boundAttestor(
        uint256 id,
        uint256 index,
        Agreement storage a,
        Milestone storage m,
        AttestationKind kind,
        address account
    ) internal view returns (uint256 attestorIndex) {
        attestorIndex = _attestorIndex(id, a, account);
        if (a.threshold != 0) return attestorIndex;
        uint256 rules = m.attestRules;
        uint256 bound;
        for (uint256 k; k < MAX_CONDITIONS; ++k) {
            (uint256 mask, uint256 threshold, uint256 ruleKind) = _rule(rules, k);
            if (threshold != 0 && ruleKind == uint256(kind)) bound |= mask;
        }
        if ((bound >> attestorIndex) & 1 == 0) revert EscrowAttestorNotBound(id, index, kind, account);
    }

    /// @dev Condition `k`'s attestation rule: attestor mask, threshold (0: none), attestation kind.
    function _rule(uint256 rules, uint256 k) internal pure returns (uint256 mask, uint256 threshold, uint256 kind) {
        uint256 rule = rules >> (k * RULE_BITS);
        return (rule & 0xffff, (rule >> 16) & 0xff, (rule >> 24) & 0x3);
    }

    function _popcount(uint256 bits) internal pure returns (uint256 count) {
        while (bits != 0) {
            bits &= bits - 1;
            ++count;
        }
    }

    /// @dev Record attestor `index`'s attestation of `kind`; emits once per attestor and kind.
    function _recordAttestation(
        uint256 id,
        uint256 index,
        Milestone storage m,
        uint256 attestorIndex,
        address attestor,
        AttestationKind kind,
        bytes32 evidenceHash
    ) internal {
        uint48 bit = uint48(1) << uint48(uint256(kind) * 16 + attestorIndex);
        if (m.attested & bit != 0) return;
        m.attested |= bit;
        emit Attested(id, index, attestor, kind, evidenceHash);
    }

    /// @dev Index of `account` among the agreement's attestors (reverts if it is not one).
    function _attestorIndex(uint256 id, Agreement storage a, address account) internal view returns (uint256) {
        address[] storage list = a.attestors;
        for (uint256 i; i < list.length; ++i) if (list[i] == account) return i;
        revert EscrowNotAttestor(id, account);
    }

    /// @dev Verify a signed attestation (EOA or ERC-1271) that is not past its deadline.
    function _checkSignature(
        uint256 id,
        uint256 index,
        AttestationKind kind,
        bytes32 evidenceHash,
        AttestorSignature calldata s
    ) internal view {
        if (block.timestamp > s.deadline) revert EscrowAttestationExpired(id, s.signer, s.deadline);
        bytes32 digest = _attestationDigest(id, index, kind, evidenceHash, s.deadline);
        if (!SignatureChecker.isValidSignatureNow(s.signer, digest, s.signature)) {
            revert EscrowInvalidSignature(id, s.signer);
        }
    }

    function _attestationDigest(
        uint256 id,
        uint256 index,
        AttestationKind kind,
        bytes32 evidenceHash,
        uint64 deadline
    ) internal view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, id, index, uint8(kind), evidenceHash, deadline))
            );
    }

    /// @dev The value a proof's message (and kyc scope) must take: bound to chain, escrow, agreement
    /// and milestone, reduced below the BN254 field.
    function _binding(uint256 id, uint256 index) internal view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), id, index))) >> 8;
    }

    /// @dev Check a proof against a proof condition and verify it (spending a kyc_membership or
    /// kyc_tier nullifier).
    function _checkProof(
        uint256 id,
        uint256 index,
        StoredCondition storage c,
        uint256[8] calldata proof,
        uint256[] calldata signals
    ) internal {
        IVerifierRegistry verifiers = _s().verifiers;
        if (address(verifiers) == address(0)) revert EscrowNoVerifierRegistry();
        uint256 binding = _binding(id, index);
        bytes32 circuit = c.circuitId;
        if (circuit == KYC_CIRCUIT) {
            // root, nullifier, scope, message
            if (signals.length != 4) revert EscrowProofMismatch(id, index, signals.length);
            if (signals[0] != c.expected) revert EscrowProofMismatch(id, index, 0);
            if (signals[2] != binding) revert EscrowProofMismatch(id, index, 2);
            if (signals[3] != binding) revert EscrowProofMismatch(id, index, 3);
            verifiers.verifyAndSpend(circuit, proof, signals, 1);
        } else if (circuit == KYC_TIER_CIRCUIT) {
            // root, nullifier, scope, message, minTier
            if (signals.length != 5) revert EscrowProofMismatch(id, index, signals.length);
            if (signals[0] != c.expected) revert EscrowProofMismatch(id, index, 0);
            if (signals[2] != binding) revert EscrowProofMismatch(id, index, 2);
            if (signals[3] != binding) revert EscrowProofMismatch(id, index, 3);
            if (signals[4] != c.limit) revert EscrowProofMismatch(id, index, 4);
            verifiers.verifyAndSpend(circuit, proof, signals, 1);
        } else {
            // commitment, limit, message
            if (signals.length != 3) revert EscrowProofMismatch(id, index, signals.length);
            if (signals[0] != c.expected) revert EscrowProofMismatch(id, index, 0);
            if (signals[1] != c.limit) revert EscrowProofMismatch(id, index, 1);
            if (signals[2] != binding) revert EscrowProofMismatch(id, index, 2);
            verifiers.requireValid(circuit, proof, signals);
        }
    }

    /// @dev Whether a milestone's combined condition holds now.
    function _holds(Agreement storage a, Milestone storage m) internal view returns (bool) {
        uint256 n = m.conditionCount;
        bool any = m.combine == Combine.Any;
        for (uint256 i; i < n; ++i) {
            bool ok = _conditionHolds(a, m, i);
            if (any && ok) return true;
            if (!any && !ok) return false;
        }
        return !any;
    }

    function _conditionHolds(Agreement storage a, Milestone storage m, uint256 i) private view returns (bool) {
        StoredCondition storage c = m.conditions[i];
        if (c.kind == ConditionKind.Time) return block.timestamp >= c.notBefore;
        if (c.kind == ConditionKind.Proof) return m.provenMask & (uint8(1) << uint8(i)) != 0;
        uint256 bits = (m.attested >> (uint256(c.attestation) * 16)) & 0xffff;
        (uint256 mask, uint256 need, ) = _rule(m.attestRules, i);
        if (need == 0)
            need = a.threshold; // created before per-condition binding: k of any attestor
        else bits &= mask;
        return _popcount(bits) >= need;
    }
}
