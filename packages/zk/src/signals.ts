/** Circuit inputs as snarkjs takes them (input.json): decimal strings, nested in arrays. */
export type SignalValue = string | SignalValue[];
export type CircuitInputs = Record<string, SignalValue>;
