// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2Step, Ownable} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IConsortiumRegistry} from "./IConsortiumRegistry.sol";
import {NodeIds} from "./NodeIds.sol";

/// @title ValidatorSet — QBFT validators selected by contract, from the registry's VALIDATOR nodes
/// @notice Besu's contract validator selection (`validatorselectionmode: contract`) calls
/// `getValidators()` at every block to learn the validator set. This contract answers with the
/// addresses of the nodes governance added here, each of which must be an allowed VALIDATOR node
/// of the ConsortiumRegistry (the one source of truth): a node the registry no longer allows as a
/// validator can be pruned by anyone. A validator's address is that of its node key: the last 20
/// bytes of keccak256 of the 64-byte public key its enode id spells.
/// @dev Not upgradeable: Besu reads the contract at a fixed address from a transition block on; a
/// new version is a new contract and a new QBFT transition. `getValidators()` reads at most
/// `MAX_VALIDATORS` (64) storage slots: 169,603 gas as a transaction at 64 validators (tested), far under what
/// Besu allows a view call.
/// @custom:security-contact security@clearhouse.example
contract ValidatorSet is Ownable2Step {
    /// @notice Most validators the set holds (QBFT rounds grow with the set; 64 is far beyond a consortium's needs).
    uint256 public constant MAX_VALIDATORS = 64;

    /// @notice The node a validator runs on, as the registry allows it.
    struct ValidatorNode {
        string enodeId;
        string ip;
        uint16 port;
    }

    /// @notice The registry whose VALIDATOR nodes this set mirrors.
    IConsortiumRegistry public immutable registry;

    address[] private _validators;
    mapping(address validator => uint256 indexPlusOne) private _index;
    mapping(address validator => ValidatorNode) private _nodes;

    /// @notice `validator` (the address of node `enodeId`) joined the set.
    event ValidatorAdded(address indexed validator, string enodeId, string ip, uint16 port);
    /// @notice `validator` left the set: by governance (`pruned` false) or because the registry no
    /// longer allows its node as a validator (`pruned` true, by anyone).
    event ValidatorRemoved(address indexed validator, bool pruned);

    /// @notice The registry address is zero.
    error ValidatorSetZeroRegistry();
    /// @notice The registry does not allow (`enodeId`, `ip`, `port`) as a VALIDATOR node.
    error ValidatorNodeNotAllowed(string enodeId, string ip, uint16 port);
    /// @notice `validator` is already in the set.
    error ValidatorAlreadyInSet(address validator);
    /// @notice `validator` is not in the set.
    error ValidatorNotInSet(address validator);
    /// @notice The set holds `MAX_VALIDATORS` already.
    error ValidatorSetFull(uint256 max);
    /// @notice Removing the last validator would leave QBFT no one to produce blocks.
    error ValidatorSetWouldBeEmpty();
    /// @notice The registry still allows `validator`'s node as a VALIDATOR: only governance may remove it.
    error ValidatorStillAllowed(address validator);

    /// @param registry_ The ConsortiumRegistry (its proxy).
    /// @param owner_ Governance: the multisig that adds and removes validators.
    constructor(IConsortiumRegistry registry_, address owner_) Ownable(owner_) {
        if (address(registry_) == address(0)) revert ValidatorSetZeroRegistry();
        registry = registry_;
    }

    /// @notice Add the validator running node (`enodeId`, `ip`, `port`), which the registry must allow
    /// as a VALIDATOR node. Besu uses the new set from the next block on.
    /// @param enodeId The node's id: 128 hex characters (its public key), as in the registry.
    /// @param ip The node's host, as in the registry.
    /// @param port The node's P2P port, as in the registry.
    /// @return validator The validator's address (its node key's).
    function addValidator(
        string calldata enodeId,
        string calldata ip,
        uint16 port
    ) external onlyOwner returns (address validator) {
        if (!_allowedAsValidator(enodeId, ip, port)) revert ValidatorNodeNotAllowed(enodeId, ip, port);
        validator = addressOfEnode(enodeId);
        if (_index[validator] != 0) revert ValidatorAlreadyInSet(validator);
        if (_validators.length >= MAX_VALIDATORS) revert ValidatorSetFull(MAX_VALIDATORS);
        _validators.push(validator);
        _index[validator] = _validators.length;
        _nodes[validator] = ValidatorNode(enodeId, ip, port);
        emit ValidatorAdded(validator, enodeId, ip, port);
    }

    /// @notice Remove `validator` from the set (governance). The last validator cannot be removed.
    /// @param validator The validator's address.
    function removeValidator(address validator) external onlyOwner {
        _remove(validator, false);
    }

    /// @notice Remove `validator` because the registry no longer allows its node as a VALIDATOR
    /// (removed, or made a member node). Anyone may call it; it reverts while the node is allowed.
    /// @param validator The validator's address.
    function prune(address validator) external {
        if (_index[validator] == 0) revert ValidatorNotInSet(validator);
        ValidatorNode storage node = _nodes[validator];
        if (_allowedAsValidator(node.enodeId, node.ip, node.port)) revert ValidatorStillAllowed(validator);
        _remove(validator, true);
    }

    /// @notice The validators, in the order they were added (a removal moves the last one into the gap).
    /// @return The validators' addresses (what Besu's contract validator selection reads).
    function getValidators() external view returns (address[] memory) {
        return _validators;
    }

    /// @notice The node `validator` runs on, as added.
    /// @param validator The validator's address.
    /// @return The node (empty strings and port 0 when `validator` is not in the set).
    function nodeOf(address validator) external view returns (ValidatorNode memory) {
        return _nodes[validator];
    }

    /// @notice Whether `validator` is in the set.
    /// @param validator The address to look up.
    /// @return True when in the set.
    function isValidator(address validator) external view returns (bool) {
        return _index[validator] != 0;
    }

    /// @notice The address of the node whose enode id is `enodeId` (128 hex characters, any case):
    /// the last 20 bytes of keccak256 of the 64 bytes they spell. Reverts with
    /// `ValidatorNodeNotAllowed` on a malformed id.
    /// @param enodeId The node's id.
    /// @return The node key's address (the validator address Besu uses).
    function addressOfEnode(string calldata enodeId) public pure returns (address) {
        if (!NodeIds.isValidEnodeId(enodeId)) revert ValidatorNodeNotAllowed(enodeId, "", 0);
        bytes calldata hexChars = bytes(enodeId);
        bytes memory key = new bytes(64);
        for (uint256 i; i < 64; ++i) {
            key[i] = bytes1((_nibble(hexChars[2 * i]) << 4) | _nibble(hexChars[2 * i + 1]));
        }
        return address(uint160(uint256(keccak256(key))));
    }

    function _remove(address validator, bool pruned) private {
        uint256 indexPlusOne = _index[validator];
        if (indexPlusOne == 0) revert ValidatorNotInSet(validator);
        if (_validators.length == 1) revert ValidatorSetWouldBeEmpty();
        address last = _validators[_validators.length - 1];
        _validators[indexPlusOne - 1] = last;
        _index[last] = indexPlusOne;
        _validators.pop();
        delete _index[validator];
        delete _nodes[validator];
        emit ValidatorRemoved(validator, pruned);
    }

    function _allowedAsValidator(string memory enodeId, string memory ip, uint16 port) private view returns (bool) {
        (bool allowed, IConsortiumRegistry.NodeKind kind) = registry.nodeOf(enodeId, ip, port);
        return allowed && kind == IConsortiumRegistry.NodeKind.Validator;
    }

    function _nibble(bytes1 c) private pure returns (uint8) {
        uint8 v = uint8(c);
        if (v >= 48 && v <= 57) return v - 48; // 0-9
        if (v >= 97 && v <= 102) return v - 87; // a-f
        return v - 55; // A-F (isValidEnodeId checked the id)
    }
}
