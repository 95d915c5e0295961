// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {IOfflineVault} from "./IOfflineVault.sol";

/// @title OfflineVaultStorage — the vault's state (ERC-7201 namespace) and the parts shared by its
/// one-by-one and bulk paths: EIP-712 hashing, serial bookkeeping, compensation from the guarantee.
abstract contract OfflineVaultStorage is IOfflineVault, EIP712Upgradeable {
    using SafeERC20 for IERC20;

    /// @dev Serials are bits of one word: at most 64 per allowance (e-CNY's offline count is 10).
    uint16 internal constant MAX_COUNT = 64;
    uint256 internal constant BPS = 10_000;
    /// @dev Expiries are below 2^40 (year 36812), so expiry + grace never overflows 64 bits.
    uint64 internal constant MAX_EXPIRY = uint64(1 << 40);
    uint256 private constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    uint256 private constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    bytes32 internal constant ALLOWANCE_TYPEHASH = keccak256(
        "AllowanceCert(address wallet,address device,address bank,uint128 cap,uint16 count,uint64 expiry,uint64 nonce)"
    );
    bytes32 internal constant VOUCHER_TYPEHASH = keccak256(
        "Voucher(bytes32 allowanceId,address device,address payee,uint128 amount,uint16 serial,uint64 expiry)"
    );

    struct Debt {
        address payee;
        uint128 amount;
    }

    /// @custom:storage-location erc7201:clearhouse.storage.OfflineVault
    struct VaultLayout {
        IConsortiumRegistry registry;
        IERC20 token;
        uint64 grace;
        uint64 disputeWindow;
        uint16 guaranteeBps;
        uint256 batchCount;
        mapping(bytes32 allowanceId => Allowance) allowances;
        // (first 12 bytes of the voucher's digest) << 160 | payee, for serials redeemed one by one
        mapping(bytes32 allowanceId => mapping(uint16 serial => bytes32 record)) redemptions;
        // keccak256(abi.encode(allowanceId, serial, payee)): one compensation per serial and payee
        mapping(bytes32 key => bool) compensated;
        mapping(address device => bool) frozen;
        mapping(address bank => BankBook) books;
        mapping(address bank => mapping(uint64 index => Debt)) debts;
        mapping(address payee => uint128) credits;
        mapping(uint256 batchId => Batch) batches;
        mapping(uint256 batchId => mapping(uint256 claimIndex => bool)) disputed;
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.OfflineVault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xd51da3af383424e465b67360d6add4b54ddba3641f44be988b7e0f1e78d17e00;

    function _s() internal pure returns (VaultLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    // ---------------------------------------------------------------- hashing

    function _allowanceId(AllowanceCert calldata c) internal view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ALLOWANCE_TYPEHASH, c.wallet, c.device, c.bank, c.cap, c.count, c.expiry, c.nonce))
            );
    }

    function _voucherDigest(
        bytes32 allowanceId,
        address device,
        address payee,
        uint128 amount,
        uint16 serial,
        uint64 expiry
    ) internal view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(VOUCHER_TYPEHASH, allowanceId, device, payee, amount, serial, expiry))
            );
    }

    /// @dev Walk a bulk claim in serial order: its leaf (spec §5: keccak256(allowanceId ‖ serials ‖
    /// keccak256(voucher digests in ascending serial order))) and its total. With `claimant` set,
    /// each voucher's terms are checked and its payee must be the claimant or an open wallet of it.
    /// With `find` set, also the digest and payee of serial `find` (zero if the claim does not hold it).
    function _walkClaim(
        BulkClaim calldata claim,
        Allowance storage a,
        address claimant,
        uint16 find
    ) internal view returns (bytes32 leaf, uint128 total, bytes32 found, address foundPayee) {
        uint256 n = claim.vouchers.length;
        bytes32 id = claim.allowanceId;
        address device = a.device;
        bytes32[] memory digests = new bytes32[](n);
        uint64 rest = claim.serials;
        uint256 i;
        address lastPayee;
        for (uint16 serial = 1; rest != 0; ++serial) {
            if (rest & 1 != 0) {
                if (i == n) revert VaultInvalidVoucher(id, serial, "missing");
                BulkVoucher calldata v = claim.vouchers[i];
                if (claimant != address(0)) {
                    _checkVoucherTerms(a, id, serial, v.amount, v.expiry, v.payee);
                    if (v.payee != claimant && v.payee != lastPayee) {
                        _requireWalletOf(v.payee, claimant);
                        lastPayee = v.payee;
                    }
                }
                bytes32 digest = _voucherDigest(id, device, v.payee, v.amount, serial, v.expiry);
                if (serial == find) (found, foundPayee) = (digest, v.payee);
                digests[i] = digest;
                total += v.amount;
                ++i;
            }
            rest >>= 1;
        }
        if (i != n || n == 0) revert VaultInvalidBatch("claim serials and vouchers differ");
        leaf = keccak256(abi.encode(id, claim.serials, keccak256(abi.encodePacked(digests))));
    }

    // ---------------------------------------------------------------- checks

    /// @dev Revert unless `signature` is `device`'s over the voucher; return its digest.
    function _checkedVoucher(Voucher calldata v, bytes calldata signature) internal view returns (bytes32 digest) {
        digest = _voucherDigest(v.allowanceId, v.device, v.payee, v.amount, v.serial, v.expiry);
        if (_signer(digest, signature) != v.device) revert VaultBadDeviceSignature(digest, v.device);
    }

    /// @dev The ECDSA signer of `digest`, or zero. Any valid encoding of a signature is taken (65
    /// bytes with v = 27/28 or 0/1, s high or low; 64-byte EIP-2098): a voucher's identity is its
    /// digest, never its signature, so accepting every form of one signature pays nothing twice, and
    /// a payee's wallet that checked the signature offline never holds one the vault refuses.
    function _signer(bytes32 digest, bytes calldata signature) internal pure returns (address) {
        bytes32 r;
        uint256 sv;
        uint8 v;
        if (signature.length == 65) {
            r = bytes32(signature[0:32]);
            sv = uint256(bytes32(signature[32:64]));
            v = uint8(signature[64]);
            if (v < 27) v += 27;
        } else if (signature.length == 64) {
            r = bytes32(signature[0:32]);
            uint256 vs = uint256(bytes32(signature[32:64]));
            sv = vs & ((1 << 255) - 1);
            v = uint8((vs >> 255) + 27);
        } else {
            return address(0);
        }
        if (sv == 0 || sv >= N) return address(0);
        if (sv > HALF_N) {
            sv = N - sv;
            v = v == 27 ? 28 : 27;
        }
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, v, r, bytes32(sv));
        return err == ECDSA.RecoverError.NoError ? signer : address(0);
    }

    /// @dev Revert unless the allowance was seen and the voucher fits it (device, serial range,
    /// cap, expiry, payee).
    function _checkVoucher(Allowance storage a, Voucher calldata v) internal view {
        if (a.status == AllowanceStatus.None) revert VaultUnknownAllowance(v.allowanceId);
        if (v.device != a.device) revert VaultInvalidVoucher(v.allowanceId, v.serial, "device");
        _checkVoucherTerms(a, v.allowanceId, v.serial, v.amount, v.expiry, v.payee);
    }

    function _checkVoucherTerms(
        Allowance storage a,
        bytes32 id,
        uint16 serial,
        uint128 amount,
        uint64 expiry,
        address payee
    ) internal view {
        if (serial == 0 || serial > a.count) revert VaultInvalidVoucher(id, serial, "serial");
        if (amount == 0 || amount > a.cap) revert VaultInvalidVoucher(id, serial, "amount");
        if (expiry > a.expiry) revert VaultInvalidVoucher(id, serial, "expiry");
        if (payee == address(0)) revert VaultInvalidVoucher(id, serial, "payee");
    }

    function _checkRedeemable(Allowance storage a, bytes32 id) internal view {
        uint64 deadline = a.redeemUntil;
        if (block.timestamp > deadline) revert VaultAllowanceExpired(id, a.expiry, deadline);
    }

    /// @dev When nothing can change an allowance's serials any more: max(redeemUntil, the last bulk
    /// dispute end). Release waits for it; double spends stay provable a grace period after it.
    function _closedAt(Allowance storage a) internal view returns (uint64 at) {
        at = a.redeemUntil;
        uint64 claimsEnd = a.claimsOpenUntil;
        if (claimsEnd > at) at = claimsEnd;
    }

    /// @dev A double spend can be proved until `_closedAt` + grace.
    function _checkProofDeadline(Allowance storage a, bytes32 id) internal view {
        uint64 end = _closedAt(a) + a.grace;
        if (block.timestamp > end) revert VaultAllowanceExpired(id, a.expiry, end);
    }

    /// @dev Revert unless `wallet` is an open wallet of `bank`.
    function _requireWalletOf(address wallet, address bank) internal view {
        IConsortiumRegistry.Wallet memory w = _s().registry.walletOf(wallet);
        if (w.status != IConsortiumRegistry.WalletStatus.Open || w.bank != bank)
            revert VaultNotWalletOfBank(wallet, bank);
    }

    function _requireBank(address account) internal view {
        _s().registry.requireMember(account, Roles.MEMBER_BANK);
    }

    // ---------------------------------------------------------------- money out

    /// @dev Pay `amount` from `bank`'s guarantee to `payee`; when the guarantee is short (or earlier
    /// compensations are still queued), queue it as the bank's debt instead.
    function _compensate(address bank, address payee, uint128 amount) internal {
        BankBook storage book = _s().books[bank];
        if (book.debt == 0 && book.guarantee >= amount) {
            book.guarantee -= amount;
            emit CompensationPaid(bank, payee, amount);
            _s().token.safeTransfer(payee, amount);
        } else {
            uint64 index = book.debtCount++;
            book.debt += amount;
            _s().debts[bank][index] = Debt(payee, amount);
            emit CompensationQueued(bank, index, payee, amount);
        }
    }

    /// @dev Credit queued compensations in order while the guarantee covers them.
    function _payDebts(address bank, uint256 maxPayments) internal {
        VaultLayout storage $ = _s();
        BankBook storage book = $.books[bank];
        uint64 head = book.debtHead;
        uint64 end = book.debtCount;
        uint128 guarantee = book.guarantee;
        uint128 debt = book.debt;
        for (uint256 done; done < maxPayments && head < end; ++done) {
            Debt storage d = $.debts[bank][head];
            uint128 amount = d.amount;
            if (amount > guarantee) break;
            guarantee -= amount;
            debt -= amount;
            $.credits[d.payee] += amount;
            emit CompensationCredited(bank, head, d.payee, amount);
            ++head;
        }
        book.debtHead = head;
        book.guarantee = guarantee;
        book.debt = debt;
    }

    /// @dev A one-by-one redemption's record: the digest's first 12 bytes above the payee.
    function _record(bytes32 digest, address payee) internal pure returns (bytes32) {
        return bytes32((uint256(digest) & ~uint256(type(uint160).max)) | uint160(payee));
    }

    /// @dev `v` (valid, same allowance and serial as the voucher first paid, whose digest starts with
    /// `firstPrefix` and which paid `firstPayee`) proves a double spend: compensate its payee from the
    /// bank's guarantee — once per serial and payee, never the first payee nor the payer's own wallet
    /// or device — and freeze the device.
    function _proveDoubleSpend(
        Allowance storage a,
        bytes32 id,
        Voucher calldata v,
        bytes12 firstPrefix,
        address firstPayee,
        bytes32 digest
    ) internal {
        VaultLayout storage $ = _s();
        if (bytes12(digest) == firstPrefix && v.payee == firstPayee) revert VaultNotADoubleSpend(id, v.serial, digest);
        if (v.payee == firstPayee || v.payee == a.wallet || v.payee == a.device) {
            revert VaultNotCompensable(id, v.serial, v.payee);
        }
        bytes32 key = keccak256(abi.encode(id, v.serial, v.payee));
        if ($.compensated[key]) revert VaultAlreadyCompensated(id, v.serial, v.payee);
        $.compensated[key] = true;
        emit DoubleSpendProved(id, v.serial, firstPrefix, firstPayee, digest, v.payee, v.amount);
        address device = a.device;
        if (!$.frozen[device]) {
            $.frozen[device] = true;
            emit DeviceFrozen(device, id);
        }
        _compensate(a.bank, v.payee, v.amount);
    }
}
