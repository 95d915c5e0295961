// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IVerifierRegistry — which Groth16 verifier checks which circuit, and spent nullifiers
/// @notice Governance registers each circuit of a ceremony: its verifier contract, the number of
/// public signals, the hash of its verification key and of the ceremony transcript, so an auditor
/// can tie every on-chain verification to committed artifacts. Contracts that act on proofs
/// (the netting engine, the escrow) ask the registry to verify; consumers authorized by governance
/// record nullifiers so one credential acts once per scope.
interface IVerifierRegistry {
    /// @notice A registered circuit.
    struct Circuit {
        address verifier; // the exported snarkjs Groth16 verifier
        bytes4 selector; // verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[publicInputs])
        uint8 publicInputs; // number of public signals
        bool retired; // no longer accepted (e.g. a new ceremony replaced it)
        bytes32 vkHash; // keccak256 of the verification key JSON (src/zk/vk.ts)
        bytes32 transcriptHash; // keccak256 of the ceremony transcript file
    }

    /// @notice A circuit (any version) was registered; `CircuitVersionRegistered` names the version.
    event CircuitRegistered(
        bytes32 indexed circuitId,
        address indexed verifier,
        uint8 publicInputs,
        bytes32 vkHash,
        bytes32 transcriptHash
    );
    /// @notice The current version of `circuitId` was retired.
    event CircuitRetired(bytes32 indexed circuitId);
    /// @notice `version` of `circuitId` was registered and is now its current version.
    event CircuitVersionRegistered(
        bytes32 indexed circuitId,
        uint32 indexed version,
        address indexed verifier,
        bytes32 vkHash
    );
    /// @notice `version` of `circuitId` was retired, for good.
    event CircuitVersionRetired(bytes32 indexed circuitId, uint32 indexed version);
    /// @notice Governance allowed or forbade `consumer` to spend nullifiers.
    event ConsumerSet(address indexed consumer, bool allowed);
    /// @notice `consumer` spent `nullifier` of `circuitId`.
    event NullifierSpent(bytes32 indexed circuitId, uint256 indexed nullifier, address indexed consumer);

    /// @notice No circuit registered under this id, or it was retired.
    error ZkUnknownCircuit(bytes32 circuitId);
    /// @notice The circuit's current version is live: replace it (`replaceCircuit`) or retire it first.
    error ZkCircuitExists(bytes32 circuitId);
    /// @notice No such version of the circuit was ever registered.
    error ZkUnknownCircuitVersion(bytes32 circuitId, uint32 version);
    /// @notice The verifier is not a contract, or the public input count is 0 or above 32.
    error ZkInvalidVerifier(address verifier, uint8 publicInputs);
    /// @notice The consumer address is not a contract.
    error ZkInvalidConsumer(address consumer);
    /// @notice The number of public signals does not match the circuit.
    error ZkWrongSignalCount(bytes32 circuitId, uint256 expected, uint256 given);
    /// @notice The proof does not verify for these public signals.
    error ZkInvalidProof(bytes32 circuitId);
    /// @notice The nullifier index is outside the public signals.
    error ZkInvalidNullifierIndex(bytes32 circuitId, uint256 index);
    /// @notice The nullifier was already used.
    error ZkNullifierSpent(bytes32 circuitId, uint256 nullifier);
    /// @notice The caller is not a consumer authorized by governance.
    error ZkNotConsumer(address caller);
    /// @notice Governance cannot renounce ownership of the registry.
    error ZkOwnershipCannotBeRenounced();

    /// @notice Register a circuit (governance): version 1 of a new name, or the next version of a name
    /// whose current version was retired. Refuses a name with a live version (`ZkCircuitExists`).
    /// @param circuitId the circuit's name as bytes32 (e.g. "kyc_membership")
    /// @param verifier the Groth16 verifier exported for it by the ceremony
    /// @param publicInputs the number of public signals
    /// @param vkHash keccak256 of its verification key JSON
    /// @param transcriptHash keccak256 of the ceremony transcript
    function registerCircuit(
        bytes32 circuitId,
        address verifier,
        uint8 publicInputs,
        bytes32 vkHash,
        bytes32 transcriptHash
    ) external;

