// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IMemberKeys} from "./IMemberKeys.sol";

/// @title IConsortiumRegistry — the consortium's members, roles, limits, sanctions and node allowlist
/// @notice The surface every other Clearhouse contract and client reads: who may act, in which
/// capacity, within which limits, and why a transaction would be refused.
interface IConsortiumRegistry is IMemberKeys {
    /// @notice Lifecycle of a member. `None` means the address was never admitted.
    enum MemberStatus {
        None,
        Active,
        Suspended,
        Removed
    }

    /// @notice Why `check` refuses a transaction. The numeric values are part of the API.
    enum Reason {
        Allowed, // 0: the transaction may be sent
        SenderNotMember, // 1: the sender was never admitted
        SenderSuspended, // 2: the sender is suspended
        SenderRemoved, // 3: the sender was removed from the consortium
        SenderSanctioned, // 4: the sender is on the sanctions list
        TargetSanctioned, // 5: the target (recipient or contract) is on the sanctions list (never governance)
        CreationNotAllowed, // 6: only OPERATOR members may deploy contracts
        NativeValueNotAllowed, // 7: only OPERATOR members may send the chain's native coin
        RegistryPaused, // 8: an emergency pause is on; only calls to governance (the owner) pass
        SenderWalletClosed, // 9: the sender is a customer wallet its bank (or governance) closed
        SenderWalletBankInactive // 10: the sender is a wallet whose bank is not an active, unsanctioned MEMBER_BANK
    }

    /// @notice Kind of a node on the allowlist.
    enum NodeKind {
        Validator,
        Member
    }

    /// @notice Everything the registry knows about a member.
    struct Member {
        MemberStatus status;
        uint8 roles;
        uint64 statusSince; // block number of the last status change
        uint128 maxSingleTransfer; // token minor units; type(uint128).max means unlimited
        uint128 maxDailyOutflow; // token minor units per UTC day
        bytes32 leiHash; // keccak256 of the ISO 17442 legal-entity identifier
        string name;
    }

    /// @notice Lifecycle of a customer wallet. `None` means the address was never opened as one.
    enum WalletStatus {
        None,
        Open,
        Closed
    }

    /// @notice A KYC tier's limits, in token minor units. A tier is defined once `maxBalance > 0`.
    struct Tier {
        uint128 maxSingle;
        uint128 maxDaily;
        uint128 maxBalance;
    }

    /// @notice A customer wallet: its status, KYC tier (1..255, higher = better identified), the
    /// member bank that opened it and the block number of its last change.
    struct Wallet {
        WalletStatus status;
        uint8 tier;
        address bank;
        uint64 since;
    }

    // ---------------------------------------------------------------- events
    /// @notice A new member was admitted (or a removed one re-admitted).
    event MemberAdmitted(
        address indexed account,
        uint8 roles,
        bytes32 leiHash,
        string name,
        uint128 maxSingleTransfer,
        uint128 maxDailyOutflow
    );
    /// @notice A member's roles changed.
    event MemberRolesChanged(address indexed account, uint8 previousRoles, uint8 roles);
    /// @notice A member's limits changed.
    event MemberLimitsChanged(address indexed account, uint128 maxSingleTransfer, uint128 maxDailyOutflow);
    /// @notice A member was suspended at block `sinceBlock`.
    event MemberSuspended(address indexed account, uint64 sinceBlock);
    /// @notice A suspended member was reinstated.
    event MemberReinstated(address indexed account, uint64 sinceBlock);
    /// @notice A member was removed from the consortium.
    event MemberRemoved(address indexed account, uint64 sinceBlock);
    /// @notice An address was put on the sanctions list.
    event SanctionAdded(address indexed account, uint16 reasonCode);
    /// @notice An address was taken off the sanctions list.
    event SanctionRemoved(address indexed account, uint16 reasonCode);
    /// @notice A node was put on the allowlist.
    event NodeAllowed(bytes32 indexed nodeKey, string enodeId, string ip, uint16 port, NodeKind kind);
    /// @notice A node was taken off the allowlist.
    event NodeRemoved(bytes32 indexed nodeKey, string enodeId, string ip, uint16 port);

    /// @notice Governance defined or changed KYC tier `tier` (minor units).
    event TierSet(uint8 indexed tier, uint128 maxSingle, uint128 maxDaily, uint128 maxBalance);
    /// @notice `bank` opened the customer wallet `wallet` in tier `tier`.
    event WalletOpened(address indexed wallet, address indexed bank, uint8 tier);
    /// @notice `bank` moved `wallet` from `previousTier` to `tier`.
    event WalletTierChanged(address indexed wallet, address indexed bank, uint8 previousTier, uint8 tier);
    /// @notice `wallet` (of `bank`) was closed, by its bank or by governance.
    event WalletClosed(address indexed wallet, address indexed bank);

