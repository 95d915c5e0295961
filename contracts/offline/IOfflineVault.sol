// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IOfflineVault — double-offline payments that cannot lose an honest payee's money
/// @notice A wallet's bank locks `cap × count` of the wallet's tokens for a device key (an
/// allowance certificate the bank signs, EIP-712). Offline, the device signs vouchers (EIP-712:
/// allowance id, device, payee, amount ≤ cap, serial 1…count, expiry) that a payee checks with the
/// certificate alone. On reconnect a voucher is redeemed one by one (signature checked here) or in
/// bulk by the payees' bank (no signature checked here: the issuing bank may dispute a claim within
/// a window, which sends it back to the one-by-one path). A serial pays once from the allowance; a
/// second voucher for the same serial is a proof of double spending: its payee is paid from the
/// issuing bank's guarantee fund (or, when that is short, queued as the bank's debt), the device is
/// frozen. After the redemption deadline and the last dispute window what is left returns to the wallet.
/// Specification: docs/spec/offline-vouchers.md.
interface IOfflineVault {
    // ---------------------------------------------------------------- types
    /// @notice An allowance certificate; its id is its EIP-712 digest in this vault's domain.
    struct AllowanceCert {
        address wallet; // whose tokens are locked, and who gets the rest back
        address device; // the key that signs vouchers
        address bank; // the wallet's bank: signs the certificate and guarantees it
        uint128 cap; // the most one voucher may carry (minor units), < 2^96
        uint16 count; // serials 1…count, at most 64
        uint64 expiry; // unix seconds: no voucher is accepted offline after it
        uint64 nonce; // lets a bank issue the same terms twice
    }

    /// @notice A voucher as the device signs it (EIP-712 in this vault's domain).
    struct Voucher {
        bytes32 allowanceId;
        address device;
        address payee;
        uint128 amount;
        uint16 serial;
        uint64 expiry; // unix seconds; at most the certificate's expiry
    }

    /// @notice A voucher in a bulk claim: the allowance id, device and serial come from the claim.
    struct BulkVoucher {
        address payee;
        uint128 amount;
        uint64 expiry;
    }

    /// @notice One allowance's vouchers in a bulk batch: bit `s-1` of `serials` set for each serial
    /// `s` claimed, `vouchers` in ascending serial order.
    struct BulkClaim {
        bytes32 allowanceId;
        uint64 serials;
        BulkVoucher[] vouchers;
    }

    /// @notice Where a serial was claimed in bulk: the batch, its claim leaves (in order, as
    /// `BulkClaimed` hashed them), and the claim at `claimIndex`.
    struct BulkEvidence {
        uint256 batchId;
        bytes32[] leaves;
        uint256 claimIndex;
        BulkClaim claim;
    }

    /// @notice Lifecycle of an allowance.
    enum AllowanceStatus {
        None, // never seen
        Live, // anchored: funds locked
        Unfunded, // signed by the bank but never anchored: vouchers are paid from the guarantee
        Released // what was left went back
    }

    /// @notice Lifecycle of a bulk batch.
    enum BatchStatus {
        None,
        Pending, // within its dispute window
        Settled // paid to the bank
    }

    /// @notice An allowance as stored.
    struct Allowance {
        uint128 remaining; // locked minus paid out
        uint64 redeemed; // bit s-1: serial s redeemed (one by one or claimed in bulk)
        uint64 expiry;
        address wallet;
        uint16 count;
        AllowanceStatus status;
        uint64 claimsOpenUntil; // the latest dispute end of a bulk claim on it (only ever raised)
        address device;
        uint96 cap;
        address bank;
        uint64 redeemUntil; // vouchers are redeemed and claimed until then: expiry + grace, extended by disputes
        uint32 grace; // the grace in force when the allowance was anchored (or seen unfunded)
    }

    /// @notice A bank's standing with the vault.
    struct BankBook {
        uint128 guarantee; // posted and not yet paid out or withdrawn
        uint128 locked; // live allowances' remaining funds (what the guarantee ratio applies to)
        uint128 debt; // compensations owed and not yet paid
        uint64 debtHead; // index of the first unpaid compensation in its queue
        uint64 debtCount; // compensations ever queued
    }

    /// @notice A bulk batch as stored.
    struct Batch {
        address bank;
        BatchStatus status;
        uint64 disputeEnd; // unix seconds: disputes until, settlement after
        uint128 total;
        bytes32 claimsHash; // keccak256 of the claims' leaves, in order (spec §5)
    }

