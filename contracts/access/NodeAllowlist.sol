// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {IConsortiumRegistry} from "./IConsortiumRegistry.sol";
import {NodeIds} from "./NodeIds.sol";
import {RegistryStore} from "./RegistryStore.sol";

/// @title NodeAllowlist — the registry's allowlist of nodes (Besu node permissioning)
/// @notice Governance allows and removes nodes by enode id, host and port; Besu asks
/// `connectionAllowed` before it connects to a peer.
abstract contract NodeAllowlist is RegistryStore, Ownable2StepUpgradeable {
    // ================================================================ nodes

    /// @inheritdoc IConsortiumRegistry
    /// @dev The enode id is 128 hex characters without `0x` (as Besu passes it); it and the host
    /// are compared case-insensitively.
    function allowNode(string calldata enodeId, string calldata ip, uint16 port, NodeKind kind) external onlyOwner {
        bytes32 key = _requireNodeKey(enodeId, ip, port);
        RegistryStorage storage $ = _s();
        if ($.nodes[key].allowed) revert RegistryNodeExists(key);
        $.nodes[key] = NodeEntry({allowed: true, kind: kind});
        $.nodeCount += 1;
        emit NodeAllowed(key, enodeId, ip, port, kind);
    }

    /// @inheritdoc IConsortiumRegistry
    function removeNode(string calldata enodeId, string calldata ip, uint16 port) external onlyOwner {
        bytes32 key = _requireNodeKey(enodeId, ip, port);
        RegistryStorage storage $ = _s();
        if (!$.nodes[key].allowed) revert RegistryUnknownNode(key);
        delete $.nodes[key];
        $.nodeCount -= 1;
        emit NodeRemoved(key, enodeId, ip, port);
    }

    /// @inheritdoc IConsortiumRegistry
    function nodeOf(string calldata enodeId, string calldata ip, uint16 port) external view returns (bool, NodeKind) {
        (bool valid, bytes32 key) = NodeIds.key(enodeId, ip, port);
        if (!valid) return (false, NodeKind.Validator);
        NodeEntry storage n = _s().nodes[key];
        return (n.allowed, n.kind);
    }

    /// @inheritdoc IConsortiumRegistry
    function nodeCount() external view returns (uint256) {
        return _s().nodeCount;
    }

    /// @inheritdoc IConsortiumRegistry
    function connectionAllowed(string calldata enodeId, string calldata ip, uint16 port) external view returns (bool) {
        (bool valid, bytes32 key) = NodeIds.key(enodeId, ip, port);
        return valid && _s().nodes[key].allowed;
    }

    function _requireNodeKey(string calldata enodeId, string calldata ip, uint16 port) private pure returns (bytes32) {
        if (!NodeIds.isValidEnodeId(enodeId)) revert RegistryInvalidEnodeId(enodeId);
        (bool valid, bytes32 key) = NodeIds.key(enodeId, ip, port);
        if (!valid) revert RegistryInvalidNodeAddress(ip, port);
        return key;
    }
}
