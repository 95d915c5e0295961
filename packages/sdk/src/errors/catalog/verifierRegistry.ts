/** Messages of the VerifierRegistry's errors (circuits, proofs, nullifiers, regulator keys). */
import type { Hex } from "viem";
import type { verifierRegistryAbi } from "@clearhouse/contracts";
import { circuitNameOf } from "../../zk/circuits";
import { short } from "../format";
import type { CatalogPart, OwnErrorName } from "./types";

/** A bytes32 circuit id as its name when it is text ("kyc_membership"), else short hex. */
export const circuitLabel = (id: Hex): string => {
  const text = circuitNameOf(id);
  return /^[\x20-\x7e]+$/.test(text) ? text : short(id);
};

/** The verifier registry's own errors. */
export const verifierRegistryErrors: CatalogPart<OwnErrorName<typeof verifierRegistryAbi>> = {
  ZkUnknownCircuit: ([id]) => ({
    message: `circuit ${circuitLabel(id)} is not registered in the VerifierRegistry, or was retired`,
    hint: "Check the circuit id; governance registers circuits after each ceremony (a retired version's successor with replaceCircuit or registerCircuit).",
  }),
  ZkCircuitExists: ([id]) => ({
    message: `circuit ${circuitLabel(id)} has a live version already`,
    hint: "Propose replaceCircuit to make the new verifier its next version in one step (consumers keep the name).",
  }),
  ZkUnknownCircuitVersion: ([id, version]) => ({
    message: `circuit ${circuitLabel(id)} has no version ${version}`,
    hint: "Read circuitVersion for the current version; versions count up from 1.",
  }),
  ZkInvalidVerifier: ([verifier, n]) => ({
    message: `${short(verifier)} is not a contract, or ${n} public inputs is not 1–32`,
    hint: "Deploy the verifier exported by the ceremony and pass its public signal count.",
  }),
  ZkInvalidConsumer: ([consumer]) => ({
    message: `${short(consumer)} is not a contract`,
    hint: "Only contracts that act on proofs (e.g. the escrow) may spend nullifiers.",
  }),
  ZkWrongSignalCount: ([id, expected, given]) => ({
    message: `circuit ${circuitLabel(id)} takes ${expected} public signals, not ${given}`,
    hint: "Pass the proof's public signals in snarkjs order.",
  }),
  ZkInvalidProof: ([id]) => ({
    message: `the ${circuitLabel(id)} proof does not verify for these public signals`,
    hint: "The proof was made for other inputs (another root, bank, totals or message), or was altered: prove again.",
  }),
  ZkInvalidNullifierIndex: ([id, index]) => ({
    message: `public signal ${index} does not exist for circuit ${circuitLabel(id)}`,
    hint: "Pass the index of the nullifier among the public signals.",
  }),
  ZkNullifierSpent: ([id, nullifier]) => ({
    message: `nullifier ${short(`0x${nullifier.toString(16)}`)} of ${circuitLabel(id)} was already used`,
    hint: "A credential acts once per scope: this proof (or another for the same scope) was already accepted.",
  }),
  ZkNotConsumer: ([caller]) => ({
    message: `${short(caller)} may not spend nullifiers`,
    hint: "Governance authorizes consumer contracts with setConsumer.",
  }),
  ZkRegulatorKeyInvalid: ([x, y, reason]) => ({
    message: `(${short(`0x${x.toString(16)}`)}, ${short(`0x${y.toString(16)}`)}) cannot be the regulator's key: ${reason}`,
    hint:
      reason === "unchanged"
        ? "It is the current key already: nothing to rotate."
        : "Pass a Baby Jubjub public key of the prime-order subgroup, e.g. mulPointEscalar(Base8, secret) of @zk-kit/baby-jubjub; a low-order key would let anyone decrypt.",
  }),
  ZkTraceThresholdUnchanged: ([threshold], f) => ({
    message: `the trace threshold is ${f.amount(threshold)} already`,
    hint: "Read getTracePolicy and propose a different threshold, or nothing.",
  }),
  ZkUnknownRegulatorEpoch: ([epoch]) => ({
    message: `no regulator key was set in epoch ${epoch}`,
    hint: "Epochs count up from 1 with each rotation; read getRegulatorKey for the current one.",
  }),
  ZkOwnershipCannotBeRenounced: () => ({
    message: "the VerifierRegistry cannot be left without an owner",
    hint: "Transfer ownership to a new governance contract instead.",
  }),
};
