/**
 * The Besu QBFT genesis file for a network spec, in the form Besu's QBFT documentation gives
 * ("Configure QBFT consensus", besu.hyperledger.org/private-networks/how-to/configure/consensus/qbft):
 * every fork through Cancun active from genesis, free gas (`zeroBaseFee` with a zero base fee from
 * block 0, Cancun's blob-gas and beacon-root header fields at zero), the QBFT timing, `difficulty` 0x1, the Istanbul mixHash, and extraData listing the
 * initial validators — or, with a validator contract from block 0, `validatorcontractaddress` and
 * no validators in extraData; from a later block, a `transitions.qbft` entry switching to it.
 */
import type { Address, Hex } from "viem";
import { genesisExtraData, genesisValidators } from "./extraData";
import type { NetworkSpec } from "./networkConfig";

/** The mixHash Besu's BFT protocols require in the genesis ("Istanbul block identification"). */
export const BFT_MIX_HASH: Hex = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365";
const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;
const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";

/**
 * Block-numbered forks through London, then the time-based Shanghai and Cancun: all at genesis.
 * Besu reads each key (JsonGenesisConfigOptions) except `eip155Block`, geth's name for a fork Besu
 * takes from `eip158Block`; Besu's own development genesis files carry it too, and it is ignored.
 */
export const FORKS_AT_GENESIS = [
  "homesteadBlock",
  "eip150Block",
  "eip155Block",
  "eip158Block",
  "byzantiumBlock",
  "constantinopleBlock",
  "petersburgBlock",
  "istanbulBlock",
  "muirGlacierBlock",
  "berlinBlock",
  "londonBlock",
  "shanghaiTime",
  "cancunTime",
] as const;

export interface QbftTransition {
  block: number;
  validatorselectionmode: "contract";
  validatorcontractaddress: string;
}

export interface BesuGenesis {
  config: Record<(typeof FORKS_AT_GENESIS)[number], number> & {
    chainId: number;
    zeroBaseFee: true;
    qbft: {
      blockperiodseconds: number;
      epochlength: number;
      requesttimeoutseconds: number;
      xemptyblockperiodseconds?: number;
      validatorcontractaddress?: string;
    };
    transitions?: { qbft: QbftTransition[] };
  };
  nonce: Hex;
  timestamp: Hex;
  extraData: Hex;
  gasLimit: Hex;
  difficulty: Hex;
  mixHash: Hex;
  coinbase: Address;
  baseFeePerGas: Hex;
  /** Cancun's header fields of the genesis block (Besu's defaults, written out). */
  blobGasUsed: Hex;
  excessBlobGas: Hex;
  parentBeaconBlockRoot: Hex;
  alloc: Record<string, { balance: Hex; code?: Hex; storage?: Record<string, Hex> }>;
  number: Hex;
  gasUsed: Hex;
  parentHash: Hex;
}

const hex = (n: bigint | number): Hex => `0x${n.toString(16)}`;

/**
 * The genesis for `spec` with the validators' node addresses (any order: they are written in
 * ascending order, as Besu's docs ask for `rlp encode`'s input).
 */
export function buildGenesis(spec: NetworkSpec, validatorAddresses: readonly Address[]): BesuGenesis {
  const validators = genesisValidators(validatorAddresses);
  const sel = spec.validatorSelection;
  const contractFromGenesis = sel.mode === "contract" && sel.fromBlock === 0;
  const forks = Object.fromEntries(FORKS_AT_GENESIS.map((f) => [f, 0])) as Record<
    (typeof FORKS_AT_GENESIS)[number],
    number
  >;
  const config: BesuGenesis["config"] = {
    chainId: spec.chainId,
    ...forks,
    zeroBaseFee: true,
    qbft: {
      blockperiodseconds: spec.blockPeriodSeconds,
      epochlength: spec.epochLength,
      requesttimeoutseconds: spec.requestTimeoutSeconds,
      ...(spec.emptyBlockPeriodSeconds > 0 ? { xemptyblockperiodseconds: spec.emptyBlockPeriodSeconds } : {}),
      ...(contractFromGenesis ? { validatorcontractaddress: sel.contractAddress.toLowerCase() } : {}),
    },
  };
  if (sel.mode === "contract" && sel.fromBlock > 0)
    config.transitions = {
      qbft: [
        {
          block: sel.fromBlock,
          validatorselectionmode: "contract",
          validatorcontractaddress: sel.contractAddress.toLowerCase(),
        },
      ],
    };
  const alloc: BesuGenesis["alloc"] = {};
  for (const [account, entry] of Object.entries(spec.alloc)) {
    alloc[account.toLowerCase().slice(2)] = {
      balance: hex(entry.balance),
      ...(entry.code ? { code: entry.code } : {}),
      ...(entry.storage ? { storage: entry.storage } : {}),
    };
  }
  return {
    config,
    nonce: "0x0",
    timestamp: "0x0",
    extraData: genesisExtraData(contractFromGenesis ? [] : validators),
    gasLimit: hex(spec.gasLimit),
    difficulty: "0x1",
    mixHash: BFT_MIX_HASH,
    coinbase: ZERO_ADDRESS,
    baseFeePerGas: "0x0",
    blobGasUsed: "0x0",
    excessBlobGas: "0x0",
    parentBeaconBlockRoot: ZERO_HASH,
    alloc,
    number: "0x0",
    gasUsed: "0x0",
    parentHash: ZERO_HASH,
  };
}