    // ---------------------------------------------------------------- events
    /// @notice An allowance was anchored and `locked` taken from the wallet.
    event AllowanceAnchored(
        bytes32 indexed allowanceId,
        address indexed wallet,
        address indexed bank,
        address device,
        uint128 cap,
        uint16 count,
        uint64 expiry,
        uint128 locked
    );
    /// @notice A bank-signed certificate that was never anchored showed up with a voucher.
    event UnfundedAllowanceSeen(bytes32 indexed allowanceId, address indexed wallet, address indexed bank);
    /// @notice A voucher was redeemed one by one. `fromGuarantee`: paid from the bank's fund.
    event VoucherRedeemed(
        bytes32 indexed allowanceId,
        uint16 serial,
        bytes32 indexed voucherDigest,
        address indexed payee,
        uint128 amount,
        bool fromGuarantee
    );
    /// @notice A bank claimed vouchers in bulk (batch `batchId`).
    event BulkClaimed(
        uint256 indexed batchId,
        address indexed bank,
        uint256 claims,
        uint256 vouchers,
        uint128 total,
        bytes32 claimsHash,
        uint64 disputeEnd
    );
    /// @notice An allowance's claim in a batch was disputed: its serials are free again.
    event BulkClaimDisputed(
        uint256 indexed batchId,
        uint256 claimIndex,
        bytes32 indexed allowanceId,
        uint64 serials,
        uint128 amount
    );
    /// @notice A batch was paid to its bank.
    event BulkSettled(uint256 indexed batchId, address indexed bank, uint128 total);
    /// @notice Two vouchers of one serial: the second's payee is compensated, the device frozen.
    /// `redeemedDigestPrefix` and `redeemedPayee` name the voucher the serial was first paid with.
    event DoubleSpendProved(
        bytes32 indexed allowanceId,
        uint16 serial,
        bytes12 redeemedDigestPrefix,
        address redeemedPayee,
        bytes32 indexed voucherDigest,
        address indexed payee,
        uint128 amount
    );
    /// @notice Governance extended an allowance's redemption deadline (after a token pause).
    event RedemptionExtended(bytes32 indexed allowanceId, uint64 redeemUntil);
    /// @notice A device key was frozen (no allowance may be anchored for it any more).
    event DeviceFrozen(address indexed device, bytes32 indexed allowanceId);
    /// @notice A compensation was paid to `payee` from `bank`'s guarantee.
    event CompensationPaid(address indexed bank, address indexed payee, uint128 amount);
    /// @notice A queued compensation was funded from `bank`'s guarantee and credited to `payee`.
    event CompensationCredited(address indexed bank, uint64 indexed index, address indexed payee, uint128 amount);
    /// @notice `payee` took its credited compensations.
    event CreditClaimed(address indexed payee, uint128 amount);
    /// @notice A compensation the guarantee could not cover was queued as `bank`'s debt.
    event CompensationQueued(address indexed bank, uint64 indexed index, address indexed payee, uint128 amount);
    /// @notice What was left of an allowance went to `recipient` (the wallet, or its bank when the
    /// wallet cannot receive it).
    event AllowanceReleased(bytes32 indexed allowanceId, address indexed recipient, uint128 amount);
    /// @notice A bank posted to its guarantee fund.
    event GuaranteePosted(address indexed bank, uint128 amount, uint128 guarantee);
    /// @notice A bank withdrew from its guarantee fund.
    event GuaranteeWithdrawn(address indexed bank, uint128 amount, uint128 guarantee);
    /// @notice Governance changed the vault's parameters.
    event ParametersSet(uint64 grace, uint64 disputeWindow, uint16 guaranteeBps);

