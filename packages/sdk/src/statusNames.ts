/**
 * Names of the contracts' status enums, in enum order — one place for the SDK's views and the
 * error catalogue (dependency-free, so the error layer can import it).
 */
export const BATCH_STATUS = ["None", "Submitted", "Disputed", "Rejected", "Final", "Netted"] as const;
export const AGREEMENT_STATUS = ["None", "Active", "Closed", "Cancelled"] as const;
export const MILESTONE_STATUS = ["Pending", "Released", "Refunded", "Disputed", "Split"] as const;
/** IConsortiumRegistry.MemberStatus */
export const MEMBER_STATUS = ["None", "Active", "Suspended", "Removed"] as const;
