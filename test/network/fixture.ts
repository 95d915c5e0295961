/** Network sections for the network kit's tests. */
export type RawNetwork = Record<string, unknown> & { nodes: Record<string, unknown>[] };

/** A minimal valid network section: four validators on four hosts. */
export function fourValidators(): RawNetwork {
  return {
    chainId: 2026,
    nodes: [1, 2, 3, 4].map((i) => ({ name: `v${i}`, role: "validator", host: `10.0.0.${i}` })),
  };
}