    /// @notice In one call, retire the live current version of `circuitId` and register the next
    /// (governance): a fixed verifier replaces a broken one, consumers asking by name use it at once.
    /// @param circuitId a circuit with a live current version (else `ZkUnknownCircuit`)
    /// @param verifier the new version's Groth16 verifier
    /// @param publicInputs the number of public signals
    /// @param vkHash keccak256 of its verification key JSON
    /// @param transcriptHash keccak256 of the ceremony transcript
    function replaceCircuit(
        bytes32 circuitId,
        address verifier,
        uint8 publicInputs,
        bytes32 vkHash,
        bytes32 transcriptHash
    ) external;

    /// @notice Stop accepting proofs of a circuit's current version (governance). A retired version
    /// is never accepted again; `registerCircuit` may then add the next version of the name.
    /// @param circuitId the circuit to retire
    function retireCircuit(bytes32 circuitId) external;

    /// @notice Allow or forbid a contract to spend nullifiers (governance).
    /// @param consumer a contract that acts on proofs (e.g. ConditionalEscrow)
    /// @param allowed whether it may spend
    function setConsumer(address consumer, bool allowed) external;

    /// @notice Whether `proof` verifies for `publicSignals` under the circuit's verifier.
    /// @param circuitId a registered, active circuit
    /// @param proof a, b, c flattened as [a0, a1, b00, b01, b10, b11, c0, c1] in the verifier's order
    /// (as snarkjs `exportSolidityCallData` prints it)
    /// @param publicSignals the public signals in snarkjs order
    /// @return valid true if the proof verifies
    function verify(
        bytes32 circuitId,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals
    ) external view returns (bool valid);

    /// @notice Revert with `ZkInvalidProof` unless the proof verifies (see `verify`).
    /// @param circuitId a registered, active circuit
    /// @param proof the flattened proof
    /// @param publicSignals the public signals in snarkjs order
    function requireValid(bytes32 circuitId, uint256[8] calldata proof, uint256[] calldata publicSignals) external view;

    /// @notice Verify a proof and spend the nullifier `publicSignals[nullifierIndex]` (consumers only).
    /// @param circuitId a registered, active circuit
    /// @param proof the flattened proof
    /// @param publicSignals the public signals in snarkjs order
    /// @param nullifierIndex which public signal is the nullifier
    function verifyAndSpend(
        bytes32 circuitId,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals,
        uint256 nullifierIndex
    ) external;

    /// @notice The current version of the circuit (reverts `ZkUnknownCircuit` if none; returned even if retired).
    /// @param circuitId the circuit id
    /// @return circuit its registration
    function circuitOf(bytes32 circuitId) external view returns (Circuit memory circuit);

    /// @notice The current version of a circuit name (0 if never registered).
    /// @param circuitId the circuit's name
    /// @return version its current version (live or retired)
    function circuitVersion(bytes32 circuitId) external view returns (uint32 version);

    /// @notice A version of a circuit, live or retired (reverts `ZkUnknownCircuitVersion` if none).
    /// @param circuitId the circuit's name
    /// @param version 1 for the first registration, then one more per registration
    /// @return circuit that version's registration
    function circuitAt(bytes32 circuitId, uint32 version) external view returns (Circuit memory circuit);

    /// @notice Whether a nullifier of the circuit was spent (per name: spent under any version).
    /// @param circuitId the circuit id
    /// @param nullifier the nullifier
    /// @return spent true once spent
    function isSpent(bytes32 circuitId, uint256 nullifier) external view returns (bool spent);

    /// @notice Whether `account` may spend nullifiers.
    /// @param account any address
    /// @return allowed true for consumers set by governance
    function isConsumer(address account) external view returns (bool allowed);
}
