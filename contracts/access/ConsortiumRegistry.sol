// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {IConsortiumRegistry} from "./IConsortiumRegistry.sol";
import {Roles} from "./Roles.sol";
import {WalletTiers} from "./WalletTiers.sol";
import {MemberKeys} from "./MemberKeys.sol";
import {NodeAllowlist} from "./NodeAllowlist.sol";
import {RegistryStore} from "./RegistryStore.sol";

/// @title ConsortiumRegistry — members, roles, limits, sanctions, node allowlist, wallet tiers
/// @notice The single source of truth for who may act on the consortium's chain. Every other
/// Clearhouse contract asks it (`requireActive`); Besu asks it through `transactionAllowed` and
/// `connectionAllowed`; clients ask it through `check` to learn why a transaction would be refused.
/// @dev UUPS proxy; storage in an ERC-7201 namespace. Owner = the governance multisig (until it
/// exists, the deployer; ownership moves with the two-step `transferOwnership`/`acceptOwnership`).
/// Customer wallets and KYC tiers live in `WalletTiers` (its own namespace).
/// @custom:security-contact security@clearhouse.example
contract ConsortiumRegistry is
    IConsortiumRegistry,
    RegistryStore,
    Ownable2StepUpgradeable,
    PausableUpgradeable,
    UUPSUpgradeable,
    WalletTiers,
    NodeAllowlist,
    MemberKeys
{
    uint256 private constant MAX_NAME_LENGTH = 64;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initialize the proxy with its first owner.
    /// @param initialOwner the deployer, later the governance multisig
    function initialize(address initialOwner) external initializer {
        if (initialOwner == address(0)) revert RegistryZeroAddress();
        __Ownable_init(initialOwner);
        __Pausable_init();
    }

    // ================================================================ members

    /// @inheritdoc IConsortiumRegistry
    /// @dev A removed member may be re-admitted; an active or suspended one may not. A sanctioned
    /// address cannot be admitted, nor a customer wallet (open or closed), nor a key bound to an account.
    function admitMember(
        address account,
        uint8 roles,
        bytes32 leiHash,
        string calldata name,
        uint128 maxSingleTransfer,
        uint128 maxDailyOutflow
    ) external onlyOwner {
        if (account == address(0)) revert RegistryZeroAddress();
        _validateRoles(roles);
        if (leiHash == bytes32(0)) revert RegistryInvalidLeiHash();
        uint256 nameLength = bytes(name).length;
        if (nameLength == 0 || nameLength > MAX_NAME_LENGTH) revert RegistryInvalidName(nameLength);
        _validateLimits(maxSingleTransfer, maxDailyOutflow);
        RegistryStorage storage $ = _s();
        uint16 sanction = $.sanctions[account];
        if (sanction != 0) revert RegistryAccountSanctioned(account, sanction);
        WalletStatus walletStatus = _walletStatus(account);
        if (walletStatus != WalletStatus.None) revert RegistryAccountIsWallet(account, walletStatus);
        address keyAccount = _keyAccount(account);
        if (keyAccount != address(0)) revert RegistryAddressIsKey(account, keyAccount);
        Member storage m = $.members[account];
        if (m.status == MemberStatus.Active || m.status == MemberStatus.Suspended) {
            revert RegistryMemberExists(account, m.status);
        }
        if (m.status == MemberStatus.None) $.memberList.push(account);
        m.status = MemberStatus.Active;
        m.roles = roles;
        m.statusSince = uint64(block.number);
        m.maxSingleTransfer = maxSingleTransfer;
        m.maxDailyOutflow = maxDailyOutflow;
        m.leiHash = leiHash;
        m.name = name;
        emit MemberAdmitted(account, roles, leiHash, name, maxSingleTransfer, maxDailyOutflow);
    }

    /// @inheritdoc IConsortiumRegistry
    function setRoles(address account, uint8 roles) external onlyOwner {
        _validateRoles(roles);
        Member storage m = _current(account);
        uint8 previous = m.roles;
        m.roles = roles;
        emit MemberRolesChanged(account, previous, roles);
    }

    /// @inheritdoc IConsortiumRegistry
    function setLimits(address account, uint128 maxSingleTransfer, uint128 maxDailyOutflow) external onlyOwner {
        _validateLimits(maxSingleTransfer, maxDailyOutflow);
        Member storage m = _current(account);
        m.maxSingleTransfer = maxSingleTransfer;
        m.maxDailyOutflow = maxDailyOutflow;
        emit MemberLimitsChanged(account, maxSingleTransfer, maxDailyOutflow);
    }

    /// @inheritdoc IConsortiumRegistry
    function suspendMember(address account) external onlyOwner {
        Member storage m = _current(account);
        if (m.status == MemberStatus.Suspended) revert RegistryMemberSuspended(account, m.statusSince);
        m.status = MemberStatus.Suspended;
        m.statusSince = uint64(block.number);
        emit MemberSuspended(account, m.statusSince);
    }

    /// @inheritdoc IConsortiumRegistry
    function reinstateMember(address account) external onlyOwner {
        Member storage m = _s().members[account];
        if (m.status == MemberStatus.None) revert RegistryNotMember(account);
        if (m.status != MemberStatus.Suspended) revert RegistryMemberNotSuspended(account, m.status);
        m.status = MemberStatus.Active;
        m.statusSince = uint64(block.number);
        emit MemberReinstated(account, m.statusSince);
    }

    /// @inheritdoc IConsortiumRegistry
    function removeMember(address account) external onlyOwner {
        Member storage m = _current(account);
        m.status = MemberStatus.Removed;
        m.statusSince = uint64(block.number);
        emit MemberRemoved(account, m.statusSince);
    }

    // ================================================================ sanctions

    /// @inheritdoc IConsortiumRegistry
    /// @dev Governance (the owner) and the owner it has offered ownership to are refused: Besu asks
    /// `transactionAllowed` for every transaction, so a sanctioned governance could never send the
    /// proposal that lifts its own sanction.
    function addSanction(address account, uint16 reasonCode) external onlyOwner {
        if (account == address(0)) revert RegistryZeroAddress();
        if (reasonCode == 0) revert RegistryInvalidReasonCode();
        if (account == owner() || account == pendingOwner()) revert RegistryCannotSanctionGovernance(account);
        RegistryStorage storage $ = _s();
        uint16 existing = $.sanctions[account];
        if (existing != 0) revert RegistryAccountSanctioned(account, existing);
        $.sanctions[account] = reasonCode;
        emit SanctionAdded(account, reasonCode);
    }

    /// @inheritdoc IConsortiumRegistry
    function removeSanction(address account, uint16 reasonCode) external onlyOwner {
        if (reasonCode == 0) revert RegistryInvalidReasonCode();
        RegistryStorage storage $ = _s();
        if ($.sanctions[account] == 0) revert RegistryNotSanctioned(account);
        delete $.sanctions[account];
        emit SanctionRemoved(account, reasonCode);
    }

    // ================================================================ pause

    /// @inheritdoc IConsortiumRegistry
    function pause() external onlyOwner {
        _pause();
    }

    /// @inheritdoc IConsortiumRegistry
    function unpause() external onlyOwner {
        _unpause();
    }

    // ================================================================ views

    /// @inheritdoc IConsortiumRegistry
    function memberOf(address account) external view returns (Member memory) {
        return _s().members[account];
    }

    /// @inheritdoc IConsortiumRegistry
    function hasRole(address account, uint8 role) external view returns (bool) {
        return role != 0 && _s().members[account].roles & role == role;
    }

    /// @inheritdoc IConsortiumRegistry
    function isActiveMember(address account) external view returns (bool) {
        RegistryStorage storage $ = _s();
        return $.members[account].status == MemberStatus.Active && $.sanctions[account] == 0;
    }

    /// @inheritdoc IConsortiumRegistry
    function sanctionOf(address account) external view returns (uint16) {
        return _s().sanctions[account];
    }

    /// @inheritdoc IConsortiumRegistry
    function requireActive(
        address account,
        uint8 role
    ) external view returns (uint8 roles, uint128 maxSingleTransfer, uint128 maxDailyOutflow) {
        Member storage m = _requireMember(account, role);
        return (m.roles, m.maxSingleTransfer, m.maxDailyOutflow);
    }

    /// @inheritdoc IConsortiumRegistry
    function requireMember(address account, uint8 role) external view {
        _requireMember(account, role);
    }

    /// @inheritdoc IConsortiumRegistry
    function memberCount() external view returns (uint256) {
        return _s().memberList.length;
    }

    /// @inheritdoc IConsortiumRegistry
    function memberAt(uint256 index) external view returns (address) {
        return _s().memberList[index];
    }

    // ================================================================ permissioning

    /// @inheritdoc IConsortiumRegistry
    /// @dev `data` is accepted for signature parity with Besu's hook and is not inspected: token
    /// and contract rules are enforced by the contracts themselves. The owner is always allowed as
    /// a sender, and never refused as a target on sanction or pause grounds, so governance can
    /// never lock itself out of the chain.
    function check(
        address sender,
        address target,
        uint256 value,
        bytes calldata data
    ) external view returns (bool allowed, Reason reason) {
        data;
        reason = _check(sender, target, value);
        return (reason == Reason.Allowed, reason);
    }

    /// @inheritdoc IConsortiumRegistry
    function transactionAllowed(
        address sender,
        address target,
        uint256 value,
        uint256,
        uint256,
        bytes calldata
    ) external view returns (bool) {
        return _check(sender, target, value) == Reason.Allowed;
    }

    // ================================================================ internals

    function _check(address sender, address target, uint256 value) private view returns (Reason) {
        address governance = owner();
        if (sender == governance) return Reason.Allowed;
        RegistryStorage storage $ = _s();
        if ($.sanctions[sender] != 0) return Reason.SenderSanctioned;
        // A key bound to an account sends with its account's standing (MemberKeys).
        address account = _keyAccount(sender);
        if (account != address(0)) {
            sender = account;
            if ($.sanctions[sender] != 0) return Reason.SenderSanctioned;
        }
        Member storage m = $.members[sender];
        MemberStatus status = m.status;
        // A wallet may send like a member without OPERATOR (roles 0): no deployment, no native value.
        uint8 roles = m.roles;
        if (status == MemberStatus.None) {
            Reason walletReason = _walletSenderReason(sender);
            if (walletReason != Reason.Allowed) return walletReason;
        } else if (status == MemberStatus.Suspended) {
            return Reason.SenderSuspended;
        } else if (status == MemberStatus.Removed) {
            return Reason.SenderRemoved;
        }
        // During an emergency pause members may still reach governance, so it can be lifted.
        if (paused() && target != governance) return Reason.RegistryPaused;
        if (target == address(0)) {
            if (roles & Roles.OPERATOR == 0) return Reason.CreationNotAllowed;
        } else if ($.sanctions[target] != 0 && target != governance) {
            // Governance is never refused as a target, so it can always be reached to repair a
            // mistake (a sanction written before addSanction refused it included).
            return Reason.TargetSanctioned;
        }
        // The settlement asset is the token; the native coin is only gas money, handed out by
        // the operator. Member limits are in token units, so they do not apply to it.
        if (value != 0 && roles & Roles.OPERATOR == 0) return Reason.NativeValueNotAllowed;
        return Reason.Allowed;
    }

    /// @dev The one place the "may this account act?" rule lives: not paused, not sanctioned,
    /// active, holding every bit of `role`. Reads the member's first slot only (not its limits).
    function _requireMember(address account, uint8 role) private view whenNotPaused returns (Member storage m) {
        RegistryStorage storage $ = _s();
        uint16 sanction = $.sanctions[account];
        if (sanction != 0) revert RegistryAccountSanctioned(account, sanction);
        m = $.members[account];
        MemberStatus status = m.status;
        if (status == MemberStatus.None) revert RegistryNotMember(account);
        if (status == MemberStatus.Suspended) revert RegistryMemberSuspended(account, m.statusSince);
        if (status == MemberStatus.Removed) revert RegistryMemberRemoved(account, m.statusSince);
        if (m.roles & role != role) revert RegistryMissingRole(account, role);
    }

    // ---------------------------------------------------------------- WalletTiers hooks

    function _requireBank(address bank) internal view override {
        _requireMember(bank, Roles.MEMBER_BANK);
    }

    function _isActiveBank(address bank) internal view override returns (bool) {
        RegistryStorage storage $ = _s();
        Member storage m = $.members[bank];
        return m.status == MemberStatus.Active && m.roles & Roles.MEMBER_BANK != 0 && $.sanctions[bank] == 0;
    }

    function _hasMemberRecord(address account) internal view override returns (bool) {
        return _s().members[account].status != MemberStatus.None;
    }

    function _requireMemberLimits(address account) internal view override returns (uint128, uint128) {
        Member storage m = _requireMember(account, 0);
        return (m.maxSingleTransfer, m.maxDailyOutflow);
    }

    function _sanctionOf(address account) internal view override returns (uint16) {
        return _s().sanctions[account];
    }

    function _boundAccount(address key) internal view override returns (address) {
        return _keyAccount(key);
    }

    // ---------------------------------------------------------------- MemberKeys hook

    function _isUnusableKey(address key) internal view override returns (bool) {
        RegistryStorage storage $ = _s();
        return
            $.members[key].status != MemberStatus.None ||
            _walletStatus(key) != WalletStatus.None ||
            $.sanctions[key] != 0;
    }

    function _isSanctionedKey(address key) internal view override returns (bool) {
        return _s().sanctions[key] != 0;
    }

    /// @dev The member record of an admitted, not removed account.
    function _current(address account) private view returns (Member storage m) {
        m = _s().members[account];
        if (m.status == MemberStatus.None) revert RegistryNotMember(account);
        if (m.status == MemberStatus.Removed) revert RegistryMemberRemoved(account, m.statusSince);
    }

    function _validateRoles(uint8 roles) private pure {
        if (roles == 0 || roles & ~Roles.ALL != 0) revert RegistryInvalidRoles(roles);
    }

    function _validateLimits(uint128 maxSingleTransfer, uint128 maxDailyOutflow) private pure {
        if (maxSingleTransfer > maxDailyOutflow) revert RegistryInvalidLimits(maxSingleTransfer, maxDailyOutflow);
    }

    /// @notice Offer ownership to `newOwner` (it accepts with `acceptOwnership`); zero cancels an offer.
    /// @dev A sanctioned account is refused: its transactions (the acceptance, then every proposal)
    /// would be dropped by the chain's permissioning.
    function transferOwnership(address newOwner) public override onlyOwner {
        uint16 sanction = _s().sanctions[newOwner];
        if (sanction != 0) revert RegistryAccountSanctioned(newOwner, sanction);
        super.transferOwnership(newOwner);
    }

    /// @notice Disabled: the registry must always have an owner (governance).
    function renounceOwnership() public view override onlyOwner {
        revert RegistryOwnershipCannotBeRenounced();
    }

    /// @dev Only governance upgrades the registry.
    function _authorizeUpgrade(address) internal override onlyOwner {}
}
