// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";

/// @title ISettlementToken — the consortium's permissioned settlement token
/// @notice Two-tier money: the operator issues to and redeems from member banks; tokens move only
/// between holders (active, unsanctioned registry members and the customer wallets of active
/// banks), within each sender's limits and each wallet's balance cap.
interface ISettlementToken {
    /// @notice `operator` issued `amount` to `bank`.
    event Issued(address indexed operator, address indexed bank, uint256 amount);
    /// @notice `operator` redeemed (burned) `amount` from `bank`.
    event Redeemed(address indexed operator, address indexed bank, uint256 amount);
    /// @notice The guardian (who may pause, besides the owner) changed.
    event GuardianChanged(address indexed previousGuardian, address indexed guardian);
    /// @notice `account` moved `amount` out on UTC day `day`, `spent` in total that day.
    event Outflow(address indexed account, uint64 indexed day, uint256 amount, uint256 spent);
    /// @notice Governance named `engine` the clearing engine that may call `settleNet`.
    event ClearingEngineSet(address indexed engine);
    /// @notice Governance set the operators' issuance ceiling per UTC day (minor units).
    event IssuanceCeilingSet(uint256 previousCeiling, uint256 ceiling);
    /// @notice `amount` was issued on UTC day `day`, `issuedToday` in total that day (every issuer).
    event IssuanceCounted(uint64 indexed day, uint256 amount, uint256 issuedToday);

    /// @notice An address argument was zero.
    error TokenZeroAddress();
    /// @notice Renouncing ownership would leave the token without governance (a pause could never be lifted).
    error TokenOwnershipCannotBeRenounced();
    /// @notice Issuing or redeeming zero is refused (it would only emit noise).
    error TokenZeroAmount();
    /// @notice Decimals above 18 are refused.
    error TokenInvalidDecimals(uint8 decimals);
    /// @notice The registry address holds no contract.
    error TokenInvalidRegistry(address registry);
    /// @notice The caller is neither the owner nor the guardian.
    error TokenUnauthorizedPauser(address caller);
    /// @notice The transfer exceeds the sender's max single transfer.
    error TokenSingleTransferLimitExceeded(address account, uint256 amount, uint256 limit);
    /// @notice The transfer would take the sender's outflow for UTC day `day` above its daily limit.
    error TokenDailyOutflowLimitExceeded(
        address account,
        uint64 day,
        uint256 spentToday,
        uint256 amount,
        uint256 limit
    );

    /// @notice The transfer of `value` would take `account`'s balance from `balance` above its cap
    /// `maxBalance` (a customer wallet's tier cap).
    error TokenBalanceCapExceeded(address account, uint256 balance, uint256 value, uint256 maxBalance);

    /// @notice The mint would take UTC day `day`'s issuance from `issuedToday` above the ceiling
    /// (0 until governance sets one). Beyond it, only governance mints (`mintBeyondCeiling`).
    error TokenIssuanceCeilingExceeded(uint64 day, uint256 issuedToday, uint256 amount, uint256 ceiling);
    /// @notice An issuance ceiling above `max` (2^128 - 1) is refused.
    error TokenInvalidIssuanceCeiling(uint256 ceiling, uint256 max);

    /// @notice Only the clearing engine named by governance may settle net positions.
    error TokenNotClearingEngine(address caller);
    /// @notice `settleNet` got `accounts` and `deltas` of different lengths.
    error TokenSettlementLengthMismatch(uint256 accounts, uint256 deltas);
    /// @notice `settleNet`'s deltas do not sum to zero (`sum` is what they sum to): money would be created or lost.
    error TokenSettlementUnbalanced(int256 sum);

    /// @notice Issue `amount` to the active member bank `bank`. Caller: an active OPERATOR. The UTC
    /// day's issuance (every issuer's) may not exceed the ceiling: `TokenIssuanceCeilingExceeded`.
    function mint(address bank, uint256 amount) external;

    /// @notice Issue `amount` to the active member bank `bank` whatever the ceiling. Owner
    /// (governance, a proposal with the sensitive delay) only; counted in the day's issuance.
    /// @param bank an active MEMBER_BANK
    /// @param amount minor units, non-zero
    function mintBeyondCeiling(address bank, uint256 amount) external;

    /// @notice Set the operators' issuance ceiling per UTC day, in minor units (0: operators cannot
    /// mint). Owner only; at most 2^128 - 1. Takes effect at once, for the current day too.
    /// @param ceiling the new ceiling
    function setIssuanceCeiling(uint256 ceiling) external;

    /// @notice The operators' issuance ceiling per UTC day (0 until governance sets one).
    function issuanceCeiling() external view returns (uint256);

    /// @notice The current UTC day, what was issued on it (operators and governance) and the ceiling.
    function issuanceToday() external view returns (uint64 day, uint256 issued, uint256 ceiling);

    /// @notice Redeem `amount` from `bank`, spending the allowance `bank` gave the caller.
    /// Caller: an active OPERATOR.
    function burn(address bank, uint256 amount) external;

    /// @notice Settle a clearing cycle's net positions in one call. Caller: the clearing engine.
    /// @dev `deltas[i]` is `accounts[i]`'s change: a debit (< 0) is screened like a transfer from
    /// the account to the engine (active member, single and daily limits, recorded as outflow) and
    /// spends the account's allowance to the engine; a credit (> 0) is paid from the engine to an
    /// active member. The engine's own entry, if any, is its pool's change (a negative one, credit
    /// drawn, is the engine's outflow). The deltas must sum to zero. Debits are taken before credits
    /// are paid. Emits a `Transfer` per debit (account → engine) and per credit (engine → account).
    /// @param accounts the cycle's participants with a non-zero position (and the engine)
    /// @param deltas each account's net position
    function settleNet(address[] calldata accounts, int256[] calldata deltas) external;

    /// @notice Name the clearing engine that may call `settleNet` (zero: none). Owner only.
    function setClearingEngine(address engine) external;

    /// @notice The clearing engine that may call `settleNet` (zero: none).
    function clearingEngine() external view returns (address);

    /// @notice Set the guardian that may pause. Owner only.
    function setGuardian(address guardian) external;

    /// @notice Stop every transfer, issue and redemption (approvals and permits stay possible).
    /// Owner or guardian.
    function pause() external;

    /// @notice Resume after a pause. Owner only.
    function unpause() external;

    /// @notice The registry this token screens against.
    function registry() external view returns (IConsortiumRegistry);

    /// @notice The current guardian.
    function guardian() external view returns (address);

    /// @notice What `account` has sent today (UTC) and the current UTC day number.
    function outflowToday(address account) external view returns (uint64 day, uint256 spent);

    /// @notice In one call, what bounds what `spender` can move from `owner` now: `owner`'s balance,
    /// its allowance to `spender` and what it has sent today (UTC). The netting engine reads it for
    /// each net debtor at a cycle's close.
    function fundsOf(
        address owner,
        address spender
    ) external view returns (uint256 balance, uint256 allowance_, uint256 spentToday);
}
