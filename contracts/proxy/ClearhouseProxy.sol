// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Only an import: it makes Hardhat compile OpenZeppelin's ERC1967Proxy and emit its artifact, which
// @clearhouse/contracts ships so `deployConsortium` can put every UUPS implementation behind a proxy
// with viem alone (docs/decisions/025-deploy-with-viem.md).
// solhint-disable-next-line no-unused-import
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
// The same for the beacon member accounts follow (MemberAccountFactory, decision 045).
// solhint-disable-next-line no-unused-import
import {UpgradeableBeacon} from "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol";