    // ---------------------------------------------------------------- errors
    /// @notice An address argument was zero.
    error RegistryZeroAddress();
    /// @notice The roles bitmask is zero or has bits outside the five defined roles.
    error RegistryInvalidRoles(uint8 roles);
    /// @notice The display name is empty or longer than 64 bytes.
    error RegistryInvalidName(uint256 length);
    /// @notice The legal-entity identifier hash is zero.
    error RegistryInvalidLeiHash();
    /// @notice A limit pair where the single-transfer limit exceeds the daily limit.
    error RegistryInvalidLimits(uint128 maxSingleTransfer, uint128 maxDailyOutflow);
    /// @notice The account is already an active or suspended member.
    error RegistryMemberExists(address account, MemberStatus status);
    /// @notice The account was never admitted.
    error RegistryNotMember(address account);
    /// @notice The member is suspended since `sinceBlock`.
    error RegistryMemberSuspended(address account, uint64 sinceBlock);
    /// @notice The member was removed at `sinceBlock`.
    error RegistryMemberRemoved(address account, uint64 sinceBlock);
    /// @notice The member is not suspended, so it cannot be reinstated.
    error RegistryMemberNotSuspended(address account, MemberStatus status);
    /// @notice The member lacks a role the action requires.
    error RegistryMissingRole(address account, uint8 role);
    /// @notice The account is on the sanctions list.
    error RegistryAccountSanctioned(address account, uint16 reasonCode);
    /// @notice The account is not on the sanctions list.
    error RegistryNotSanctioned(address account);
    /// @notice Sanction reason codes start at 1.
    error RegistryInvalidReasonCode();
    /// @notice The enode id is not 128 hexadecimal characters.
    error RegistryInvalidEnodeId(string enodeId);
    /// @notice The node's host is empty or longer than 64 bytes, or its port is zero.
    error RegistryInvalidNodeAddress(string ip, uint16 port);
    /// @notice The node is already on the allowlist.
    error RegistryNodeExists(bytes32 nodeKey);
    /// @notice The node is not on the allowlist.
    error RegistryUnknownNode(bytes32 nodeKey);
    /// @notice `account` is governance (the owner) or the owner it offered ownership to: sanctioning
    /// it would drop every transaction to or from it, the one lifting the sanction included.
    error RegistryCannotSanctionGovernance(address account);
    /// @notice Renouncing ownership would leave the registry without an administrator.
    error RegistryOwnershipCannotBeRenounced();
    /// @notice Tier numbers run from 1 to 255 (0 means "no tier").
    error RegistryInvalidTier(uint8 tier);
    /// @notice A tier needs `maxSingle <= maxDaily` and `maxBalance > 0`.
    error RegistryInvalidTierLimits(uint128 maxSingle, uint128 maxDaily, uint128 maxBalance);
    /// @notice Tier `tier` was never defined by governance (`setTier`).
    error RegistryUnknownTier(uint8 tier);
    /// @notice `account` has a member record (any status): a member cannot be a customer wallet.
    error RegistryWalletIsMember(address account);
    /// @notice `account` has a wallet record (open or closed): a wallet cannot be admitted as a member.
    error RegistryAccountIsWallet(address account, WalletStatus status);
    /// @notice `wallet` was already opened (`status` Open, or Closed: a closed wallet is never reopened).
    error RegistryWalletExists(address wallet, WalletStatus status, address bank);
    /// @notice `account` was never opened as a customer wallet.
    error RegistryNotWallet(address account);
    /// @notice `wallet` was closed at block `sinceBlock`.
    error RegistryWalletClosed(address wallet, uint64 sinceBlock);
    /// @notice `caller` is not `bank`, the bank that opened `wallet` (nor, where allowed, governance).
    error RegistryNotWalletBank(address caller, address wallet, address bank);
    /// @notice `wallet` is already in tier `tier`.
    error RegistryWalletTierUnchanged(address wallet, uint8 tier);

    // ---------------------------------------------------------------- admin (owner only)
    /// @notice Admit `account` with `roles`, its LEI hash, display name and limits.
    function admitMember(
        address account,
        uint8 roles,
        bytes32 leiHash,
        string calldata name,
        uint128 maxSingleTransfer,
        uint128 maxDailyOutflow
    ) external;

    /// @notice Replace a member's roles bitmask.
    function setRoles(address account, uint8 roles) external;

    /// @notice Replace a member's transfer limits.
    function setLimits(address account, uint128 maxSingleTransfer, uint128 maxDailyOutflow) external;

    /// @notice Suspend an active member: it can no longer act until reinstated.
    function suspendMember(address account) external;

    /// @notice Reinstate a suspended member.
    function reinstateMember(address account) external;

    /// @notice Remove an active or suspended member from the consortium.
    function removeMember(address account) external;

