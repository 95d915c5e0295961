// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {IVerifierRegistry} from "../zk/IVerifierRegistry.sol";
import {EscrowViews} from "./EscrowViews.sol";
import {IConditionalEscrow} from "./IConditionalEscrow.sol";

/// @title ConditionalEscrow — programmable conditional payments (see IConditionalEscrow)
/// @notice Funds only ever leave to a milestone's payee (release, arbiter split) or to the payer
/// (refund, split, cancel). The escrow is a registry member; the token applies every member rule
/// to each movement, so a payee or payer that is suspended or sanctioned mid-agreement cannot be
/// paid until it is reinstated: the milestone simply stays where it is, nothing is lost.
/// @dev UUPS proxy owned by governance; ERC-7201 storage; checks-effects-interactions with a
/// transient reentrancy guard on every entry point that moves tokens.
/// @custom:security-contact security@clearhouse.example
contract ConditionalEscrow is EscrowViews, Ownable2StepUpgradeable, ReentrancyGuardTransient, UUPSUpgradeable {
    using SafeERC20 for IERC20;

    uint16 private constant BPS = 10_000;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initialize the proxy.
    /// @param initialOwner governance, or the deployer until handover
    /// @param registry_ the consortium registry
    function initialize(address initialOwner, IConsortiumRegistry registry_) external initializer {
        __EIP712_init("Clearhouse ConditionalEscrow", "1");
        __Ownable_init(initialOwner);
        if (address(registry_).code.length == 0) revert EscrowInvalidAddress(address(registry_));
        _s().registry = registry_;
    }

    // ================================================================ create

    /// @inheritdoc IConditionalEscrow
    function createAgreement(AgreementTerms calldata terms) external nonReentrant returns (uint256 agreementId) {
        return _create(terms);
    }

    /// @inheritdoc IConditionalEscrow
    function createAgreementWithPermit(
        AgreementTerms calldata terms,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 agreementId) {
        uint256 total;
        for (uint256 i; i < terms.milestones.length; ++i) total += terms.milestones[i].amount;
        // A permit front-run by someone else still leaves the allowance: only fail if it is missing.
        // A token without code is left to `_create` to refuse: `try` cannot catch a call to no code.
        if (address(terms.token).code.length != 0) {
            try
                IERC20Permit(address(terms.token)).permit(msg.sender, address(this), total, permitDeadline, v, r, s)
            {} catch {}
        }
        return _create(terms);
    }

    function _create(AgreementTerms calldata terms) private returns (uint256 id) {
        EscrowLayout storage $ = _s();
        IConsortiumRegistry registry = $.registry;
        registry.requireMember(msg.sender, 0);
        if (address(terms.token).code.length == 0) revert EscrowInvalidTerms("token");
        // The arbiter must be able to act (an active member) and must not judge its own case.
        if (terms.arbiter == address(0) || terms.arbiter == msg.sender) revert EscrowInvalidTerms("arbiter");
        registry.requireMember(terms.arbiter, 0);
        _checkAttestors(terms.attestors);
        uint256 nAttestors = terms.attestors.length;
        uint256 nMilestones = terms.milestones.length;
        if (nMilestones == 0 || nMilestones > MAX_MILESTONES) revert EscrowInvalidTerms("milestones");

        id = ++$.count;
        Agreement storage a = $.agreements[id];
        uint128 total;
        for (uint256 i; i < nMilestones; ++i) {
            MilestoneTerms calldata mt = terms.milestones[i];
            uint104 rules = _checkMilestone(mt, nAttestors);
            if (mt.payee == terms.arbiter) revert EscrowInvalidTerms("arbiter");
            registry.requireMember(mt.payee, 0);
            total += mt.amount;
            Milestone storage m = $.milestones[id][i];
            m.payee = mt.payee;
            m.amount = mt.amount;
            m.deadline = mt.deadline;
            m.combine = mt.combine;
            m.attestRules = rules;
            uint256 n = mt.conditions.length;
            m.conditionCount = uint8(n);
            for (uint256 k; k < n; ++k) _storeCondition(m.conditions[k], mt.conditions[k]);
            emit MilestoneDefined(id, i, mt.payee, mt.amount, mt.deadline);
        }
        a.payer = msg.sender;
        a.status = AgreementStatus.Active;
        a.milestoneCount = uint8(nMilestones);
        a.createdAt = uint40(block.timestamp);
        a.token = terms.token;
        a.arbiter = terms.arbiter;
        a.total = total;
        a.ref = terms.ref;
        a.attestors = terms.attestors;
        emit AgreementCreated(id, msg.sender, terms.token, total, nMilestones, terms.ref);
        terms.token.safeTransferFrom(msg.sender, address(this), total);
    }

    function _storeCondition(StoredCondition storage to, Condition calldata from) private {
        to.kind = from.kind;
        to.attestation = from.attestation;
        to.notBefore = from.notBefore;
        if (from.kind == ConditionKind.Proof) {
            to.circuitId = from.circuitId;
            to.expected = from.expected;
            to.limit = from.limit;
        }
    }

    // ================================================================ conditions

    /// @inheritdoc IConditionalEscrow
    function attest(uint256 agreementId, uint256 milestone, AttestationKind kind, bytes32 evidenceHash) external {
        _s().registry.requireMember(msg.sender, 0);
        (Agreement storage a, Milestone storage m) = _pending(agreementId, milestone);
        uint256 index = _boundAttestor(agreementId, milestone, a, m, kind, msg.sender);
        _recordAttestation(agreementId, milestone, m, index, msg.sender, kind, evidenceHash);
    }

    /// @inheritdoc IConditionalEscrow
    function submitAttestations(
        uint256 agreementId,
        uint256 milestone,
        AttestationKind kind,
        bytes32 evidenceHash,
        AttestorSignature[] calldata signatures
    ) external {
        _s().registry.requireMember(msg.sender, 0);
        if (signatures.length == 0) revert EscrowInvalidTerms("signatures");
        _pending(agreementId, milestone);
        for (uint256 i; i < signatures.length; ++i) {
            _recordSigned(agreementId, milestone, kind, evidenceHash, signatures[i]);
        }
    }

    /// @dev Check one signed attestation as `attest` checks its caller, and record it.
    function _recordSigned(
        uint256 id,
        uint256 index,
        AttestationKind kind,
        bytes32 evidenceHash,
        AttestorSignature calldata sig
    ) private {
        Milestone storage m = _s().milestones[id][index];
        uint256 attestorIndex = _boundAttestor(id, index, _s().agreements[id], m, kind, sig.signer);
        _checkSignature(id, index, kind, evidenceHash, sig);
        // The screening of `attest`: a signer suspended, removed or sanctioned since it signed can no
        // longer make its attestation count.
        _s().registry.requireMember(sig.signer, 0);
        _recordAttestation(id, index, m, attestorIndex, sig.signer, kind, evidenceHash);
    }

    /// @inheritdoc IConditionalEscrow
    function submitProof(
        uint256 agreementId,
        uint256 milestone,
        uint256 condition,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals
    ) external nonReentrant {
        _s().registry.requireMember(msg.sender, 0);
        (, Milestone storage m) = _pending(agreementId, milestone);
        if (condition >= m.conditionCount || m.conditions[condition].kind != ConditionKind.Proof) {
            revert EscrowNotProofCondition(agreementId, milestone, condition);
        }
        StoredCondition storage c = m.conditions[condition];
        m.provenMask |= uint8(1) << uint8(condition);
        _checkProof(agreementId, milestone, c, proof, publicSignals);
        emit ProofAccepted(agreementId, milestone, condition, c.circuitId);
    }

    // ================================================================ payouts

    /// @inheritdoc IConditionalEscrow
    function release(uint256 agreementId, uint256 milestone) external nonReentrant {
        _s().registry.requireMember(msg.sender, 0);
        (Agreement storage a, Milestone storage m) = _pending(agreementId, milestone);
        if (!_holds(a, m)) revert EscrowConditionNotMet(agreementId, milestone);
        m.status = MilestoneStatus.Released;
        uint96 amount = m.amount;
        a.released += amount;
        emit MilestoneReleased(agreementId, milestone, m.payee, amount);
        _closeIfDone(agreementId, a);
        a.token.safeTransfer(m.payee, amount);
    }

    /// @inheritdoc IConditionalEscrow
    function refund(uint256 agreementId, uint256 milestone) external nonReentrant {
        _s().registry.requireMember(msg.sender, 0);
        (Agreement storage a, Milestone storage m) = _pending(agreementId, milestone);
        if (block.timestamp <= m.deadline) revert EscrowDeadlineNotReached(agreementId, milestone, m.deadline);
        m.status = MilestoneStatus.Refunded;
        uint96 amount = m.amount;
        a.refunded += amount;
        emit MilestoneRefunded(agreementId, milestone, a.payer, amount);
        _closeIfDone(agreementId, a);
        a.token.safeTransfer(a.payer, amount);
    }

    /// @inheritdoc IConditionalEscrow
    function dispute(uint256 agreementId, uint256 milestone, bytes32 reason) external {
        _s().registry.requireMember(msg.sender, 0);
        (Agreement storage a, Milestone storage m) = _pending(agreementId, milestone);
        if (msg.sender != a.payer && msg.sender != m.payee) revert EscrowNotParty(agreementId, msg.sender);
        m.status = MilestoneStatus.Disputed;
        emit MilestoneDisputed(agreementId, milestone, msg.sender, reason);
    }

    /// @inheritdoc IConditionalEscrow
    function resolve(uint256 agreementId, uint256 milestone, uint16 payeeBps) external nonReentrant {
        _s().registry.requireMember(msg.sender, 0);
        (Agreement storage a, Milestone storage m) = _milestone(agreementId, milestone);
        if (msg.sender != a.arbiter) revert EscrowNotArbiter(agreementId, msg.sender);
        if (m.status != MilestoneStatus.Disputed) revert EscrowNotDisputed(agreementId, milestone, m.status);
        if (payeeBps > BPS) revert EscrowInvalidSplit(payeeBps);
        uint96 amount = m.amount;
        uint96 toPayee = uint96((uint256(amount) * payeeBps) / BPS);
        uint96 toPayer = amount - toPayee; // the rounding remainder goes to the payer: no dust stays
        m.status = MilestoneStatus.Split;
        a.released += toPayee;
        a.refunded += toPayer;
        emit DisputeResolved(agreementId, milestone, msg.sender, toPayee, toPayer);
        _closeIfDone(agreementId, a);
        if (toPayee != 0) a.token.safeTransfer(m.payee, toPayee);
        if (toPayer != 0) a.token.safeTransfer(a.payer, toPayer);
    }

    /// @inheritdoc IConditionalEscrow
    function cancel(uint256 agreementId, uint64 expiresAt) external nonReentrant {
        EscrowLayout storage $ = _s();
        $.registry.requireMember(msg.sender, 0);
        Agreement storage a = _active(agreementId);
        uint64 latest = uint64(block.timestamp) + MAX_CONSENT_LIFETIME;
        if (expiresAt <= block.timestamp || expiresAt > latest) revert EscrowInvalidConsentExpiry(expiresAt, latest);
        (bool everyone, uint256 refundMask, uint256 keptMask) = _cancelScan($, agreementId, a);
        $.cancelConsentUntil[agreementId][msg.sender] = expiresAt;
        emit CancelConsented(agreementId, msg.sender, expiresAt);
        // Nothing to refund when every pending milestone is due: the consent is all that happens.
        if (!everyone || refundMask == 0) return;
        uint128 refunded;
        for (uint256 i; refundMask >> i != 0; ++i) {
            if (refundMask & (1 << i) == 0) continue;
            Milestone storage m = $.milestones[agreementId][i];
            m.status = MilestoneStatus.Refunded;
            refunded += m.amount;
            emit MilestoneRefunded(agreementId, i, a.payer, m.amount);
        }
        a.refunded += refunded;
        if (keptMask == 0) {
            a.status = AgreementStatus.Cancelled;
            emit AgreementCancelled(agreementId, refunded);
        } else {
            emit AgreementPartlyCancelled(agreementId, refunded, keptMask);
        }
        if (refunded != 0) a.token.safeTransfer(a.payer, refunded);
    }

    /// @dev Who must consent to a cancellation by the caller, and what it would do: `everyone` when the
    /// payer and the payee of every pending milestone whose condition does not hold consent (the
    /// caller counting as consenting); `refundMask` those milestones, `keptMask` the pending ones
    /// whose condition holds (due to their payees, never refunded). Refuses non-parties and disputes.
    function _cancelScan(
        EscrowLayout storage $,
        uint256 id,
        Agreement storage a
    ) private view returns (bool everyone, uint256 refundMask, uint256 keptMask) {
        bool party = msg.sender == a.payer;
        everyone = party || _consents($, id, a.payer);
        uint256 n = a.milestoneCount;
        for (uint256 i; i < n; ++i) {
            Milestone storage m = $.milestones[id][i];
            if (m.status == MilestoneStatus.Disputed) revert EscrowDisputeOpen(id, i);
            if (m.status != MilestoneStatus.Pending) continue;
            address payee = m.payee;
            if (payee == msg.sender) party = true;
            if (_holds(a, m)) {
                keptMask |= 1 << i;
                continue;
            }
            refundMask |= 1 << i;
            if (payee != msg.sender && !_consents($, id, payee)) everyone = false;
        }
        if (!party) revert EscrowNotParty(id, msg.sender);
    }

    /// @inheritdoc IConditionalEscrow
    function revokeCancel(uint256 agreementId) external {
        _active(agreementId);
        mapping(address => uint64) storage consents = _s().cancelConsentUntil[agreementId];
        if (consents[msg.sender] < block.timestamp) revert EscrowNoCancelConsent(agreementId, msg.sender);
        delete consents[msg.sender];
        emit CancelConsentRevoked(agreementId, msg.sender);
    }

    // ================================================================ admin

    /// @inheritdoc IConditionalEscrow
    function setVerifierRegistry(address verifierRegistry_) external onlyOwner {
        if (verifierRegistry_.code.length == 0) revert EscrowInvalidAddress(verifierRegistry_);
        _s().verifiers = IVerifierRegistry(verifierRegistry_);
        emit VerifierRegistrySet(verifierRegistry_);
    }

    // ================================================================ internals

    function _pending(uint256 id, uint256 index) private view returns (Agreement storage a, Milestone storage m) {
        (a, m) = _milestone(id, index);
        if (m.status != MilestoneStatus.Pending) revert EscrowMilestoneNotPending(id, index, m.status);
    }

    /// @dev Whether `party` has a live cancel consent (not expired, not revoked).
    function _consents(EscrowLayout storage $, uint256 id, address party) private view returns (bool) {
        return $.cancelConsentUntil[id][party] >= block.timestamp;
    }

    /// @dev Close the agreement when nothing is left in it.
    function _closeIfDone(uint256 id, Agreement storage a) private {
        if (a.released + a.refunded == a.total) {
            a.status = AgreementStatus.Closed;
            emit AgreementClosed(id);
        }
    }

    /// @dev Only governance upgrades the escrow.
    function _authorizeUpgrade(address) internal override onlyOwner {}

    /// @notice Disabled: the escrow must always have an owner (governance).
    function renounceOwnership() public view override onlyOwner {
        revert EscrowOwnershipCannotBeRenounced();
    }
}
