// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IVerifierRegistry} from "./IVerifierRegistry.sol";
import {Groth16Call} from "./Groth16Call.sol";
import {RegulatorKeys} from "./RegulatorKeys.sol";

/// @title VerifierRegistry — circuit name → current version → Groth16 verifier, verification-key and
/// transcript hashes; the nullifier store
/// @notice Verifiers exported by snarkjs take the public signals as a fixed-size array, so their
/// selector depends on the count; the registry computes it at registration and forwards the proof
/// and signals in the verifier's calldata layout. Consumers ask by circuit name; governance replaces a
/// broken verifier with a new version of the name (`replaceCircuit`), so no consumer is upgraded.
/// Retired versions stay retired; nullifiers are kept per name, across versions. It also holds the
/// regulator's encryption key per epoch and the trace threshold (`RegulatorKeys`, decision 040).
/// @dev UUPS proxy owned by governance; ERC-7201 storage (RegulatorKeys in its own namespace).
/// @custom:security-contact security@clearhouse.example
contract VerifierRegistry is IVerifierRegistry, RegulatorKeys, Ownable2StepUpgradeable, UUPSUpgradeable {
    uint8 private constant MAX_PUBLIC_INPUTS = 32;

    /// @custom:storage-location erc7201:clearhouse.storage.VerifierRegistry
    struct RegistryStorage {
        mapping(bytes32 circuitId => Circuit) circuits;
        mapping(bytes32 circuitId => mapping(uint256 nullifier => bool)) spent;
        mapping(address consumer => bool) consumers;
        /// @dev appended: the current version of each circuit name; 0 with a record in `circuits`
        /// means a circuit registered before versions existed, read as version 1
        mapping(bytes32 circuitId => uint32) currentVersion;
        /// @dev appended: every version ever registered (a legacy version 1 is copied on its first replacement)
        mapping(bytes32 circuitId => mapping(uint32 version => Circuit)) versions;
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
    /// @dev A name never used gets version 1; a name whose current version is retired gets the next.
    function registerCircuit(
        bytes32 circuitId,
        address verifier,
        uint8 publicInputs,
        bytes32 vkHash,
        bytes32 transcriptHash
    ) external onlyOwner {
        Circuit storage current = _s().circuits[circuitId];
        if (current.verifier != address(0) && !current.retired) revert ZkCircuitExists(circuitId);
        _register(circuitId, verifier, publicInputs, vkHash, transcriptHash);
    }

    /// @inheritdoc IVerifierRegistry
    function replaceCircuit(
        bytes32 circuitId,
        address verifier,
        uint8 publicInputs,
        bytes32 vkHash,
        bytes32 transcriptHash
    ) external onlyOwner {
        _retire(circuitId);
        _register(circuitId, verifier, publicInputs, vkHash, transcriptHash);
    }

    /// @inheritdoc IVerifierRegistry
    function retireCircuit(bytes32 circuitId) external onlyOwner {
        _retire(circuitId);
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
    function circuitVersion(bytes32 circuitId) external view returns (uint32 version) {
        return _versionOf(circuitId);
    }

    /// @inheritdoc IVerifierRegistry
    function circuitAt(bytes32 circuitId, uint32 version) external view returns (Circuit memory circuit) {
        RegistryStorage storage $ = _s();
        uint32 current = _versionOf(circuitId);
        // A legacy version 1 lives only in `circuits` until its first replacement copies it.
        if (version == 1 && current == 1 && $.currentVersion[circuitId] == 0) circuit = $.circuits[circuitId];
        else circuit = $.versions[circuitId][version];
        if (circuit.verifier == address(0)) revert ZkUnknownCircuitVersion(circuitId, version);
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
        return Groth16Call.verify(c.verifier, c.selector, proof, publicSignals);
    }

    /// @dev Record `verifier` as the next version of `circuitId` and make it current. The caller
    /// has made sure no live version exists.
    function _register(
        bytes32 circuitId,
        address verifier,
        uint8 publicInputs,
        bytes32 vkHash,
        bytes32 transcriptHash
    ) private {
        if (verifier.code.length == 0 || publicInputs == 0 || publicInputs > MAX_PUBLIC_INPUTS) {
            revert ZkInvalidVerifier(verifier, publicInputs);
        }
        RegistryStorage storage $ = _s();
        uint32 previous = _versionOf(circuitId);
        // Keep a legacy version 1 readable by version before `circuits` is overwritten.
        if (previous == 1 && $.currentVersion[circuitId] == 0) $.versions[circuitId][1] = $.circuits[circuitId];
        uint32 version = previous + 1;
        bytes4 selector = bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[",
                    Strings.toString(publicInputs),
                    "])"
                )
            )
        );
        Circuit memory c = Circuit({
            verifier: verifier,
            selector: selector,
            publicInputs: publicInputs,
            retired: false,
            vkHash: vkHash,
            transcriptHash: transcriptHash
        });
        $.circuits[circuitId] = c;
        $.versions[circuitId][version] = c;
        $.currentVersion[circuitId] = version;
        emit CircuitRegistered(circuitId, verifier, publicInputs, vkHash, transcriptHash);
        emit CircuitVersionRegistered(circuitId, version, verifier, vkHash);
    }

    /// @dev Retire the live current version of `circuitId` (ZkUnknownCircuit if none).
    function _retire(bytes32 circuitId) private {
        Circuit storage c = _active(circuitId);
        c.retired = true;
        RegistryStorage storage $ = _s();
        uint32 version = _versionOf(circuitId);
        // A legacy version 1 has no copy yet: `circuits` holds it, and _register copies it.
        if ($.currentVersion[circuitId] != 0) $.versions[circuitId][version].retired = true;
        emit CircuitRetired(circuitId);
        emit CircuitVersionRetired(circuitId, version);
    }

    /// @dev The current version: the stored one, else 1 for a circuit registered before versions.
    function _versionOf(bytes32 circuitId) private view returns (uint32) {
        RegistryStorage storage $ = _s();
        uint32 v = $.currentVersion[circuitId];
        if (v == 0 && $.circuits[circuitId].verifier != address(0)) return 1;
        return v;
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

    /// @dev Only governance rotates the regulator key and sets the trace threshold.
    function _authorizeRegulatorKeys() internal view override onlyOwner {}

    /// @dev Only governance upgrades the registry.
    function _authorizeUpgrade(address) internal override onlyOwner {}

    /// @notice Disabled: the registry always has an owner (governance).
    function renounceOwnership() public view override onlyOwner {
        revert ZkOwnershipCannotBeRenounced();
    }
}
