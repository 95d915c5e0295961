/**
 * QBFT `extraData`: the RLP list Besu keeps in every block header's extra-data field and reads
 * from the genesis file (Besu's `QbftExtraDataCodec`):
 *
 *   RLP([32-byte vanity, [validator addresses], vote or [], round as an integer scalar, [seals]])
 *
 * A vote is `[recipient, 0xff]` (add) or `[recipient, ""]` (drop); a seal is a 65-byte r‖s‖v
 * signature. The genesis block carries a zero vanity, the initial validators (none when a
 * validator contract selects them from block 0), no vote, round 0 and no seals — exactly what
 * `besu rlp encode --type=QBFT_EXTRA_DATA` prints for a list of addresses.
 */
import { fromRlp, getAddress, toRlp, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";

/** A validator vote carried in a block header. */
export interface QbftVote {
  recipient: Address;
  /** true: add the recipient to the validators; false: drop it. */
  add: boolean;
}

/** The decoded fields of a QBFT extraData. */
export interface QbftExtraData {
  /** 32 bytes. */
  vanity: Hex;
  validators: Address[];
  vote?: QbftVote;
  round: number;
  /** 65-byte committed seals. */
  seals: Hex[];
}

const VANITY_BYTES = 32;
const ZERO_VANITY: Hex = `0x${"00".repeat(VANITY_BYTES)}`;
const VOTE_ADD: Hex = "0xff";

function bytesOf(hex: Hex): number {
  return (hex.length - 2) / 2;
}

/** A non-negative integer as RLP's minimal big-endian scalar (0 → empty bytes), as Besu writes it. */
function scalar(n: number): Hex {
  if (n === 0) return "0x";
  const hex = n.toString(16);
  return `0x${hex.length % 2 ? "0" : ""}${hex}`;
}

/** Encode a QBFT extraData (any block's); `decodeQbftExtraData` is its inverse. */
export function encodeQbftExtraData(data: QbftExtraData): Hex {
  if (!/^0x[0-9a-fA-F]*$/.test(data.vanity) || bytesOf(data.vanity) !== VANITY_BYTES)
    throw new InvalidArgumentError("vanity", `must be ${VANITY_BYTES} bytes of hex`);
  if (!Number.isSafeInteger(data.round) || data.round < 0 || data.round > 0xffffffff)
    throw new InvalidArgumentError("round", "must be an integer from 0 to 2^32 - 1");
  for (const seal of data.seals)
    if (!/^0x[0-9a-fA-F]{130}$/.test(seal)) throw new InvalidArgumentError("seals", "each seal must be 65 bytes");
  const vote: Hex[] = data.vote ? [data.vote.recipient.toLowerCase() as Hex, data.vote.add ? VOTE_ADD : "0x"] : [];
  return toRlp([
    data.vanity.toLowerCase() as Hex,
    data.validators.map((v) => getAddress(v).toLowerCase() as Hex),
    vote,
    scalar(data.round),
    data.seals.map((s) => s.toLowerCase() as Hex),
  ]);
}

/**
 * The genesis extraData for `validators` in the order given (Besu's docs list them in ascending
 * order; `genesisValidators` sorts them). An empty list is the validator-contract form.
 */
export function genesisExtraData(validators: readonly Address[]): Hex {
  return encodeQbftExtraData({ vanity: ZERO_VANITY, validators: [...validators], round: 0, seals: [] });
}

/** The validator addresses in ascending order, checksummed, with duplicates refused. */
export function genesisValidators(addresses: readonly Address[]): Address[] {
  const sorted = addresses.map((a) => getAddress(a)).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
  sorted.forEach((a, i) => {
    if (i > 0 && a === sorted[i - 1]) throw new InvalidArgumentError("validators", `lists ${a} twice`);
  });
  return sorted;
}

function bad(problem: string): never {
  throw new InvalidArgumentError("extraData", problem);
}

function hexItem(item: unknown, what: string): Hex {
  if (typeof item !== "string") bad(`${what} must be a byte string, not a list`);
  return item as Hex;
}

function listItem(item: unknown, what: string): unknown[] {
  if (!Array.isArray(item)) bad(`${what} must be a list`);
  return item as unknown[];
}

/** Decode a QBFT extraData, checking each field's shape; refuses anything Besu would not read. */
export function decodeQbftExtraData(extraData: Hex): QbftExtraData {
  let decoded: unknown;
  try {
    decoded = fromRlp(extraData, "hex");
  } catch (e) {
    return bad(`is not RLP (${(e as Error).message.split("\n")[0]})`);
  }
  const top = listItem(decoded, "extraData");
  if (top.length !== 5) bad(`must be a list of 5 items (vanity, validators, vote, round, seals), not ${top.length}`);
  const vanity = hexItem(top[0], "the vanity");
  if (bytesOf(vanity) !== VANITY_BYTES) bad(`the vanity must be ${VANITY_BYTES} bytes`);
  const validators = listItem(top[1], "the validators").map((v, i) => {
    const hex = hexItem(v, `validator ${i}`);
    if (bytesOf(hex) !== 20) bad(`validator ${i} must be a 20-byte address`);
    return getAddress(hex);
  });
  const voteItems = listItem(top[2], "the vote");
  let vote: QbftVote | undefined;
  if (voteItems.length > 0) {
    if (voteItems.length !== 2) bad("the vote must be [recipient, 0xff or empty]");
    const recipient = hexItem(voteItems[0], "the vote's recipient");
    const kind = hexItem(voteItems[1], "the vote's type");
    if (bytesOf(recipient) !== 20) bad("the vote's recipient must be a 20-byte address");
    if (kind !== "0x" && kind.toLowerCase() !== VOTE_ADD) bad("the vote's type must be 0xff (add) or empty (drop)");
    vote = { recipient: getAddress(recipient), add: kind !== "0x" };
  }
  const roundHex = hexItem(top[3], "the round");
  if (bytesOf(roundHex) > 4 || roundHex.startsWith("0x00"))
    bad("the round must be a minimal integer of at most 4 bytes");
  const round = roundHex === "0x" ? 0 : Number.parseInt(roundHex.slice(2), 16);
  const seals = listItem(top[4], "the seals").map((s, i) => {
    const hex = hexItem(s, `seal ${i}`);
    if (bytesOf(hex) !== 65) bad(`seal ${i} must be 65 bytes`);
    return hex;
  });
  return { vanity, validators, ...(vote ? { vote } : {}), round, seals };
}
