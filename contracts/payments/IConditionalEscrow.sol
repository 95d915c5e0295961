// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IConditionalEscrow — milestone payouts released on attestations, dates and zk proofs
/// @notice A payer locks the whole amount of an agreement when creating it. Each milestone pays its
/// payee once its condition holds: k-of-n attestations of a kind (delivered, accepted, invoice
/// approved), a date, or a zk proof of a registered circuit bound to the milestone — alone or up to
/// four combined with ALL or ANY. Each attestation condition names which of the agreement's
/// attestors may attest it and how many must (its own set and threshold), and every attestor is
/// screened by the registry when its attestation is recorded, signed offline or not. Anyone may
/// trigger a release (funds go to the payee, never to the caller); after a milestone's deadline
/// anyone may refund it to the payer. Payer or payee may dispute a pending milestone, which freezes
/// it until the arbiter splits it. Payer and payees may cancel together with consents that expire
/// and can be revoked; a cancellation never refunds a milestone whose condition holds. Every step
/// emits an event; `agreementOf` returns the full state.
interface IConditionalEscrow {
    enum ConditionKind {
        Attestation,
        Time,
        Proof
    }

    enum AttestationKind {
        Delivered,
        Accepted,
        InvoiceApproved
    }

    enum Combine {
        All,
        Any
    }

    enum MilestoneStatus {
        Pending,
        Released,
        Refunded,
        Disputed,
        Split
    }

    enum AgreementStatus {
        None,
        Active,
        Closed,
        Cancelled
    }

    /// @notice One condition of a milestone.
    struct Condition {
        ConditionKind kind;
        AttestationKind attestation; // Attestation: which kind must reach the threshold
        uint64 notBefore; // Time: releasable from this timestamp
        uint16 attestorMask; // Attestation: bit i = the agreement's attestor i may attest it (0 otherwise)
        uint8 threshold; // Attestation: how many of those must attest (1..popcount(mask); 0 otherwise)
        bytes32 circuitId; // Proof: "kyc_membership", "kyc_tier" or "amount_limit"
        uint256 expected; // Proof: the KYC tree root, or the amount commitment (public signal 0)
        uint256 limit; // Proof: amount_limit's limit (signal 1); kyc_tier's minTier 1..255 (signal 4); 0 for kyc_membership
    }

    /// @notice A milestone as the payer defines it.
    struct MilestoneTerms {
        address payee;
        uint96 amount;
        uint64 deadline; // after it, an unreleased milestone can be refunded to the payer
        Combine combine;
        Condition[] conditions; // 1 to 4
    }

    /// @notice An agreement as the payer defines it; the payer is the caller.
    struct AgreementTerms {
        IERC20 token;
        address arbiter;
        address[] attestors; // 0 to 16, distinct; each attestation condition picks its own among them
        bytes32 ref; // e.g. keccak256 of the purchase order
        MilestoneTerms[] milestones; // 1 to 32
    }

    /// @notice An attestation signed offline (EIP-712 `Attestation`, see `attestationDigest`).
    struct AttestorSignature {
        address signer; // the attestor (an EOA or an ERC-1271 contract)
        uint64 deadline; // the last second at which the signature may be submitted
        bytes signature;
    }

    /// @notice A milestone's state (`agreementOf`).
    struct MilestoneView {
        address payee;
        uint96 amount;
        uint64 deadline;
        MilestoneStatus status;
        Combine combine;
        Condition[] conditions; // an agreement created before per-condition binding shows its effective rule
        uint16[3] attestedBy; // per AttestationKind, bit i = attestor i attested
        uint8 provenMask; // bit i = proof condition i was satisfied
        bool conditionHolds;
    }

    /// @notice An agreement's full state (`agreementOf`).
    struct AgreementView {
        address payer;
        IERC20 token;
        address arbiter;
        AgreementStatus status;
        uint40 createdAt;
        bytes32 ref;
        uint128 total;
        uint128 released; // to payees, including arbiter splits' payee parts
        uint128 refunded; // to the payer, including arbiter splits' payer parts
        address[] attestors;
        MilestoneView[] milestones;
    }

