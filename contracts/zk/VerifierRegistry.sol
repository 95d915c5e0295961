// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IVerifierRegistry} from "./IVerifierRegistry.sol";

/// @title VerifierRegistry — circuit id → Groth16 verifier, verification-key and transcript hashes;
/// the nullifier store
/// @notice Verifiers exported by snarkjs take the public signals as a fixed-size array, so their
/// selector depends on the count; the registry computes it at registration and forwards the proof
/// and signals in the verifier's calldata layout.
/// @dev UUPS proxy owned by governance; ERC-7201 storage.
/// @custom:security-contact security@clearhouse.example
contract VerifierRegistry is IVerifierRegistry, Ownable2StepUpgradeable, UUPSUpgradeable {
    uint8 private constant MAX_PUBLIC_INPUTS = 32;

    /// @custom:storage-location erc7201:clearhouse.storage.VerifierRegistry
    struct RegistryStorage {
        mapping(bytes32 circuitId => Circuit) circuits;
        mapping(bytes32 circuitId => mapping(uint256 nullifier => bool)) spent;
        mapping(address consumer => bool) consumers;
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.VerifierRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x2d1d4484590dcab916e72c83e3b0721adca87de3d67aa072f902763954046600;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initialize the proxy.
    /// @param initialOwner governance (the multisig), or the deployer until handover
    function initialize(address initialOwner) external initializer {
        __Ownable_init(initialOwner);
    }

    /// @inheritdoc IVerifierRegistry
    function registerCircuit(
        bytes32 circuitId,
        address verifier,
        uint8 publicInputs,
        bytes32 vkHash,
        bytes32 transcriptHash
    ) external onlyOwner {
        RegistryStorage storage $ = _s();
        if ($.circuits[circuitId].verifier != address(0)) revert ZkCircuitExists(circuitId);
        if (verifier.code.length == 0 || publicInputs == 0 || publicInputs > MAX_PUBLIC_INPUTS) {
            revert ZkInvalidVerifier(verifier, publicInputs);
        }
        bytes4 selector = bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[",
                    Strings.toString(publicInputs),
                    "])"
                )
            )
        );
        $.circuits[circuitId] = Circuit({
            verifier: verifier,
            selector: selector,
            publicInputs: publicInputs,
            retired: false,
            vkHash: vkHash,
            transcriptHash: transcriptHash
        });
        emit CircuitRegistered(circuitId, verifier, publicInputs, vkHash, transcriptHash);
    }

    /// @inheritdoc IVerifierRegistry
    function retireCircuit(bytes32 circuitId) external onlyOwner {
        Circuit storage c = _active(circuitId);
        c.retired = true;
        emit CircuitRetired(circuitId);
    }

    /// @inheritdoc IVerifierRegistry
    function setConsumer(address consumer, bool allowed) external onlyOwner {
        if (allowed && consumer.code.length == 0) revert ZkInvalidConsumer(consumer);
        _s().consumers[consumer] = allowed;
        emit ConsumerSet(consumer, allowed);
    }

    /// @inheritdoc IVerifierRegistry
    function verify(
        bytes32 circuitId,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals
    ) external view returns (bool valid) {
        return _verify(circuitId, proof, publicSignals);
    }

    /// @inheritdoc IVerifierRegistry
    function requireValid(
        bytes32 circuitId,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals
    ) external view {
        if (!_verify(circuitId, proof, publicSignals)) revert ZkInvalidProof(circuitId);
    }

    /// @inheritdoc IVerifierRegistry
    function verifyAndSpend(
        bytes32 circuitId,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals,
        uint256 nullifierIndex
    ) external {
        RegistryStorage storage $ = _s();
        if (!$.consumers[msg.sender]) revert ZkNotConsumer(msg.sender);
        if (nullifierIndex >= publicSignals.length) revert ZkInvalidNullifierIndex(circuitId, nullifierIndex);
        uint256 nullifier = publicSignals[nullifierIndex];
        if ($.spent[circuitId][nullifier]) revert ZkNullifierSpent(circuitId, nullifier);
        if (!_verify(circuitId, proof, publicSignals)) revert ZkInvalidProof(circuitId);
        $.spent[circuitId][nullifier] = true;
        emit NullifierSpent(circuitId, nullifier, msg.sender);
    }

    /// @inheritdoc IVerifierRegistry
    function circuitOf(bytes32 circuitId) external view returns (Circuit memory circuit) {
        circuit = _s().circuits[circuitId];
        if (circuit.verifier == address(0)) revert ZkUnknownCircuit(circuitId);
    }

    /// @inheritdoc IVerifierRegistry
    function isSpent(bytes32 circuitId, uint256 nullifier) external view returns (bool spent) {
        return _s().spent[circuitId][nullifier];
    }

    /// @inheritdoc IVerifierRegistry
    function isConsumer(address account) external view returns (bool allowed) {
        return _s().consumers[account];
    }

    function _verify(
        bytes32 circuitId,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals
    ) private view returns (bool) {
        Circuit storage c = _active(circuitId);
        uint256 n = c.publicInputs;
        if (publicSignals.length != n) revert ZkWrongSignalCount(circuitId, n, publicSignals.length);
        // Fixed-size arrays are laid out inline: selector, 8 proof words, n signal words.
        (bool ok, bytes memory ret) = c.verifier.staticcall(abi.encodePacked(c.selector, proof, publicSignals));
        return ok && ret.length == 32 && abi.decode(ret, (bool));
    }

    function _active(bytes32 circuitId) private view returns (Circuit storage c) {
        c = _s().circuits[circuitId];
        if (c.verifier == address(0) || c.retired) revert ZkUnknownCircuit(circuitId);
    }

    function _s() private pure returns (RegistryStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev Only governance upgrades the registry.
    function _authorizeUpgrade(address) internal override onlyOwner {}

    /// @notice Disabled: the registry always has an owner (governance).
    function renounceOwnership() public view override onlyOwner {
        revert ZkOwnershipCannotBeRenounced();
    }
}