    // ---------------------------------------------------------------- errors
    /// @notice An address argument was zero or had no code where code is needed.
    error VaultInvalidAddress(address account);
    /// @notice A parameter is out of range (`what` names it).
    error VaultInvalidParameter(string what);
    /// @notice The certificate is malformed (`what` names the field).
    error VaultInvalidAllowance(string what);
    /// @notice The bank's signature over the certificate does not verify.
    error VaultBadBankSignature(bytes32 allowanceId, address bank);
    /// @notice The device's signature over the voucher does not verify.
    error VaultBadDeviceSignature(bytes32 voucherDigest, address device);
    /// @notice `wallet` is not an open wallet of `bank`.
    error VaultNotWalletOfBank(address wallet, address bank);
    /// @notice The caller is not the bank the action belongs to.
    error VaultNotBank(address caller, address bank);
    /// @notice An allowance with this id exists already.
    error VaultAllowanceExists(bytes32 allowanceId, AllowanceStatus status);
    /// @notice No allowance with this id was anchored or seen.
    error VaultUnknownAllowance(bytes32 allowanceId);
    /// @notice The allowance's certificate has expired (anchoring), or its redemption period is over.
    error VaultAllowanceExpired(bytes32 allowanceId, uint64 expiry, uint64 deadline);
    /// @notice The allowance was released: nothing more can be redeemed from it.
    error VaultAllowanceReleased(bytes32 allowanceId);
    /// @notice The allowance cannot be released before `releasableAt`.
    error VaultReleaseTooEarly(bytes32 allowanceId, uint64 releasableAt);
    /// @notice The device key is frozen after a double spend.
    error VaultDeviceFrozen(address device);
    /// @notice The voucher is malformed or does not match its allowance (`what` names the field).
    error VaultInvalidVoucher(bytes32 allowanceId, uint16 serial, string what);
    /// @notice This very voucher was redeemed already.
    error VaultAlreadyRedeemed(bytes32 allowanceId, uint16 serial, bytes32 voucherDigest);
    /// @notice The serial was claimed in bulk: a different voucher must prove a double spend with
    /// `redeemDoubleSpent` once the batch's dispute window is over.
    error VaultSerialClaimedInBulk(bytes32 allowanceId, uint16 serial);
    /// @notice A bulk claim asks for a serial already redeemed or claimed.
    error VaultSerialTaken(bytes32 allowanceId, uint16 serial);
    /// @notice `payee` was compensated for this serial already (one compensation per serial and payee).
    error VaultAlreadyCompensated(bytes32 allowanceId, uint16 serial, address payee);
    /// @notice `payee` is the serial's first payee, or the allowance's own wallet or device: no
    /// compensation is owed to it.
    error VaultNotCompensable(bytes32 allowanceId, uint16 serial, address payee);
    /// @notice The wallet did not consent to the certificate (the bank anchors only with its signature).
    error VaultBadWalletSignature(bytes32 allowanceId, address wallet);
    /// @notice The voucher is the one the serial was redeemed with: there is no double spend.
    error VaultNotADoubleSpend(bytes32 allowanceId, uint16 serial, bytes32 voucherDigest);
    /// @notice The bulk batch is empty or too large.
    error VaultInvalidBatch(string what);
    /// @notice No batch with this id.
    error VaultUnknownBatch(uint256 batchId);
    /// @notice The batch is not in the state the action needs.
    error VaultBatchNotPending(uint256 batchId, BatchStatus status);
    /// @notice The batch's dispute window is still open (settle) or closed (dispute).
    error VaultDisputeWindow(uint256 batchId, uint64 disputeEnd);
    /// @notice The claim data given does not hash to what the batch recorded.
    error VaultClaimsMismatch(uint256 batchId);
    /// @notice The claim was disputed already.
    error VaultClaimDisputed(uint256 batchId, uint256 claimIndex);
    /// @notice The bank's guarantee would fall below what its live allowances require.
    error VaultGuaranteeTooLow(address bank, uint256 guarantee, uint256 required);
    /// @notice The bank owes compensations: it must pay them before it anchors or withdraws.
    error VaultBankInDebt(address bank, uint128 debt);
    /// @notice Nothing is credited to the caller.
    error VaultNothingToClaim(address payee);
    /// @notice Amount zero, or more than the fund holds.
    error VaultInvalidAmount(uint256 amount);
    /// @notice Renouncing ownership would leave the vault without governance.
    error VaultOwnershipCannotBeRenounced();

    // ---------------------------------------------------------------- allowances
    /// @notice Anchor a bank-signed certificate: take `cap × count` from the wallet (which approved
    /// the vault) and lock it for the device. Sent by the wallet, or by its bank with the wallet's
    /// signature over the same id (`walletSignature`, ignored when the wallet sends). The bank must be
    /// an active MEMBER_BANK without debt whose guarantee covers its live allowances at the governed
    /// ratio, the wallet an open wallet of that bank, the device not frozen, the expiry in the future.
    /// @return allowanceId the certificate's EIP-712 digest
    function anchorAllowance(
        AllowanceCert calldata cert,
        bytes calldata bankSignature,
        bytes calldata walletSignature
    ) external returns (bytes32 allowanceId);

    /// @notice Return what is left of an allowance to its wallet (or to its bank if the wallet
    /// cannot receive it) after max(redeemUntil, the last bulk claim's dispute end). Anyone may call.
    function release(bytes32 allowanceId) external;

    // ---------------------------------------------------------------- one by one
    /// @notice Redeem one voucher of an anchored (or already seen unfunded) allowance, paying its
    /// payee. A serial already redeemed by another voucher makes this a proved double spend: the
    /// payee is paid from the bank's guarantee (or queued as its debt) and the device is frozen.
    function redeem(Voucher calldata voucher, bytes calldata deviceSignature) external;

    /// @notice Redeem a voucher of a certificate the bank signed but never anchored: the bank's
    /// signature makes it liable, so the payee is paid from its guarantee (or queued as its debt).
    function redeemUnfunded(
        AllowanceCert calldata cert,
        bytes calldata bankSignature,
        Voucher calldata voucher,
        bytes calldata deviceSignature
    ) external;

