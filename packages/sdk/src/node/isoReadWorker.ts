/**
 * The reader thread of `openIsoFileThreaded`: opens the file with `openIsoFile`, sends the
 * message's head, then, once told which transactions to read, sends them in batches at most
 * `IN_FLIGHT` batches ahead of the caller (the caller sends one "more" per batch it takes), so
 * memory stays bounded whichever side is slower. The caller terminates the thread when it is done.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { IsoTransaction } from "../settlement/iso20022/stream/message";
import { openIsoFile } from "./isoMessageFile";
import { toWire, type FromReader, type IsoReadWorkerData, type ToReader } from "./isoReadProtocol";

/** Batches sent and not yet taken by the caller, at most. */
const IN_FLIGHT = 4;

async function main(port: MessagePort, data: IsoReadWorkerData): Promise<void> {
  const send = (message: FromReader): void => port.postMessage(message);
  let credit = IN_FLIGHT;
  let name: string | undefined;
  let closed = false;
  let waiting: (() => void) | undefined;
  /** Resolves at the next message from the caller. */
  const nextMessage = (): Promise<void> => new Promise((resolve) => (waiting = resolve));
  port.on("message", (message: ToReader) => {
    if (message.type === "start") name = message.name;
    else if (message.type === "more") credit++;
    else closed = true;
    const wake = waiting;
    waiting = undefined;
    wake?.();
  });
  try {
    const message = await openIsoFile(data.path, data.opts);
    send({
      type: "head",
      envelope: message.envelope,
      wrapper: [...message.wrapper],
      ...(message.appHdr ? { appHdr: message.appHdr } : {}),
      namespace: message.namespace,
      root: message.root,
      header: message.header,
    });
    while (name === undefined && !closed) await nextMessage();
    if (closed || name === undefined) return await message.close();
    let items: IsoTransaction[] = [];
    for await (const tx of message.transactions(name)) {
      items.push(tx);
      if (items.length < data.batch) continue;
      while (credit === 0 && !closed) await nextMessage();
      if (closed) return await message.close();
      credit--;
      send({ type: "transactions", items });
      items = [];
    }
    if (items.length > 0) send({ type: "transactions", items });
    send({ type: "end", others: message.others });
  } catch (error) {
    send({ type: "error", error: toWire(error) });
  }
}

if (parentPort) void main(parentPort, workerData as IsoReadWorkerData);
