/**
 * `openIsoMessage`: read an ISO 20022 message as a stream — its envelope, AppHdr and group header
 * first, then the transactions one at a time — with bounded memory whatever the file's size.
 * Browser-safe: the input is text, bytes or any async iterable of chunks (a Node `Readable` is
 * one); reading a file by path is `openIsoFile` in `@clearhouse/sdk/node`.
 */
import { InvalidArgumentError } from "../../../errors/base";
import { Iso20022Error, type XmlNode } from "../xml";
import { readLimits, type IsoReadLimits, type IsoReadOptions } from "./limits";
import { Progress, TokenError, XmlTokenizer } from "./tokenizer";
import { Utf8Decoder, Utf8Error } from "./utf8";
import { MessageWalker, type IsoTransaction } from "./walker";

/** What `openIsoMessage` reads: the whole text or bytes, or chunks of bytes (or text) as they arrive. */
export type IsoSource = string | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** An ISO 20022 message opened for streaming (see `openIsoMessage`). */
export interface IsoMessage {
  /** The name errors use (the file path, or the `file` option). */
  readonly file: string;
  /**
   * How the Document arrived: "bare" (the Document is the root), "DataPDU" (SWIFT Alliance),
   * "Request" (SWIFTNet InterAct), else the local name of the root element that wraps it
   * (e.g. "Envelope", "BizMsgEnvlp").
   */
  readonly envelope: string;
  /** Local names of the elements around the Document, outermost first ([] when bare). */
  readonly wrapper: readonly string[];
  /** The head.001 business application header beside the Document, if any. */
  readonly appHdr?: { namespace: string; node: XmlNode };
  /** The Document's namespace, e.g. urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08. */
  readonly namespace: string;
  /** The message element under Document, e.g. "FIToFICstmrCdtTrf". */
  readonly root: string;
  /** The group header (GrpHdr). */
  readonly header: XmlNode;
  /**
   * The message's elements other than GrpHdr and the transactions (e.g. pacs.002's
   * OrgnlGrpInfAndSts), as they are passed; complete once `transactions` has finished.
   */
  readonly others: XmlNode;
  /**
   * The repeated transaction elements called `name` (CdtTrfTxInf, TxInf, TxInfAndSts…), one at a
   * time in document order; the rest of the file is read and checked as the iteration proceeds,
   * and a problem anywhere (the end of the file included) throws `Iso20022Error` from it. Iterable
   * once.
   */
  transactions(name: string): AsyncIterable<IsoTransaction>;
  /** Stop reading and release the input (not needed after `transactions` has finished). */
  close(): Promise<void>;
}

export type { IsoTransaction } from "./walker";

/**
 * Open an ISO 20022 message for streaming: reads up to the end of its group header (the envelope
 * and the AppHdr included) and returns; the transactions follow through `transactions(name)`.
 * Hardened like the whole-document reader: DTDs and entity declarations refused before anything
 * is expanded, only the five XML entities and character references, UTF-8 only (decoded across
 * chunk boundaries), well-formedness with line and column, every element of the Document in the
 * Document's namespace; and bounded (`IsoReadOptions`): size, nesting depth, names, text,
 * attributes, elements per transaction. Memory holds the AppHdr, the header, the current chunk
 * and the transactions of one chunk. Every refusal is an `Iso20022Error` naming the file, the
 * element path and the reason.
 */
export async function openIsoMessage(source: IsoSource, opts: IsoReadOptions = {}): Promise<IsoMessage> {
  const reader = new StreamReader(source, readLimits(opts));
  await reader.step();
  return reader.message();
}

class StreamReader {
  private readonly walker: MessageWalker;
  private readonly tokenizer: XmlTokenizer;
  private readonly chunks: AsyncIterator<Uint8Array>;
  private readonly decoder = new Utf8Decoder();
  private bytes = 0;
  private done = false;
  private iterated = false;

  constructor(
    source: IsoSource,
    private readonly limits: IsoReadLimits,
  ) {
    this.walker = new MessageWalker(limits);
    this.tokenizer = new XmlTokenizer(this.walker, limits);
    this.walker.tokenizer = this.tokenizer;
    this.chunks = byteChunks(source, limits.chunkSize)[Symbol.asyncIterator]();
  }

  /** Read until the walker pauses (after the header), transactions are queued, or the input ends. */
  async step(): Promise<void> {
    try {
      for (;;) {
        const progress = this.tokenizer.run();
        if (progress === Progress.Done) {
          this.walker.finish(this.tokenizer.end);
          this.done = true;
          return;
        }
        if (progress === Progress.Paused || this.walker.queue.length > 0) return;
        await this.read();
      }
    } catch (error) {
      await this.close();
      throw this.refusal(error);
    }
  }

  private async read(): Promise<void> {
    const next = await this.chunks.next();
    if (next.done) {
      this.tokenizer.feed(this.decoder.end(), true);
      return;
    }
    this.bytes += next.value.byteLength;
    if (this.bytes > this.limits.maxBytes) {
      const reason = `more than ${this.limits.maxBytes} bytes: over the size limit`;
      throw new Iso20022Error(this.limits.file, "", reason, { hint: "Split the file or raise maxBytes." });
    }
    this.tokenizer.feed(this.decoder.decode(next.value), false);
  }

  private refusal(error: unknown): unknown {
    if (error instanceof Utf8Error) {
      const { line } = this.tokenizer.locate(this.tokenizer.end);
      return new Iso20022Error(this.limits.file, "", error.message, {
        line,
        hint: "ISO 20022 messages must be UTF-8; the text up to this line is valid.",
      });
    }
    if (!(error instanceof TokenError)) return error;
    const { line, column } = this.tokenizer.locate(error.at);
    return new Iso20022Error(this.limits.file, this.walker.elementPath(), error.reason, {
      line,
      column,
      hint: error.hint,
    });
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.chunks.return?.();
  }

  message(): IsoMessage {
    const w = this.walker;
    if (!w.header) throw new Error("unreachable: the walk ended without a header or a refusal");
    const wrapper = w.wrapper;
    const envelope =
      wrapper.length === 0
        ? "bare"
        : wrapper.includes("DataPDU")
          ? "DataPDU"
          : wrapper.includes("Request")
            ? "Request"
            : wrapper[0];
    return {
      file: this.limits.file,
      envelope,
      wrapper,
      appHdr: w.appHdr,
      namespace: w.namespace,
      root: w.root,
      header: w.header,
      others: w.others,
      transactions: (name) => this.transactions(name),
      close: () => this.close(),
    };
  }

  private async *transactions(name: string): AsyncGenerator<IsoTransaction> {
    if (this.iterated) throw new InvalidArgumentError("transactions", "a message's transactions can be iterated once");
    this.iterated = true;
    this.walker.transactionName = name;
    try {
      for (;;) {
        const queue = this.walker.queue;
        if (queue.length > 0) {
          this.walker.queue = [];
          yield* queue;
        }
        if (this.done) return;
        await this.step();
      }
    } finally {
      await this.close();
    }
  }
}

/** The input as byte chunks: text is encoded, whole buffers are cut into `chunkSize` pieces. */
async function* byteChunks(source: IsoSource, chunkSize: number): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  const whole = typeof source === "string" ? encoder.encode(source) : source;
  if (whole instanceof Uint8Array) {
    for (let i = 0; i < whole.byteLength; i += chunkSize) yield whole.subarray(i, i + chunkSize);
    return;
  }
  for await (const chunk of whole) yield typeof chunk === "string" ? encoder.encode(chunk) : chunk;
}