    /// @notice Prove a double spend against a serial claimed in a bulk batch whose dispute window is over: `evidence`
    /// opens the claim holding the serial; the voucher must differ from the claimed one. Pays the
    /// voucher's payee as `redeem` does.
    function redeemDoubleSpent(
        Voucher calldata voucher,
        bytes calldata deviceSignature,
        BulkEvidence calldata evidence
    ) external;

    // ---------------------------------------------------------------- bulk
    /// @notice Claim vouchers in bulk for the caller's customers (an active MEMBER_BANK; every
    /// payee an open wallet of the caller, or the caller itself). Signatures are not checked here:
    /// the issuing banks may dispute within the dispute window; then `settleBulk` pays the total.
    /// @return batchId the new batch
    function claimBulk(BulkClaim[] calldata claims) external returns (uint256 batchId);

    /// @notice The allowance's bank (or its wallet) refuses a claim within the dispute window: the
    /// claim's serials become free and its amount returns to the allowance; its vouchers must be
    /// redeemed one by one (their signatures checked).
    function disputeClaim(BulkEvidence calldata evidence) external;

    /// @notice Pay a batch's undisputed total to its bank after the dispute window. Anyone may call.
    function settleBulk(uint256 batchId) external;

    // ---------------------------------------------------------------- guarantee fund
    /// @notice Post `amount` to the caller's guarantee fund (an active MEMBER_BANK that approved the
    /// vault); queued compensations are then made claimable, in order, up to `maxPayments` of them.
    function postGuarantee(uint128 amount, uint256 maxPayments) external;

    /// @notice Withdraw from the caller's guarantee, keeping what its live allowances require; refused
    /// while it owes compensations.
    function withdrawGuarantee(uint128 amount) external;

    /// @notice Make up to `maxPayments` of `bank`'s queued compensations claimable from its
    /// guarantee, in queue order, as far as the guarantee goes. Anyone may call.
    function payDebts(address bank, uint256 maxPayments) external;

    /// @notice Take what compensations credited to the caller. Returns the amount paid.
    function claimCredit() external returns (uint128 amount);

    // ---------------------------------------------------------------- governance
    /// @notice Set the grace period after expiry for late redemptions (for allowances anchored from
    /// now on), the bulk dispute window and the guarantee a bank must hold against its live
    /// allowances (basis points). Owner only.
    function setParameters(uint64 grace, uint64 disputeWindow, uint16 guaranteeBps) external;

    /// @notice Move the redemption deadline of `allowanceIds` to `redeemUntil` (never earlier than
    /// it is): what governance does when a token pause kept payees from redeeming. Owner only; the
    /// caller bounds the loop (docs/offline.md gives its gas).
    function extendRedemption(bytes32[] calldata allowanceIds, uint64 redeemUntil) external;

    // ---------------------------------------------------------------- views
    /// @notice The allowance's stored state.
    function allowanceOf(bytes32 allowanceId) external view returns (Allowance memory);

    /// @notice A bank's guarantee, locked funds, debt and debt queue position.
    function bankBookOf(address bank) external view returns (BankBook memory);

    /// @notice A bulk batch.
    function batchOf(uint256 batchId) external view returns (Batch memory);

    /// @notice Number of bulk batches ever claimed (ids are 1…batchCount).
    function batchCount() external view returns (uint256);

    /// @notice Whether the device key is frozen.
    function isFrozen(address device) external view returns (bool);

    /// @notice Who a serial was paid to one by one, and the first 12 bytes of that voucher's digest
    /// (zero if unredeemed or claimed in bulk).
    function redemptionOf(
        bytes32 allowanceId,
        uint16 serial
    ) external view returns (address payee, bytes12 digestPrefix);

    /// @notice Whether `payee` was compensated for a double spend of this serial.
    function isCompensated(bytes32 allowanceId, uint16 serial, address payee) external view returns (bool);

    /// @notice Compensations credited to `payee` and not yet claimed.
    function creditOf(address payee) external view returns (uint128);

    /// @notice The `index`-th compensation ever queued against `bank`.
    function debtAt(address bank, uint64 index) external view returns (address payee, uint128 amount);

    /// @notice The guarantee `bank` must keep: its locked funds × guaranteeBps / 10,000.
    function requiredGuarantee(address bank) external view returns (uint256);

    /// @notice (grace, disputeWindow, guaranteeBps).
    function parameters() external view returns (uint64 grace, uint64 disputeWindow, uint16 guaranteeBps);

    /// @notice The token the vault holds.
    function token() external view returns (address);
}
