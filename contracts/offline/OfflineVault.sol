// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {IOfflineVault} from "./IOfflineVault.sol";
import {OfflineBulk} from "./OfflineBulk.sol";

/// @title OfflineVault — allowances locked for offline devices, voucher redemption, guarantee funds
/// @notice See IOfflineVault and docs/offline.md. The vault is a registry member: the token applies
/// every member and wallet rule to each movement in and out of it.
/// @dev UUPS proxy owned by governance; ERC-7201 storage; checks-effects-interactions with a
/// transient reentrancy guard on every entry point that moves tokens.
/// @custom:security-contact security@clearhouse.example
contract OfflineVault is OfflineBulk, Ownable2StepUpgradeable, UUPSUpgradeable {
    using SafeERC20 for IERC20;

    uint64 private constant MIN_GRACE = 1 hours;
    uint64 private constant MAX_GRACE = 365 days;
    uint64 private constant MIN_WINDOW = 1 minutes;
    uint64 private constant MAX_WINDOW = 30 days;
    uint16 private constant MAX_GUARANTEE_BPS = 50_000;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initialize the proxy.
    /// @param initialOwner governance, or the deployer until handover
    /// @param registry_ the consortium registry (members and wallets)
    /// @param token_ the settlement token the allowances are locked in
    /// @param grace seconds after a certificate's expiry during which vouchers are still redeemed
    /// @param disputeWindow seconds a bulk batch waits for disputes
    /// @param guaranteeBps guarantee a bank keeps against its live allowances, basis points
    function initialize(
        address initialOwner,
        IConsortiumRegistry registry_,
        IERC20 token_,
        uint64 grace,
        uint64 disputeWindow,
        uint16 guaranteeBps
    ) external initializer {
        __EIP712_init("Clearhouse Offline", "1");
        __Ownable_init(initialOwner);
        if (address(registry_).code.length == 0) revert VaultInvalidAddress(address(registry_));
        if (address(token_).code.length == 0) revert VaultInvalidAddress(address(token_));
        VaultLayout storage $ = _s();
        $.registry = registry_;
        $.token = token_;
        _setParameters(grace, disputeWindow, guaranteeBps);
    }

    // ================================================================ allowances

    /// @inheritdoc IOfflineVault
    function anchorAllowance(
        AllowanceCert calldata cert,
        bytes calldata bankSignature,
        bytes calldata walletSignature
    ) external nonReentrant returns (bytes32 id) {
        if (msg.sender != cert.wallet && msg.sender != cert.bank) revert VaultNotBank(msg.sender, cert.bank);
        _checkCert(cert);
        id = _allowanceId(cert);
        if (msg.sender != cert.wallet && !_signedBy(cert.wallet, id, walletSignature)) {
            revert VaultBadWalletSignature(id, cert.wallet);
        }
        Allowance storage a = _s().allowances[id];
        if (a.status != AllowanceStatus.None) revert VaultAllowanceExists(id, a.status);
        if (cert.expiry <= block.timestamp) revert VaultAllowanceExpired(id, cert.expiry, cert.expiry);
        _checkBankSignature(id, cert.bank, bankSignature);
        _requireBank(cert.bank);
        _requireWalletOf(cert.wallet, cert.bank);
        if (_s().frozen[cert.device]) revert VaultDeviceFrozen(cert.device);
        uint128 lock = _lockFor(cert);
        _store(a, cert, AllowanceStatus.Live, lock);
        _emitAnchored(id, cert, lock);
        _s().token.safeTransferFrom(cert.wallet, address(this), lock);
    }

    /// @dev Count `cap × count` in the bank's locked funds, within its guarantee and without debt.
    function _lockFor(AllowanceCert calldata cert) private returns (uint128 lock) {
        BankBook storage book = _s().books[cert.bank];
        if (book.debt != 0) revert VaultBankInDebt(cert.bank, book.debt);
        lock = cert.cap * cert.count;
        uint128 locked = book.locked + lock;
        uint256 required = _required(locked);
        if (book.guarantee < required) revert VaultGuaranteeTooLow(cert.bank, book.guarantee, required);
        book.locked = locked;
    }

    function _emitAnchored(bytes32 id, AllowanceCert calldata cert, uint128 lock) private {
        emit AllowanceAnchored(id, cert.wallet, cert.bank, cert.device, cert.cap, cert.count, cert.expiry, lock);
    }

    /// @inheritdoc IOfflineVault
    function release(bytes32 id) external nonReentrant {
        VaultLayout storage $ = _s();
        Allowance storage a = $.allowances[id];
        if (a.status != AllowanceStatus.Live) {
            if (a.status == AllowanceStatus.None) revert VaultUnknownAllowance(id);
            if (a.status == AllowanceStatus.Released) revert VaultAllowanceReleased(id);
            revert VaultInvalidAllowance("unfunded: nothing locked");
        }
        uint64 at = _closedAt(a);
        if (block.timestamp <= at) revert VaultReleaseTooEarly(id, at);
        uint128 amount = a.remaining;
        a.remaining = 0;
        a.status = AllowanceStatus.Released;
        $.books[a.bank].locked -= amount;
        address recipient = a.wallet;
        if (amount != 0) {
            // The wallet may be closed or above a lowered balance cap: then its bank, which owes the
            // customer, takes the funds. Nothing stays stuck.
            try $.token.transfer(recipient, amount) returns (bool ok) {
                if (!ok) recipient = _toBank(a.bank, amount);
            } catch {
                recipient = _toBank(a.bank, amount);
            }
        }
        emit AllowanceReleased(id, recipient, amount);
    }

    // ================================================================ one by one

    /// @inheritdoc IOfflineVault
    function redeem(Voucher calldata voucher, bytes calldata deviceSignature) external nonReentrant {
        bytes32 digest = _checkedVoucher(voucher, deviceSignature);
        _redeem(_s().allowances[voucher.allowanceId], voucher, digest);
    }

    /// @inheritdoc IOfflineVault
    function redeemUnfunded(
        AllowanceCert calldata cert,
        bytes calldata bankSignature,
        Voucher calldata voucher,
        bytes calldata deviceSignature
    ) external nonReentrant {
        _checkCert(cert);
        bytes32 id = _allowanceId(cert);
        if (voucher.allowanceId != id) revert VaultInvalidVoucher(voucher.allowanceId, voucher.serial, "allowanceId");
        Allowance storage a = _s().allowances[id];
        if (a.status != AllowanceStatus.None) revert VaultAllowanceExists(id, a.status);
        _checkBankSignature(id, cert.bank, bankSignature);
        bytes32 digest = _checkedVoucher(voucher, deviceSignature);
        _store(a, cert, AllowanceStatus.Unfunded, 0);
        emit UnfundedAllowanceSeen(id, cert.wallet, cert.bank);
        _redeem(a, voucher, digest);
    }

    function _redeem(Allowance storage a, Voucher calldata v, bytes32 digest) private {
        bytes32 id = v.allowanceId;
        _checkVoucher(a, v);
        VaultLayout storage $ = _s();
        uint64 bit = uint64(1) << (v.serial - 1);
        if (a.redeemed & bit != 0) {
            // Provable even after release: the compensation comes from the guarantee.
            bytes32 prior = $.redemptions[id][v.serial];
            if (prior == bytes32(0)) revert VaultSerialClaimedInBulk(id, v.serial);
            if (prior == _record(digest, v.payee)) revert VaultAlreadyRedeemed(id, v.serial, digest);
            _checkProofDeadline(a, id);
            _proveDoubleSpend(a, id, v, bytes12(prior), address(uint160(uint256(prior))), digest);
            return;
        }
        AllowanceStatus status = a.status;
        if (status == AllowanceStatus.Released) revert VaultAllowanceReleased(id);
        _checkRedeemable(a, id);
        a.redeemed |= bit;
        $.redemptions[id][v.serial] = _record(digest, v.payee);
        if (status == AllowanceStatus.Unfunded) {
            emit VoucherRedeemed(id, v.serial, digest, v.payee, v.amount, true);
            _compensate(a.bank, v.payee, v.amount);
            return;
        }
        a.remaining -= v.amount;
        $.books[a.bank].locked -= v.amount;
        emit VoucherRedeemed(id, v.serial, digest, v.payee, v.amount, false);
        $.token.safeTransfer(v.payee, v.amount);
    }

    // ================================================================ guarantee fund

    /// @inheritdoc IOfflineVault
    function postGuarantee(uint128 amount, uint256 maxPayments) external nonReentrant {
        _requireBank(msg.sender);
        if (amount == 0) revert VaultInvalidAmount(0);
        BankBook storage book = _s().books[msg.sender];
        uint128 guarantee = book.guarantee + amount;
        book.guarantee = guarantee;
        emit GuaranteePosted(msg.sender, amount, guarantee);
        _payDebts(msg.sender, maxPayments);
        _s().token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IOfflineVault
    function withdrawGuarantee(uint128 amount) external nonReentrant {
        BankBook storage book = _s().books[msg.sender];
        if (book.debt != 0) revert VaultBankInDebt(msg.sender, book.debt);
        if (amount == 0 || amount > book.guarantee) revert VaultInvalidAmount(amount);
        uint128 guarantee = book.guarantee - amount;
        uint256 required = _required(book.locked);
        if (guarantee < required) revert VaultGuaranteeTooLow(msg.sender, guarantee, required);
        book.guarantee = guarantee;
        emit GuaranteeWithdrawn(msg.sender, amount, guarantee);
        _s().token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IOfflineVault
    function payDebts(address bank, uint256 maxPayments) external nonReentrant {
        if (maxPayments == 0) revert VaultInvalidParameter("maxPayments");
        _payDebts(bank, maxPayments);
    }

    /// @inheritdoc IOfflineVault
    function claimCredit() external nonReentrant returns (uint128 amount) {
        VaultLayout storage $ = _s();
        amount = $.credits[msg.sender];
        if (amount == 0) revert VaultNothingToClaim(msg.sender);
        $.credits[msg.sender] = 0;
        emit CreditClaimed(msg.sender, amount);
        $.token.safeTransfer(msg.sender, amount);
    }

    // ================================================================ governance

    /// @inheritdoc IOfflineVault
    function setParameters(uint64 grace, uint64 disputeWindow, uint16 guaranteeBps) external onlyOwner {
        _setParameters(grace, disputeWindow, guaranteeBps);
    }

    /// @inheritdoc IOfflineVault
    function extendRedemption(bytes32[] calldata ids, uint64 redeemUntil) external onlyOwner {
        if (redeemUntil >= MAX_EXPIRY) revert VaultInvalidParameter("redeemUntil");
        VaultLayout storage $ = _s();
        for (uint256 i; i < ids.length; ++i) {
            Allowance storage a = $.allowances[ids[i]];
            if (a.status == AllowanceStatus.None) revert VaultUnknownAllowance(ids[i]);
            if (a.status == AllowanceStatus.Released) revert VaultAllowanceReleased(ids[i]);
            if (redeemUntil > a.redeemUntil) {
                a.redeemUntil = redeemUntil;
                emit RedemptionExtended(ids[i], redeemUntil);
            }
        }
    }

    /// @notice Disabled: the vault must always have an owner (governance) who can upgrade it.
    function renounceOwnership() public view override onlyOwner {
        revert VaultOwnershipCannotBeRenounced();
    }

    // ================================================================ views

    /// @inheritdoc IOfflineVault
    function allowanceOf(bytes32 id) external view returns (Allowance memory) {
        return _s().allowances[id];
    }

    /// @inheritdoc IOfflineVault
    function bankBookOf(address bank) external view returns (BankBook memory) {
        return _s().books[bank];
    }

    /// @inheritdoc IOfflineVault
    function batchOf(uint256 batchId) external view returns (Batch memory) {
        return _s().batches[batchId];
    }

    /// @inheritdoc IOfflineVault
    function batchCount() external view returns (uint256) {
        return _s().batchCount;
    }

    /// @inheritdoc IOfflineVault
    function isFrozen(address device) external view returns (bool) {
        return _s().frozen[device];
    }

    /// @inheritdoc IOfflineVault
    function redemptionOf(bytes32 id, uint16 serial) external view returns (address payee, bytes12 digestPrefix) {
        bytes32 r = _s().redemptions[id][serial];
        return (address(uint160(uint256(r))), bytes12(r));
    }

    /// @inheritdoc IOfflineVault
    function isCompensated(bytes32 id, uint16 serial, address payee) external view returns (bool) {
        return _s().compensated[keccak256(abi.encode(id, serial, payee))];
    }

    /// @inheritdoc IOfflineVault
    function creditOf(address payee) external view returns (uint128) {
        return _s().credits[payee];
    }

    /// @inheritdoc IOfflineVault
    function debtAt(address bank, uint64 index) external view returns (address payee, uint128 amount) {
        Debt storage d = _s().debts[bank][index];
        return (d.payee, d.amount);
    }

    /// @inheritdoc IOfflineVault
    function requiredGuarantee(address bank) external view returns (uint256) {
        return _required(_s().books[bank].locked);
    }

    /// @inheritdoc IOfflineVault
    function parameters() external view returns (uint64 grace, uint64 disputeWindow, uint16 guaranteeBps) {
        VaultLayout storage $ = _s();
        return ($.grace, $.disputeWindow, $.guaranteeBps);
    }

    /// @inheritdoc IOfflineVault
    function token() external view returns (address) {
        return address(_s().token);
    }

    // ================================================================ internals

    function _checkCert(AllowanceCert calldata cert) private pure {
        if (cert.wallet == address(0)) revert VaultInvalidAllowance("wallet");
        if (cert.device == address(0)) revert VaultInvalidAllowance("device");
        if (cert.bank == address(0)) revert VaultInvalidAllowance("bank");
        if (cert.cap == 0 || cert.cap > type(uint96).max) revert VaultInvalidAllowance("cap");
        if (cert.count == 0 || cert.count > MAX_COUNT) revert VaultInvalidAllowance("count");
        if (cert.expiry >= MAX_EXPIRY) revert VaultInvalidAllowance("expiry");
    }

    function _checkBankSignature(bytes32 id, address bank, bytes calldata signature) private view {
        if (!_signedBy(bank, id, signature)) revert VaultBadBankSignature(id, bank);
    }

    /// @dev `signer` signed `id`: an ECDSA signature in any valid encoding, or ERC-1271 for a contract.
    function _signedBy(address signer, bytes32 id, bytes calldata signature) private view returns (bool) {
        if (_signer(id, signature) == signer) return true;
        return signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNow(signer, id, signature);
    }

    function _store(Allowance storage a, AllowanceCert calldata cert, AllowanceStatus status, uint128 lock) private {
        a.remaining = lock;
        a.expiry = cert.expiry;
        a.wallet = cert.wallet;
        a.count = cert.count;
        a.status = status;
        a.device = cert.device;
        a.cap = uint96(cert.cap);
        a.bank = cert.bank;
        uint64 grace = _s().grace;
        a.grace = uint32(grace);
        a.redeemUntil = cert.expiry + grace;
    }

    function _required(uint256 locked) private view returns (uint256) {
        return (locked * _s().guaranteeBps + BPS - 1) / BPS;
    }

    function _toBank(address bank, uint128 amount) private returns (address) {
        _s().token.safeTransfer(bank, amount);
        return bank;
    }

    function _setParameters(uint64 grace, uint64 disputeWindow, uint16 guaranteeBps) private {
        if (grace < MIN_GRACE || grace > MAX_GRACE) revert VaultInvalidParameter("grace");
        if (disputeWindow < MIN_WINDOW || disputeWindow > MAX_WINDOW) revert VaultInvalidParameter("disputeWindow");
        if (guaranteeBps > MAX_GUARANTEE_BPS) revert VaultInvalidParameter("guaranteeBps");
        VaultLayout storage $ = _s();
        $.grace = grace;
        $.disputeWindow = disputeWindow;
        $.guaranteeBps = guaranteeBps;
        emit ParametersSet(grace, disputeWindow, guaranteeBps);
    }

    /// @dev Only governance upgrades the vault.
    function _authorizeUpgrade(address) internal override onlyOwner {}
}
