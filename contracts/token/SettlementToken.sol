// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20PermitUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IConsortiumRegistry} from "../access/IConsortiumRegistry.sol";
import {Roles} from "../access/Roles.sol";
import {ISettlementToken} from "./ISettlementToken.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title SettlementToken — permissioned ERC-20 for central-bank money or tokenized deposits
/// @notice Amounts are integers in the currency's minor unit; `decimals` is the ISO 4217 exponent
/// (2 for EUR/USD/GBP), so 1 token unit = 1 cent and payment records need no conversion.
/// @dev Every balance change goes through `_update`, the one place the registry rules are enforced:
/// issue/redeem only to/from active MEMBER_BANKs; transfers only between holders (active,
/// unsanctioned members, or open customer wallets of active banks, see the registry's
/// `requireHolder`), within the sender's single-transfer limit and its daily outflow per UTC day,
/// and within the recipient's balance cap (a wallet's tier cap; members have none). Operators'
/// issuance is capped per UTC day by a ceiling governance sets; beyond it only governance mints.
/// @custom:security-contact security@clearhouse.example
contract SettlementToken is
    ISettlementToken,
    ERC20PermitUpgradeable,
    PausableUpgradeable,
    Ownable2StepUpgradeable,
    UUPSUpgradeable
{
    uint256 private constant SECONDS_PER_DAY = 86_400;

    uint256 private constant MAX_ISSUANCE_CEILING = type(uint128).max;

    struct DailyOutflow {
        uint64 day;
        uint192 spent;
    }

    /// @dev What was issued on UTC day `day` (operators and governance together).
    struct DailyIssuance {
        uint64 day;
        uint192 issued;
    }

    /// @custom:storage-location erc7201:clearhouse.storage.SettlementToken
    struct TokenStorage {
        IConsortiumRegistry registry;
        uint8 decimals;
        address guardian;
        mapping(address account => DailyOutflow) outflows;
        address clearingEngine; // appended: may call settleNet
        uint256 issuanceCeiling; // appended: operators' issuance per UTC day; 0 until governance sets it
        DailyIssuance issuance; // appended: the current UTC day's issuance
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.SettlementToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x423c7b5af415c1a282b2bf75c92773300a857b2951c08a44de62855b266aa100;

    function _s() private pure returns (TokenStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initialize the proxy.
    /// @param initialOwner the deployer, later the governance multisig
    /// @param registry_ the consortium registry to screen every move against
    /// @param name_ ERC-20 name (also the EIP-712 domain name of permits)
    /// @param symbol_ ERC-20 symbol
    /// @param decimals_ the currency's minor-unit exponent (ISO 4217), at most 18
    function initialize(
        address initialOwner,
        IConsortiumRegistry registry_,
        string calldata name_,
        string calldata symbol_,
        uint8 decimals_
    ) external initializer {
        if (initialOwner == address(0)) revert TokenZeroAddress();
        if (address(registry_).code.length == 0) revert TokenInvalidRegistry(address(registry_));
        if (decimals_ > 18) revert TokenInvalidDecimals(decimals_);
        __ERC20_init(name_, symbol_);
        __ERC20Permit_init(name_);
        __Pausable_init();
        __Ownable_init(initialOwner);
        TokenStorage storage $ = _s();
        $.registry = registry_;
        $.decimals = decimals_;
    }

    // ================================================================ issuance

    /// @inheritdoc ISettlementToken
    /// @dev The day's issuance, operators' and governance's together, may not exceed the ceiling.
    function mint(address bank, uint256 amount) external {
        _requireOperator();
        if (amount == 0) revert TokenZeroAmount();
        _countIssuance(amount, true);
        _mint(bank, amount);
        emit Issued(msg.sender, bank, amount);
    }

    /// @inheritdoc ISettlementToken
    /// @dev Counted in the day's issuance like any mint, so operators lose that day's headroom.
    function mintBeyondCeiling(address bank, uint256 amount) external onlyOwner {
        if (amount == 0) revert TokenZeroAmount();
        _countIssuance(amount, false);
        _mint(bank, amount);
        emit Issued(msg.sender, bank, amount);
    }

    /// @inheritdoc ISettlementToken
    function setIssuanceCeiling(uint256 ceiling) external onlyOwner {
        if (ceiling > MAX_ISSUANCE_CEILING) revert TokenInvalidIssuanceCeiling(ceiling, MAX_ISSUANCE_CEILING);
        TokenStorage storage $ = _s();
        emit IssuanceCeilingSet($.issuanceCeiling, ceiling);
        $.issuanceCeiling = ceiling;
    }

    /// @inheritdoc ISettlementToken
    /// @dev The bank consents by an allowance (or an EIP-2612 permit) to the operator.
    function burn(address bank, uint256 amount) external {
        _requireOperator();
        if (amount == 0) revert TokenZeroAmount();
        _spendAllowance(bank, msg.sender, amount);
        _burn(bank, amount);
        emit Redeemed(msg.sender, bank, amount);
    }

    // ================================================================ net settlement

    /// @inheritdoc ISettlementToken
    function settleNet(address[] calldata accounts, int256[] calldata deltas) external whenNotPaused {
        TokenStorage storage $ = _s();
        address engine = $.clearingEngine;
        if (msg.sender != engine || engine == address(0)) revert TokenNotClearingEngine(msg.sender);
        if (accounts.length != deltas.length) revert TokenSettlementLengthMismatch(accounts.length, deltas.length);
        IConsortiumRegistry reg = $.registry;
        (, uint128 engineSingle, uint128 engineDaily) = reg.requireActive(engine, 0);
        int256 sum;
        int256 engineDelta;
        // Debits first: the pool then holds everything the credits pay out.
        for (uint256 i; i < accounts.length; ++i) {
            int256 delta = deltas[i];
            sum += delta;
            address account = accounts[i];
            if (account == engine) {
                engineDelta += delta;
            } else if (delta < 0) {
                uint256 amount = uint256(-delta);
                (, uint128 maxSingle, uint128 maxDaily) = reg.requireActive(account, 0);
                _recordOutflow(account, amount, maxSingle, maxDaily);
                _spendAllowance(account, engine, amount);
                super._update(account, engine, amount);
            }
        }
        if (sum != 0) revert TokenSettlementUnbalanced(sum);
        // What the pool pays out beyond what came in (credit drawn) is the engine's own outflow.
        if (engineDelta < 0) _recordOutflow(engine, uint256(-engineDelta), engineSingle, engineDaily);
        for (uint256 i; i < accounts.length; ++i) {
            int256 delta = deltas[i];
            address account = accounts[i];
            if (delta <= 0 || account == engine) continue;
            reg.requireActive(account, 0);
            super._update(engine, account, uint256(delta));
        }
    }

    /// @inheritdoc ISettlementToken
    function setClearingEngine(address engine) external onlyOwner {
        _s().clearingEngine = engine;
        emit ClearingEngineSet(engine);
    }

    /// @inheritdoc ISettlementToken
    function clearingEngine() external view returns (address) {
        return _s().clearingEngine;
    }

    // ================================================================ pause

    /// @inheritdoc ISettlementToken
    function setGuardian(address guardian_) external onlyOwner {
        TokenStorage storage $ = _s();
        emit GuardianChanged($.guardian, guardian_);
        $.guardian = guardian_;
    }

    /// @inheritdoc ISettlementToken
    function pause() external {
        if (msg.sender != owner() && msg.sender != _s().guardian) revert TokenUnauthorizedPauser(msg.sender);
        _pause();
    }

    /// @inheritdoc ISettlementToken
    function unpause() external onlyOwner {
        _unpause();
    }

    // ================================================================ views

    /// @notice The currency's minor-unit exponent.
    function decimals() public view override returns (uint8) {
        return _s().decimals;
    }

    /// @inheritdoc ISettlementToken
    function registry() external view returns (IConsortiumRegistry) {
        return _s().registry;
    }

    /// @inheritdoc ISettlementToken
    function guardian() external view returns (address) {
        return _s().guardian;
    }

    /// @inheritdoc ISettlementToken
    function issuanceCeiling() external view returns (uint256) {
        return _s().issuanceCeiling;
    }

    /// @inheritdoc ISettlementToken
    function issuanceToday() external view returns (uint64 day, uint256 issued, uint256 ceiling) {
        TokenStorage storage $ = _s();
        day = _today();
        DailyIssuance storage i = $.issuance;
        issued = i.day == day ? i.issued : 0;
        ceiling = $.issuanceCeiling;
    }

    /// @inheritdoc ISettlementToken
    function outflowToday(address account) external view returns (uint64 day, uint256 spent) {
        day = _today();
        DailyOutflow storage o = _s().outflows[account];
        spent = o.day == day ? o.spent : 0;
    }

    /// @inheritdoc ISettlementToken
    function fundsOf(
        address owner,
        address spender
    ) external view returns (uint256 balance, uint256 allowance_, uint256 spentToday) {
        DailyOutflow storage o = _s().outflows[owner];
        return (balanceOf(owner), allowance(owner, spender), o.day == _today() ? o.spent : 0);
    }

    // ================================================================ rules

    /// @notice Transfer on behalf of `from`; the spender must be a holder too (an active,
    /// unsanctioned member or an open wallet of an active bank).
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (msg.sender != from) _s().registry.requireHolder(msg.sender);
        return super.transferFrom(from, to, value);
    }

    /// @dev Registry screening for every balance change. Issue and redeem: an active MEMBER_BANK.
    /// Transfer: sender and recipient are holders (`requireHolder`: members, or customer wallets
    /// within their tier), the sender within its single and daily limits, the recipient's balance
    /// afterwards within its cap.
    function _update(address from, address to, uint256 value) internal override whenNotPaused {
        IConsortiumRegistry reg = _s().registry;
        if (from == address(0)) {
            reg.requireActive(to, Roles.MEMBER_BANK);
        } else if (to == address(0)) {
            reg.requireActive(from, Roles.MEMBER_BANK);
        } else {
            (uint128 maxSingle, uint128 maxDaily, ) = reg.requireHolder(from);
            (, , uint128 maxBalance) = reg.requireHolder(to);
            _recordOutflow(from, value, maxSingle, maxDaily);
            // type(uint128).max is a member's "no cap"; a self-transfer leaves the balance as it is.
            if (maxBalance != type(uint128).max && from != to) {
                uint256 balance = balanceOf(to);
                if (balance + value > maxBalance) revert TokenBalanceCapExceeded(to, balance, value, maxBalance);
            }
        }
        super._update(from, to, value);
    }

    /// @dev An owner granting an allowance acts, so it is screened; revoking one (value 0) is not,
    /// so a suspended or sanctioned holder can still cut its exposure. Allowance spending is not
    /// screened here (the spender is screened in `transferFrom`, the operator in `burn`).
    function _approve(address owner_, address spender, uint256 value, bool emitEvent) internal override {
        if (emitEvent && value != 0) _s().registry.requireHolder(owner_);
        super._approve(owner_, spender, value, emitEvent);
    }

    function _recordOutflow(address from, uint256 value, uint128 maxSingle, uint128 maxDaily) private {
        if (value > maxSingle) revert TokenSingleTransferLimitExceeded(from, value, maxSingle);
        uint64 day = _today();
        DailyOutflow storage o = _s().outflows[from];
        uint256 spentToday = o.day == day ? o.spent : 0;
        uint256 spent = spentToday + value;
        if (spent > maxDaily) revert TokenDailyOutflowLimitExceeded(from, day, spentToday, value, maxDaily);
        // spent <= maxDaily < 2**128, so the cast is lossless.
        o.day = day;
        o.spent = uint192(spent);
        emit Outflow(from, day, value, spent);
    }

    /// @dev Add `amount` to the UTC day's issuance; with `capped`, refuse going above the ceiling.
    function _countIssuance(uint256 amount, bool capped) private {
        TokenStorage storage $ = _s();
        uint64 day = _today();
        DailyIssuance storage i = $.issuance;
        uint256 issuedToday = i.day == day ? i.issued : 0;
        uint256 issued = issuedToday + amount;
        if (capped) {
            uint256 ceiling = $.issuanceCeiling;
            if (issued > ceiling) revert TokenIssuanceCeilingExceeded(day, issuedToday, amount, ceiling);
        }
        // Capped: issued <= ceiling < 2**128. Uncapped (governance): a day's total above 2**192
        // is refused here rather than wrapped.
        i.day = day;
        i.issued = SafeCast.toUint192(issued);
        emit IssuanceCounted(day, amount, issued);
    }

    function _requireOperator() private view {
        _s().registry.requireActive(msg.sender, Roles.OPERATOR);
    }

    function _today() private view returns (uint64) {
        return uint64(block.timestamp / SECONDS_PER_DAY);
    }

    /// @notice Disabled: the token must always have an owner (governance) who can unpause and upgrade.
    function renounceOwnership() public view override onlyOwner {
        revert TokenOwnershipCannotBeRenounced();
    }

    /// @dev Only governance upgrades the token.
    function _authorizeUpgrade(address) internal override onlyOwner {}
}
