// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IOfflineVault} from "./IOfflineVault.sol";
import {OfflineVaultStorage} from "./OfflineVaultStorage.sol";

/// @title OfflineBulk — bulk redemption: a bank claims its customers' vouchers by allowance, the
/// chain checks serials, caps, expiries, payees and coverage but no signature; the allowance's bank
/// or wallet may dispute a claim within the window; then the batch's total is paid to the bank.
abstract contract OfflineBulk is OfflineVaultStorage, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev Gas budget (bench/offline.ts): ~12k gas a voucher at 10 vouchers per allowance (2,048 of
    /// them ≈ 24.5M), ~29k at one per allowance; a bank sizes its batches to the block gas limit.
    uint256 internal constant MAX_BULK_VOUCHERS = 2_048;

    /// @inheritdoc IOfflineVault
    function claimBulk(BulkClaim[] calldata claims) external nonReentrant returns (uint256 batchId) {
        _requireBank(msg.sender);
        VaultLayout storage $ = _s();
        uint256 n = claims.length;
        if (n == 0) revert VaultInvalidBatch("no claims");
        uint64 disputeEnd = uint64(block.timestamp) + $.disputeWindow;
        bytes32[] memory leaves = new bytes32[](n);
        uint128 total;
        uint256 vouchers;
        for (uint256 k; k < n; ++k) {
            BulkClaim calldata claim = claims[k];
            vouchers += claim.vouchers.length;
            if (vouchers > MAX_BULK_VOUCHERS) revert VaultInvalidBatch("more than 2048 vouchers");
            bytes32 id = claim.allowanceId;
            Allowance storage a = $.allowances[id];
            if (a.status != AllowanceStatus.Live) _refuseStatus(id, a.status);
            _checkRedeemable(a, id);
            uint64 taken = a.redeemed & claim.serials;
            if (taken != 0) revert VaultSerialTaken(id, _lowestSerial(taken));
            (bytes32 leaf, uint128 amount, , ) = _walkClaim(claim, a, msg.sender, 0);
            leaves[k] = leaf;
            a.remaining -= amount;
            a.redeemed |= claim.serials;
            if (disputeEnd > a.claimsOpenUntil) a.claimsOpenUntil = disputeEnd;
            $.books[a.bank].locked -= amount;
            total += amount;
        }
        batchId = ++$.batchCount;
        bytes32 claimsHash = keccak256(abi.encodePacked(leaves));
        $.batches[batchId] = Batch(msg.sender, BatchStatus.Pending, disputeEnd, total, claimsHash);
        emit BulkClaimed(batchId, msg.sender, n, vouchers, total, claimsHash, disputeEnd);
    }

    /// @inheritdoc IOfflineVault
    function disputeClaim(BulkEvidence calldata e) external nonReentrant {
        VaultLayout storage $ = _s();
        Batch storage b = $.batches[e.batchId];
        if (b.status != BatchStatus.Pending) revert VaultBatchNotPending(e.batchId, b.status);
        if (block.timestamp > b.disputeEnd) revert VaultDisputeWindow(e.batchId, b.disputeEnd);
        Allowance storage a = $.allowances[e.claim.allowanceId];
        if (msg.sender != a.bank && msg.sender != a.wallet) revert VaultNotBank(msg.sender, a.bank);
        (uint128 amount, , ) = _openClaim(b, e, a, 0);
        $.disputed[e.batchId][e.claimIndex] = true;
        a.redeemed &= ~e.claim.serials;
        a.remaining += amount;
        // The freed vouchers' payees get a full grace period to redeem them one by one.
        uint64 until = uint64(block.timestamp) + a.grace;
        if (until > a.redeemUntil) a.redeemUntil = until;
        $.books[a.bank].locked += amount;
        b.total -= amount;
        emit BulkClaimDisputed(e.batchId, e.claimIndex, e.claim.allowanceId, e.claim.serials, amount);
    }

    /// @inheritdoc IOfflineVault
    function settleBulk(uint256 batchId) external nonReentrant {
        Batch storage b = _s().batches[batchId];
        if (b.status != BatchStatus.Pending) revert VaultBatchNotPending(batchId, b.status);
        if (block.timestamp <= b.disputeEnd) revert VaultDisputeWindow(batchId, b.disputeEnd);
        b.status = BatchStatus.Settled;
        uint128 total = b.total;
        address bank = b.bank;
        emit BulkSettled(batchId, bank, total);
        if (total != 0) _s().token.safeTransfer(bank, total);
    }

    /// @inheritdoc IOfflineVault
    function redeemDoubleSpent(
        Voucher calldata voucher,
        bytes calldata deviceSignature,
        BulkEvidence calldata evidence
    ) external nonReentrant {
        bytes32 digest = _checkedVoucher(voucher, deviceSignature);
        Allowance storage a = _s().allowances[voucher.allowanceId];
        _checkVoucher(a, voucher);
        _checkProofDeadline(a, voucher.allowanceId);
        // Once the window is over the claim is final, settled or not (a bank that cannot receive
        // does not hold up the proof).
        Batch storage b = _s().batches[evidence.batchId];
        if (b.status == BatchStatus.None) revert VaultUnknownBatch(evidence.batchId);
        if (block.timestamp <= b.disputeEnd) revert VaultDisputeWindow(evidence.batchId, b.disputeEnd);
        if (evidence.claim.allowanceId != voucher.allowanceId) {
            revert VaultInvalidVoucher(voucher.allowanceId, voucher.serial, "claim allowance");
        }
        (, bytes32 claimed, address claimedPayee) = _openClaim(b, evidence, a, voucher.serial);
        if (claimed == bytes32(0))
            revert VaultInvalidVoucher(voucher.allowanceId, voucher.serial, "serial not in claim");
        _proveDoubleSpend(a, voucher.allowanceId, voucher, bytes12(claimed), claimedPayee, digest);
    }

    /// @dev Check `e.claim` is the undisputed claim `e.claimIndex` of batch `b` (through
    /// `e.leaves`); return its total and the digest and payee of serial `find` in it.
    function _openClaim(
        Batch storage b,
        BulkEvidence calldata e,
        Allowance storage a,
        uint16 find
    ) private view returns (uint128 amount, bytes32 found, address foundPayee) {
        if (e.claimIndex >= e.leaves.length || keccak256(abi.encodePacked(e.leaves)) != b.claimsHash) {
            revert VaultClaimsMismatch(e.batchId);
        }
        bytes32 leaf;
        (leaf, amount, found, foundPayee) = _walkClaim(e.claim, a, address(0), find);
        if (leaf != e.leaves[e.claimIndex]) revert VaultClaimsMismatch(e.batchId);
        if (_s().disputed[e.batchId][e.claimIndex]) revert VaultClaimDisputed(e.batchId, e.claimIndex);
    }

    /// @dev A refusal naming why an allowance cannot be claimed in bulk.
    function _refuseStatus(bytes32 id, AllowanceStatus status) private pure {
        if (status == AllowanceStatus.None) revert VaultUnknownAllowance(id);
        if (status == AllowanceStatus.Released) revert VaultAllowanceReleased(id);
        revert VaultInvalidAllowance("unfunded: redeem one by one");
    }

    /// @dev The serial of the lowest set bit of a non-zero mask (bit s-1 ↔ serial s).
    function _lowestSerial(uint64 mask) private pure returns (uint16 serial) {
        serial = 1;
        while (mask & 1 == 0) {
            mask >>= 1;
            ++serial;
        }
    }
}
