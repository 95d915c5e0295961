/**
 * The messages between `openIsoFileThreaded` (the caller's thread) and its reader thread
 * (`isoReadWorker`), and how a reader's refusal crosses between them: an `Iso20022Error` is sent as
 * its fields and rebuilt on the caller's side, so a refusal read on the other core is the same
 * error (class, message, line, column, hint) the in-thread reader throws.
 */
import { Iso20022Error, type XmlNode } from "../settlement/iso20022/xml";
import type { IsoReadOptions } from "../settlement/iso20022/stream/limits";
import type { IsoTransaction } from "../settlement/iso20022/stream/message";

/** What the reader thread is started with. */
export interface IsoReadWorkerData {
  path: string;
  opts: Omit<IsoReadOptions, never>;
  /** Transactions per message to the caller. */
  batch: number;
}

/** A refusal as sent between threads. */
export type WireError =
  | { kind: "iso"; file: string; element: string; reason: string; line?: number; column?: number; hint?: string }
  | { kind: "other"; name: string; message: string };

/** Reader thread → caller. */
export type FromReader =
  | {
      type: "head";
      envelope: string;
      wrapper: string[];
      appHdr?: { namespace: string; node: XmlNode };
      namespace: string;
      root: string;
      header: XmlNode;
    }
  | { type: "transactions"; items: IsoTransaction[] }
  | { type: "end"; others: XmlNode }
  | { type: "error"; error: WireError };

/** Caller → reader thread: start iterating `name`, send more (one credit per batch), stop. */
export type ToReader = { type: "start"; name: string } | { type: "more" } | { type: "close" };

export function toWire(error: unknown): WireError {
  if (error instanceof Iso20022Error) {
    return {
      kind: "iso",
      file: error.file,
      element: error.element,
      reason: error.reason,
      ...(error.line === undefined ? {} : { line: error.line }),
      ...(error.column === undefined ? {} : { column: error.column }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: "other", name: e.name, message: e.message };
}

export function fromWire(wire: WireError): Error {
  if (wire.kind === "iso") {
    return new Iso20022Error(wire.file, wire.element, wire.reason, {
      line: wire.line,
      column: wire.column,
      hint: wire.hint,
    });
  }
  const error = new Error(`reading thread: ${wire.message}`);
  error.name = wire.name;
  return error;
}
