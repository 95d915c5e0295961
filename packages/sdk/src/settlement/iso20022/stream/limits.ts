import { InvalidArgumentError } from "../../../errors/base";

/**
 * The bounds of the streaming ISO 20022 reader: every one refuses a file that exceeds it, so a
 * hostile file costs bounded memory and time whatever its shape.
 */

/** Options of `openIsoMessage`; every limit has a default suited to real payment files. */
export interface IsoReadOptions {
  /** The name errors use for the input (a file path); default `"message"`. */
  file?: string;
  /** Refuse an input larger than this many bytes (default 2 GiB; it streams, so this bounds time, not memory). */
  maxBytes?: number;
  /** Refuse elements nested deeper than this (default 64; ISO 20022 messages stay under 20). */
  maxDepth?: number;
  /** Refuse an element or attribute name longer than this many characters (default 256). */
  maxNameLength?: number;
  /** Refuse a text node, attribute value, comment or CDATA section longer than this many characters (default 65,536). */
  maxTextLength?: number;
  /** Refuse an element with more attributes (namespace declarations included) than this (default 32). */
  maxAttributes?: number;
  /** Refuse a transaction, group header or AppHdr with more elements than this (default 10,000). */
  maxSubtreeElements?: number;
  /** Refuse a message whose elements beside the header and the transactions exceed this count (default 10,000). */
  maxOtherElements?: number;
  /** Element names that always become lists in the nodes read, even when they occur once. */
  arrays?: readonly string[];
  /** Bytes per chunk when the input is a string or a Uint8Array (default 1 MiB; tests use tiny chunks). */
  chunkSize?: number;
}

/** The options with every default applied. */
export type IsoReadLimits = Required<Omit<IsoReadOptions, "arrays">> & { arrays: ReadonlySet<string> };

export const DEFAULT_STREAM_MAX_BYTES = 2 * 1024 ** 3;

/** Apply the defaults; refuses a limit that is not a positive integer. */
export function readLimits(opts: IsoReadOptions = {}): IsoReadLimits {
  const limits: IsoReadLimits = {
    file: opts.file ?? "message",
    maxBytes: opts.maxBytes ?? DEFAULT_STREAM_MAX_BYTES,
    maxDepth: opts.maxDepth ?? 64,
    maxNameLength: opts.maxNameLength ?? 256,
    maxTextLength: opts.maxTextLength ?? 65_536,
    maxAttributes: opts.maxAttributes ?? 32,
    maxSubtreeElements: opts.maxSubtreeElements ?? 10_000,
    maxOtherElements: opts.maxOtherElements ?? 10_000,
    chunkSize: opts.chunkSize ?? 1024 * 1024,
    arrays: new Set(opts.arrays ?? []),
  };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value === "number" && !(Number.isSafeInteger(value) && value > 0)) {
      throw new InvalidArgumentError(key, `must be a positive integer, got ${value}`);
    }
  }
  return limits;
}
