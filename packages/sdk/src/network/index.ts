/**
 * The Besu QBFT network kit's pure core: the `network:` section of a consortium file, node keys
 * and enode URLs, QBFT extraData, the genesis and each node's files. Writing them is
 * `writeNetworkKit` in @clearhouse/sdk/node.
 */
export * from "./extraData";
export * from "./nodeKeys";
export * from "./networkConfig";
export * from "./genesis";
export * from "./nodeFiles";
export * from "./kit";
export * from "./enodes";
export * from "./permissionsToml";
export * from "./registryNodes";
export * from "./permRpc";