    event AgreementCreated(
        uint256 indexed agreementId,
        address indexed payer,
        IERC20 indexed token,
        uint128 total,
        uint256 milestones,
        bytes32 ref
    );
    event MilestoneDefined(
        uint256 indexed agreementId,
        uint256 indexed milestone,
        address indexed payee,
        uint96 amount,
        uint64 deadline
    );
    event Attested(
        uint256 indexed agreementId,
        uint256 indexed milestone,
        address indexed attestor,
        AttestationKind kind,
        bytes32 evidenceHash
    );
    event ProofAccepted(uint256 indexed agreementId, uint256 indexed milestone, uint256 condition, bytes32 circuitId);
    event MilestoneReleased(
        uint256 indexed agreementId,
        uint256 indexed milestone,
        address indexed payee,
        uint96 amount
    );
    event MilestoneRefunded(
        uint256 indexed agreementId,
        uint256 indexed milestone,
        address indexed payer,
        uint96 amount
    );
    event MilestoneDisputed(uint256 indexed agreementId, uint256 indexed milestone, address indexed by, bytes32 reason);
    event DisputeResolved(
        uint256 indexed agreementId,
        uint256 indexed milestone,
        address indexed arbiter,
        uint96 toPayee,
        uint96 toPayer
    );
    event CancelConsented(uint256 indexed agreementId, address indexed party, uint64 expiresAt);
    event CancelConsentRevoked(uint256 indexed agreementId, address indexed party);
    /// @notice A cancellation refunded every pending milestone: the agreement is Cancelled.
    event AgreementCancelled(uint256 indexed agreementId, uint128 refunded);
    /// @notice A cancellation refunded the pending milestones whose condition did not hold and kept
    /// the others (bit i of `keptMask` = milestone i), which stay releasable to their payees; the
    /// agreement stays Active until they are paid.
    event AgreementPartlyCancelled(uint256 indexed agreementId, uint128 refunded, uint256 keptMask);
    event AgreementClosed(uint256 indexed agreementId);
    event VerifierRegistrySet(address indexed verifierRegistry);

    error EscrowInvalidTerms(string field);
    error EscrowUnknownAgreement(uint256 agreementId);
    error EscrowUnknownMilestone(uint256 agreementId, uint256 milestone);
    error EscrowAgreementNotActive(uint256 agreementId, AgreementStatus status);
    error EscrowMilestoneNotPending(uint256 agreementId, uint256 milestone, MilestoneStatus status);
    error EscrowConditionNotMet(uint256 agreementId, uint256 milestone);
    error EscrowDeadlineNotReached(uint256 agreementId, uint256 milestone, uint64 deadline);
    error EscrowNotAttestor(uint256 agreementId, address account);
    error EscrowInvalidSignature(uint256 agreementId, address signer);
    error EscrowAttestationExpired(uint256 agreementId, address signer, uint64 deadline);
    error EscrowAttestorNotBound(uint256 agreementId, uint256 milestone, AttestationKind kind, address account);
    error EscrowInvalidConsentExpiry(uint64 expiresAt, uint64 latest);
    error EscrowNoCancelConsent(uint256 agreementId, address account);
    error EscrowNotParty(uint256 agreementId, address account);
    error EscrowNotArbiter(uint256 agreementId, address account);
    error EscrowNotDisputed(uint256 agreementId, uint256 milestone, MilestoneStatus status);
    error EscrowInvalidSplit(uint16 payeeBps);
    error EscrowNotProofCondition(uint256 agreementId, uint256 milestone, uint256 condition);
    error EscrowProofMismatch(uint256 agreementId, uint256 milestone, uint256 signal);
    error EscrowDisputeOpen(uint256 agreementId, uint256 milestone);
    error EscrowNoVerifierRegistry();
    error EscrowInvalidAddress(address account);
    error EscrowOwnershipCannotBeRenounced();

    /// @notice Create and fund an agreement: the caller (an active member) is the payer and the
    /// escrow pulls the total by allowance (the token applies the payer's registry limits).
    /// @param terms the agreement
    /// @return agreementId its id (sequential from 1)
    function createAgreement(AgreementTerms calldata terms) external returns (uint256 agreementId);

    /// @notice `createAgreement` funded with an EIP-2612 permit instead of a prior approval.
    /// @param terms the agreement
    /// @param permitDeadline the permit's deadline
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    /// @return agreementId its id
    function createAgreementWithPermit(
        AgreementTerms calldata terms,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 agreementId);

    /// @notice Attest on chain: the caller must be an active member and one of the attestors that an
    /// attestation condition of `kind` in this milestone names.
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    /// @param kind what is attested
    /// @param evidenceHash hash of the evidence (delivery note, acceptance report, invoice)
    function attest(uint256 agreementId, uint256 milestone, AttestationKind kind, bytes32 evidenceHash) external;

    /// @notice Submit attestations signed offline (EIP-712 `Attestation`), by any active member.
    /// @dev Every signer is held to the rule of `attest`: an attestor bound to `kind` in this milestone
    /// and an active member now (not suspended, removed or sanctioned); and its signature must not be
    /// past its deadline. One refusal refuses the whole call.
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    /// @param kind what is attested
    /// @param evidenceHash the evidence hash the attestors signed
    /// @param signatures the signers, the deadlines they signed and their signatures
    function submitAttestations(
        uint256 agreementId,
        uint256 milestone,
        AttestationKind kind,
        bytes32 evidenceHash,
        AttestorSignature[] calldata signatures
    ) external;