    /// @notice Put `account` (member or not) on the sanctions list. Refuses governance (the owner)
    /// and the pending owner with `RegistryCannotSanctionGovernance`.
    function addSanction(address account, uint16 reasonCode) external;

    /// @notice Take `account` off the sanctions list, recording why.
    function removeSanction(address account, uint16 reasonCode) external;

    /// @notice Allow a node to connect to the consortium's network.
    function allowNode(string calldata enodeId, string calldata ip, uint16 port, NodeKind kind) external;

    /// @notice Remove a node from the allowlist.
    function removeNode(string calldata enodeId, string calldata ip, uint16 port) external;

    /// @notice Emergency stop: every member check fails (`requireActive` reverts, `check` answers
    /// RegistryPaused) except calls to governance. Owner only (the multisig's guardian triggers it).
    function pause() external;

    /// @notice Lift the emergency stop. Owner only.
    function unpause() external;

    // ---------------------------------------------------------------- tiers and wallets
    /// @notice Define or change KYC tier `tier` (1..255) with its limits in minor units. Owner
    /// (governance) only. Applies at once to every wallet of the tier.
    function setTier(uint8 tier, uint128 maxSingle, uint128 maxDaily, uint128 maxBalance) external;

    /// @notice Open `wallet` as a customer wallet of the caller, in the defined tier `tier`. Caller:
    /// an active, unsanctioned MEMBER_BANK (the wallet's bank from then on).
    function openWallet(address wallet, uint8 tier) external;

    /// @notice Move an open wallet to another defined tier (upgrade or downgrade). Caller: the
    /// wallet's bank, active and unsanctioned.
    function setWalletTier(address wallet, uint8 tier) external;

    /// @notice Close an open wallet for good. Caller: the wallet's bank (active) or the owner.
    function closeWallet(address wallet) external;

    /// @notice The limits of tier `tier` (all zero if undefined).
    function tierOf(uint8 tier) external view returns (Tier memory);

    /// @notice The wallet record of `wallet` (status `None` if never opened).
    function walletOf(address wallet) external view returns (Wallet memory);

    /// @notice Revert with the precise error unless `account` may hold and move the token: an
    /// active, unsanctioned member (as `requireActive(account, 0)`; `maxBalance` = 2^128 - 1,
    /// unlimited) or an open, unsanctioned wallet of an active, unsanctioned MEMBER_BANK (its
    /// tier's limits). Reverts with `EnforcedPause` while paused.
    function requireHolder(
        address account
    ) external view returns (uint128 maxSingle, uint128 maxDaily, uint128 maxBalance);

    // ---------------------------------------------------------------- views
    /// @notice The full record of `account` (status `None` if never admitted).
    function memberOf(address account) external view returns (Member memory);

    /// @notice Whether `account` holds every bit of `role`.
    function hasRole(address account, uint8 role) external view returns (bool);

    /// @notice Whether `account` is an active, unsanctioned member.
    function isActiveMember(address account) external view returns (bool);

    /// @notice Sanction reason code of `account`, 0 if not sanctioned.
    function sanctionOf(address account) external view returns (uint16);

    /// @notice Revert with the precise error unless `account` is an active, unsanctioned member
    /// holding every bit of `role` (0 for any role); return its roles and limits. Members only:
    /// a customer wallet is refused (`RegistryNotMember`), so wallets never anchor, net or escrow.
    function requireActive(
        address account,
        uint8 role
    ) external view returns (uint8 roles, uint128 maxSingleTransfer, uint128 maxDailyOutflow);

    /// @notice Revert with the precise error unless `account` may act with `role` (as
    /// `requireActive`), without reading its limits: the cheaper check for contracts that do not
    /// move its money.
    function requireMember(address account, uint8 role) external view;

    /// @notice Number of members ever admitted (including removed ones).
    function memberCount() external view returns (uint256);

    /// @notice The `index`-th member ever admitted, in admission order.
    function memberAt(uint256 index) external view returns (address);

    /// @notice Whether a node is on the allowlist, and its kind.
    function nodeOf(string calldata enodeId, string calldata ip, uint16 port) external view returns (bool, NodeKind);

    /// @notice Number of nodes on the allowlist.
    function nodeCount() external view returns (uint256);

    /// @notice Preflight: whether a transaction would be allowed, and if not, why.
    function check(
        address sender,
        address target,
        uint256 value,
        bytes calldata data
    ) external view returns (bool allowed, Reason reason);

    /// @notice Besu account permissioning hook (exact signature Besu calls).
    function transactionAllowed(
        address sender,
        address target,
        uint256 value,
        uint256 gasPrice,
        uint256 gasLimit,
        bytes calldata payload
    ) external view returns (bool);

    /// @notice Besu node permissioning hook (exact signature Besu calls).
    function connectionAllowed(string calldata enodeId, string calldata ip, uint16 port) external view returns (bool);
}
