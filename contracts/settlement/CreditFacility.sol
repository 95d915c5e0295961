// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Roles} from "../access/Roles.sol";
import {INettingEngine} from "./INettingEngine.sol";
import {NettingStorage} from "./NettingStorage.sol";

/// @title CreditFacility — the operator's credit pool and the banks' intraday credit lines
/// @notice Invariant: the pool always covers every bank's unused credit, so any set of draws at a
/// cycle's close is funded.
abstract contract CreditFacility is NettingStorage, PausableUpgradeable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc INettingEngine
    function setCreditLine(address bank, uint128 limit) external whenNotPaused {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        // Raising a line needs an active bank; lowering (e.g. cutting a suspended bank's line to
        // zero so its reserve stops blocking the pool) is always possible.
        if (limit > $.credit[bank].limit) $.registry.requireMember(bank, Roles.MEMBER_BANK);
        uint256 before = _unused(bank);
        $.credit[bank].limit = limit;
        $.unusedCredit = $.unusedCredit - before + _unused(bank);
        _requireCovered();
        emit CreditLineSet(bank, limit);
    }

    /// @inheritdoc INettingEngine
    function fundCreditPool(uint256 amount) external whenNotPaused nonReentrant {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        if (amount == 0) revert NettingZeroAmount();
        $.pool += amount;
        $.token.safeTransferFrom(msg.sender, address(this), amount);
        emit CreditPoolChanged(msg.sender, int256(amount), $.pool);
    }

    /// @inheritdoc INettingEngine
    function withdrawCreditPool(uint256 amount) external whenNotPaused nonReentrant {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.OPERATOR);
        if (amount == 0) revert NettingZeroAmount();
        if (amount > $.pool) revert NettingPoolTooSmall($.pool, amount);
        $.pool -= amount;
        _requireCovered();
        $.token.safeTransfer(msg.sender, amount);
        emit CreditPoolChanged(msg.sender, -int256(amount), $.pool);
    }

    /// @inheritdoc INettingEngine
    function repayCredit(uint256 amount) external whenNotPaused nonReentrant {
        EngineStorage storage $ = _s();
        $.registry.requireMember(msg.sender, Roles.MEMBER_BANK);
        CreditLine storage line = $.credit[msg.sender];
        if (amount == 0) revert NettingZeroAmount();
        if (amount > line.used) revert NettingRepayTooMuch(msg.sender, amount, line.used);
        uint256 before = _unused(msg.sender);
        line.used -= uint128(amount);
        $.unusedCredit = $.unusedCredit - before + _unused(msg.sender);
        $.pool += amount;
        $.token.safeTransferFrom(msg.sender, address(this), amount);
        emit CreditRepaid(msg.sender, amount, line.used);
    }

    function _draw(address bank, uint256 amount) internal {
        EngineStorage storage $ = _s();
        CreditLine storage line = $.credit[bank];
        line.used += uint128(amount);
        $.unusedCredit -= amount;
        $.pool -= amount;
    }

    function _unused(address bank) internal view returns (uint256) {
        CreditLine storage line = _s().credit[bank];
        return line.limit > line.used ? line.limit - line.used : 0;
    }

    function _requireCovered() internal view {
        EngineStorage storage $ = _s();
        if ($.pool < $.unusedCredit) revert NettingCreditUncovered($.pool, $.unusedCredit);
    }

    /// @inheritdoc INettingEngine
    function creditOf(address bank) external view returns (CreditLine memory) {
        return _s().credit[bank];
    }

    /// @inheritdoc INettingEngine
    function creditPool() external view returns (uint256 pool, uint256 unusedCredit) {
        return (_s().pool, _s().unusedCredit);
    }
}