    /// @notice Satisfy a proof condition with a Groth16 proof (by anyone). Its `message` (and for
    /// kyc_membership and kyc_tier its `scope`) must be `bindingOf(agreementId, milestone)`; its
    /// first signal must equal the condition's `expected`, amount_limit's signal 1 and kyc_tier's
    /// signal 4 (minTier) its `limit`. A kyc_membership or kyc_tier nullifier is spent.
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    /// @param condition the index of the proof condition in the milestone
    /// @param proof the flattened Groth16 proof
    /// @param publicSignals the proof's public signals
    function submitProof(
        uint256 agreementId,
        uint256 milestone,
        uint256 condition,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals
    ) external;

    /// @notice Pay a pending milestone to its payee once its condition holds (by anyone).
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    function release(uint256 agreementId, uint256 milestone) external;

    /// @notice Refund a pending milestone to the payer after its deadline (by anyone).
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    function refund(uint256 agreementId, uint256 milestone) external;

    /// @notice Freeze a pending milestone until the arbiter resolves it (payer or its payee).
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    /// @param reason hash of the dispute's grounds
    function dispute(uint256 agreementId, uint256 milestone, bytes32 reason) external;

    /// @notice Resolve a disputed milestone: `payeeBps` of it (basis points, rounded down) to the
    /// payee, the rest to the payer (the arbiter).
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    /// @param payeeBps the payee's share in basis points (0..10,000)
    function resolve(uint256 agreementId, uint256 milestone, uint16 payeeBps) external;

    /// @notice Consent to cancel until `expiresAt` (payer, or a payee of a pending milestone); a new
    /// consent replaces the caller's earlier one. When the payer and the payee of every pending
    /// milestone whose condition does not hold have a live consent (expiry not passed, not
    /// revoked), those milestones are refunded to the payer; pending milestones whose condition
    /// holds are kept, releasable to their payees. Refused while a milestone is disputed.
    /// @param agreementId the agreement
    /// @param expiresAt the last second at which the consent counts: after now, at most 30 days ahead
    function cancel(uint256 agreementId, uint64 expiresAt) external;

    /// @notice Withdraw the caller's live cancel consent.
    /// @dev No membership check: withdrawing a consent only narrows what can happen, and a party that
    /// was suspended must still be able to do it.
    /// @param agreementId the agreement
    function revokeCancel(uint256 agreementId) external;

    /// @notice Set the registry that verifies proofs (owner).
    /// @param verifierRegistry the VerifierRegistry contract
    function setVerifierRegistry(address verifierRegistry) external;

    /// @notice The full state of an agreement.
    /// @param agreementId the agreement
    /// @return the agreement, its milestones, conditions and what was attested and proven
    function agreementOf(uint256 agreementId) external view returns (AgreementView memory);

    /// @notice Whether a milestone's condition holds now.
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    /// @return whether `release` would find the condition met
    function conditionHolds(uint256 agreementId, uint256 milestone) external view returns (bool);

    /// @notice Until when a party's cancel consent counts (0: none, or revoked).
    /// @param agreementId the agreement
    /// @param party the payer or a payee
    /// @return expiresAt the consent's last second (in the past: expired)
    function cancelConsentOf(uint256 agreementId, address party) external view returns (uint64 expiresAt);

    /// @notice The value a proof's `message` (and kyc_membership's `scope`) must have for a milestone.
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    /// @return the binding, below the BN254 field
    function bindingOf(uint256 agreementId, uint256 milestone) external view returns (uint256);

    /// @notice The EIP-712 digest attestors sign: `Attestation(uint256 agreement,uint256 milestone,
    /// uint8 kind,bytes32 evidenceHash,uint64 deadline)` in the domain ("Clearhouse ConditionalEscrow",
    /// "1", chain id, this escrow).
    /// @param agreementId the agreement
    /// @param milestone the milestone index
    /// @param kind what is attested
    /// @param evidenceHash the evidence's hash
    /// @param deadline the last second at which the signature may be submitted
    /// @return the digest to sign
    function attestationDigest(
        uint256 agreementId,
        uint256 milestone,
        AttestationKind kind,
        bytes32 evidenceHash,
        uint64 deadline
    ) external view returns (bytes32);

    /// @notice Number of agreements created.
    /// @return the last agreement id
    function agreementCount() external view returns (uint256);
}
