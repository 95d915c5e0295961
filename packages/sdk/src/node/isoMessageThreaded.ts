/**
 * `openIsoFileThreaded`: `openIsoFile` with the XML read on another core. A worker thread
 * tokenizes the file and builds each transaction's element tree; this thread receives them in
 * batches (structured clone) and does everything else — mapping, checks, hashing, writing — so
 * a large import uses both cores of a two-core machine. Same message, same transactions in the same
 * order, same refusals (an `Iso20022Error` from the reader is rebuilt here with its file, element,
 * line, column and hint); memory stays bounded (the reader runs at most a few batches ahead).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { InvalidArgumentError } from "../errors/base";
import type { XmlNode } from "../settlement/iso20022/xml";
import { readLimits, type IsoReadOptions } from "../settlement/iso20022/stream/limits";
import type { IsoMessage, IsoTransaction } from "../settlement/iso20022/stream/message";
import { fromWire, toWire, type FromReader, type IsoReadWorkerData, type ToReader } from "./isoReadProtocol";

/** Transactions per batch sent between the threads: large enough that per-message costs vanish. */
const BATCH = 256;

/**
 * Messages from the reader thread, taken in order. The thread keeps the process alive only while
 * this side waits for it: a caller that never iterates (or fails before it does) does not hang
 * the process on a reader nobody will read from.
 */
class Inbox {
  private readonly items: FromReader[] = [];
  private waiting?: (message: FromReader) => void;

  constructor(private readonly worker: Worker) {
    worker.unref();
  }

  push(message: FromReader): void {
    const take = this.waiting;
    if (take) {
      this.waiting = undefined;
      this.worker.unref();
      take(message);
    } else this.items.push(message);
  }

  next(): Promise<FromReader> {
    const first = this.items.shift();
    if (first) return Promise.resolve(first);
    this.worker.ref();
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

/** The reader thread's script: the compiled .js beside this module, or the TypeScript source under ts-node. */
function workerScript(): { file: string; execArgv?: string[] } {
  const js = join(__dirname, "isoReadWorker.js");
  if (existsSync(js)) return { file: js };
  return { file: join(__dirname, "isoReadWorker.ts"), execArgv: ["-r", "ts-node/register/transpile-only"] };
}

/**
 * Open the ISO 20022 message at `path` for streaming, read on a worker thread (see the module
 * comment); otherwise exactly `openIsoFile`. Worth it for large files (the CLI uses it from
 * 8 MiB): a thread costs ~30 ms to start.
 */
export async function openIsoFileThreaded(path: string, opts: IsoReadOptions = {}): Promise<IsoMessage> {
  const file = readLimits({ ...opts, file: opts.file ?? path }).file;
  const script = workerScript();
  const data: IsoReadWorkerData = { path, opts: { ...opts, file }, batch: BATCH };
  const worker = new Worker(script.file, {
    workerData: data,
    ...(script.execArgv ? { execArgv: script.execArgv } : {}),
  });
  const inbox = new Inbox(worker);
  let finished = false;
  worker.on("message", (message: FromReader) => inbox.push(message));
  worker.on("error", (error) => inbox.push({ type: "error", error: toWire(error) }));
  worker.on("exit", (code) => {
    if (!finished)
      inbox.push({ type: "error", error: { kind: "other", name: "Error", message: `stopped (exit code ${code})` } });
  });
  const post = (message: ToReader): void => worker.postMessage(message);
  const stop = async (): Promise<void> => {
    if (finished) return;
    finished = true;
    await worker.terminate();
  };

  const head = await inbox.next();
  if (head.type !== "head") {
    await stop();
    throw head.type === "error" ? fromWire(head.error) : new Error(`reading thread: unexpected ${head.type}`);
  }
  const others: XmlNode = {};
  let iterated = false;
  async function* transactions(name: string): AsyncGenerator<IsoTransaction> {
    if (iterated) throw new InvalidArgumentError("transactions", "a message's transactions can be iterated once");
    iterated = true;
    post({ type: "start", name });
    try {
      for (;;) {
        const message = await inbox.next();
        if (message.type === "transactions") {
          post({ type: "more" });
          yield* message.items;
        } else if (message.type === "end") {
          Object.assign(others, message.others);
          return;
        } else if (message.type === "error") throw fromWire(message.error);
        else throw new Error(`reading thread: unexpected ${message.type}`);
      }
    } finally {
      await stop();
    }
  }
  return {
    file,
    envelope: head.envelope,
    wrapper: head.wrapper,
    ...(head.appHdr ? { appHdr: head.appHdr } : {}),
    namespace: head.namespace,
    root: head.root,
    header: head.header,
    others,
    transactions,
    close: async () => {
      if (!finished) post({ type: "close" });
      await stop();
    },
  };
}
