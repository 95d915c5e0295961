/** The part of circom_runtime (snarkjs's witness calculator, 0.1.28) the prover uses. */
declare module "circom_runtime" {
  export interface WitnessCalculator {
    /** The witness of `input` in snarkjs's .wtns format; `sanityCheck` makes every constraint's assert run. */
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck: boolean): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(
    code: Uint8Array,
    options?: Record<string, unknown>,
  ): Promise<WitnessCalculator>;
}
