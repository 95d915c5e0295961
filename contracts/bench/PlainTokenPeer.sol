// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title PlainTokenPeer — an unpermissioned OpenZeppelin ERC-20, benchmark peer only
contract PlainTokenPeer is ERC20 {
    constructor() ERC20("Plain", "PLN") {}

    /// @notice Anyone mints (benchmark only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
