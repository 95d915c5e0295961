/** The ERC-1967 implementation slot: what `proxiableUUID()` returns on a UUPS implementation. */
export const ERC1967_IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
