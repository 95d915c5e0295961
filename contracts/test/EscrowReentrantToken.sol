// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title EscrowReentrantToken — test-only ERC-20 whose every transfer calls back into a target
/// @notice Anyone may mint. Once armed, each transfer (not a mint) calls `target` with `data` after
/// moving the balance, bubbling up the callback's revert data verbatim: a token that re-enters the
/// escrow from inside `safeTransfer` / `safeTransferFrom`.
contract EscrowReentrantToken is ERC20 {
    /// @notice Where transfers call back to (zero: they do not).
    address public reentryTarget;
    /// @notice The calldata of the call back.
    bytes public reentryData;

    /// @notice A call back succeeded and returned `result`.
    event Reentered(address indexed target, bytes result);

    constructor() ERC20("Reentrant Token", "REENT") {}

    /// @notice Mint `amount` to `to` (anyone; test token).
    /// @param to the recipient
    /// @param amount the amount
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Make every transfer call `target` with `data` (a zero `target` disarms).
    /// @param target the contract to call back
    /// @param data the calldata of the call back
    function arm(address target, bytes calldata data) external {
        reentryTarget = target;
        reentryData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = reentryTarget;
        if (from != address(0) && target != address(0)) {
            bytes memory result = Address.functionCall(target, reentryData);
            emit Reentered(target, result);
        }
    }
}
