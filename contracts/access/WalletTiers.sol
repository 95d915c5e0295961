// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {IConsortiumRegistry} from "./IConsortiumRegistry.sol";

/// @title WalletTiers — KYC tiers and the customer wallets member banks open in them
/// @notice Customer wallets (e-CNY style) hold the settlement token within their tier's limits: a
/// single-payment limit, a daily outflow limit and a balance cap. Governance defines the tiers
/// (higher number = better identified); a member bank opens, re-tiers and closes its customers'
/// wallets. A wallet acts only while its bank is an active, unsanctioned MEMBER_BANK.
/// @dev The registry's part for wallets, in its own ERC-7201 namespace so the registry's member
/// storage is untouched. The registry supplies the member rules through the hooks at the end.
abstract contract WalletTiers is IConsortiumRegistry, Ownable2StepUpgradeable, PausableUpgradeable {
    /// @custom:storage-location erc7201:clearhouse.storage.WalletTiers
    struct WalletTiersStorage {
        mapping(uint8 tier => Tier) tiers;
        mapping(address wallet => Wallet) wallets;
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.WalletTiers")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant WALLET_TIERS_SLOT = 0x09b208f9388c1f46ec62ede60a881c0b3fd517a48c9d05ebb3d6f62344282100;

    function _w() private pure returns (WalletTiersStorage storage $) {
        assembly {
            $.slot := WALLET_TIERS_SLOT
        }
    }

    // ================================================================ tiers

    /// @inheritdoc IConsortiumRegistry
    /// @dev Lowering a tier's cap does not move funds: a wallet above it keeps them and may spend,
    /// but receives nothing until it is back under the cap.
    function setTier(uint8 tier, uint128 maxSingle, uint128 maxDaily, uint128 maxBalance) external onlyOwner {
        if (tier == 0) revert RegistryInvalidTier(tier);
        if (maxSingle > maxDaily || maxBalance == 0) {
            revert RegistryInvalidTierLimits(maxSingle, maxDaily, maxBalance);
        }
        _w().tiers[tier] = Tier({maxSingle: maxSingle, maxDaily: maxDaily, maxBalance: maxBalance});
        emit TierSet(tier, maxSingle, maxDaily, maxBalance);
    }

    // ================================================================ wallets

    /// @inheritdoc IConsortiumRegistry
    /// @dev Refused: the zero address, a sanctioned address, any address with a member record
    /// (members and wallets never mix), a key bound to an account, and any address already opened as a wallet, closed ones
    /// included (a closed wallet is never reopened, by its bank or another: the customer gets a
    /// new address, so a wallet's history belongs to one bank relationship).
    function openWallet(address wallet, uint8 tier) external {
        _requireBank(msg.sender);
        if (wallet == address(0)) revert RegistryZeroAddress();
        uint16 sanction = _sanctionOf(wallet);
        if (sanction != 0) revert RegistryAccountSanctioned(wallet, sanction);
        if (_hasMemberRecord(wallet)) revert RegistryWalletIsMember(wallet);
        address keyAccount = _boundAccount(wallet);
        if (keyAccount != address(0)) revert RegistryAddressIsKey(wallet, keyAccount);
        WalletTiersStorage storage $ = _w();
        Wallet storage w = $.wallets[wallet];
        if (w.status != WalletStatus.None) revert RegistryWalletExists(wallet, w.status, w.bank);
        if ($.tiers[tier].maxBalance == 0) revert RegistryUnknownTier(tier);
        $.wallets[wallet] = Wallet({
            status: WalletStatus.Open,
            tier: tier,
            bank: msg.sender,
            since: uint64(block.number)
        });
        emit WalletOpened(wallet, msg.sender, tier);
    }

    /// @inheritdoc IConsortiumRegistry
    /// @dev The new tier's limits apply from the next transfer; the day's outflow already counted
    /// stays counted against the new daily limit.
    function setWalletTier(address wallet, uint8 tier) external {
        WalletTiersStorage storage $ = _w();
        Wallet storage w = _openWallet(wallet);
        address bank = w.bank;
        if (msg.sender != bank) revert RegistryNotWalletBank(msg.sender, wallet, bank);
        _requireBank(bank);
        uint8 previous = w.tier;
        if (previous == tier) revert RegistryWalletTierUnchanged(wallet, tier);
        if ($.tiers[tier].maxBalance == 0) revert RegistryUnknownTier(tier);
        w.tier = tier;
        w.since = uint64(block.number);
        emit WalletTierChanged(wallet, bank, previous, tier);
    }

    /// @inheritdoc IConsortiumRegistry
    /// @dev Closing freezes whatever the wallet still holds (it can neither send nor receive): its
    /// bank should have it emptied first. Governance may close any wallet, also while paused or
    /// when the bank is no longer active.
    function closeWallet(address wallet) external {
        Wallet storage w = _openWallet(wallet);
        address bank = w.bank;
        if (msg.sender != owner()) {
            if (msg.sender != bank) revert RegistryNotWalletBank(msg.sender, wallet, bank);
            _requireBank(bank);
        }
        w.status = WalletStatus.Closed;
        w.since = uint64(block.number);
        emit WalletClosed(wallet, bank);
    }

    // ================================================================ views

    /// @inheritdoc IConsortiumRegistry
    function tierOf(uint8 tier) external view returns (Tier memory) {
        return _w().tiers[tier];
    }

    /// @inheritdoc IConsortiumRegistry
    function walletOf(address wallet) external view returns (Wallet memory) {
        return _w().wallets[wallet];
    }

    /// @inheritdoc IConsortiumRegistry
    /// @dev Checked in the order: member (the member rules of `requireActive`), pause, sanction,
    /// wallet status, the wallet's bank (its own error: `RegistryMemberSuspended(bank, …)`, …). An
    /// account that is neither a member nor a wallet gets `RegistryNotMember`, as before wallets.
    function requireHolder(
        address account
    ) external view returns (uint128 maxSingle, uint128 maxDaily, uint128 maxBalance) {
        if (_hasMemberRecord(account)) {
            (maxSingle, maxDaily) = _requireMemberLimits(account);
            return (maxSingle, maxDaily, type(uint128).max);
        }
        _requireNotPaused();
        uint16 sanction = _sanctionOf(account);
        if (sanction != 0) revert RegistryAccountSanctioned(account, sanction);
        WalletTiersStorage storage $ = _w();
        Wallet storage w = $.wallets[account];
        WalletStatus status = w.status;
        if (status == WalletStatus.None) revert RegistryNotMember(account);
        if (status == WalletStatus.Closed) revert RegistryWalletClosed(account, w.since);
        _requireBank(w.bank);
        Tier storage t = $.tiers[w.tier];
        return (t.maxSingle, t.maxDaily, t.maxBalance);
    }

    // ================================================================ internals

    /// @dev Why `check` refuses a transaction from `sender`, which has no member record:
    /// `SenderNotMember` if it is not a wallet either, else the wallet's status and its bank's.
    function _walletSenderReason(address sender) internal view returns (Reason) {
        Wallet storage w = _w().wallets[sender];
        WalletStatus status = w.status;
        if (status == WalletStatus.None) return Reason.SenderNotMember;
        if (status == WalletStatus.Closed) return Reason.SenderWalletClosed;
        if (!_isActiveBank(w.bank)) return Reason.SenderWalletBankInactive;
        return Reason.Allowed;
    }

    /// @dev Whether `account` has a wallet record (open or closed), and its status.
    function _walletStatus(address account) internal view returns (WalletStatus) {
        return _w().wallets[account].status;
    }

    /// @dev The record of an open wallet; the precise error otherwise.
    function _openWallet(address wallet) private view returns (Wallet storage w) {
        w = _w().wallets[wallet];
        if (w.status == WalletStatus.None) revert RegistryNotWallet(wallet);
        if (w.status == WalletStatus.Closed) revert RegistryWalletClosed(wallet, w.since);
    }

    /// @dev Revert with the registry's member error unless `bank` is an active, unsanctioned
    /// MEMBER_BANK and the registry is not paused.
    function _requireBank(address bank) internal view virtual;

    /// @dev Whether `bank` is an active, unsanctioned MEMBER_BANK (pause not considered).
    function _isActiveBank(address bank) internal view virtual returns (bool);

    /// @dev Whether `account` was ever admitted as a member (any status).
    function _hasMemberRecord(address account) internal view virtual returns (bool);

    /// @dev The member rules of `requireActive(account, 0)`; the member's limits.
    function _requireMemberLimits(address account) internal view virtual returns (uint128, uint128);

    /// @dev The sanction reason code of `account`, 0 if none.
    function _sanctionOf(address account) internal view virtual returns (uint16);

    /// @dev The account `key` is bound to as a signing key, zero if none.
    function _boundAccount(address key) internal view virtual returns (address);
}
