// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title PlainEscrowPeer — the simplest ERC-20 escrow (deposit, payer releases), benchmark peer only
/// @notice What a user would write without conditions, attestations, proofs, disputes or a registry.
contract PlainEscrowPeer {
    using SafeERC20 for IERC20;

    struct Deposit {
        address payer;
        address payee;
        IERC20 token;
        uint96 amount;
    }

    mapping(uint256 => Deposit) public deposits;
    uint256 public count;

    event Deposited(uint256 indexed id, address indexed payer, address indexed payee, uint256 amount);
    event Released(uint256 indexed id);

    error NotPayer();

    /// @notice Lock `amount` for `payee`.
    function deposit(IERC20 token, address payee, uint96 amount) external returns (uint256 id) {
        id = ++count;
        deposits[id] = Deposit(msg.sender, payee, token, amount);
        emit Deposited(id, msg.sender, payee, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice The payer releases the deposit to the payee.
    function release(uint256 id) external {
        Deposit memory d = deposits[id];
        if (msg.sender != d.payer) revert NotPayer();
        delete deposits[id];
        emit Released(id);
        d.token.safeTransfer(d.payee, d.amount);
    }
}
