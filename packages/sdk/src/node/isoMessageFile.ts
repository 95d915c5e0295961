/**
 * Open an ISO 20022 message file for streaming (`openIsoMessage` over a file read in 1 MiB chunks):
 * the size limit is checked against the file's size before anything is read.
 */
import { createReadStream, statSync } from "node:fs";
import { Iso20022Error } from "../settlement/iso20022/xml";
import { readLimits, type IsoReadOptions } from "../settlement/iso20022/stream/limits";
import { openIsoMessage, type IsoMessage } from "../settlement/iso20022/stream/message";

/** Chunk size of the file stream: large enough that per-chunk costs vanish, small for memory. */
const FILE_CHUNK = 1024 * 1024;

/**
 * Open the ISO 20022 message at `path` for streaming (see `openIsoMessage`); errors name the file
 * as `opts.file` or else `path`. A file over `maxBytes` (default 2 GiB) is refused before reading.
 */
export async function openIsoFile(path: string, opts: IsoReadOptions = {}): Promise<IsoMessage> {
  const limits = readLimits({ ...opts, file: opts.file ?? path });
  let size: number;
  try {
    size = statSync(path).size;
  } catch (cause) {
    throw new Iso20022Error(limits.file, "", "cannot be read", { cause, hint: "Check the path." });
  }
  if (size > limits.maxBytes) {
    const reason = `${size} bytes exceed the limit of ${limits.maxBytes} bytes`;
    throw new Iso20022Error(limits.file, "", reason, { hint: "Split the file or raise maxBytes." });
  }
  return openIsoMessage(createReadStream(path, { highWaterMark: FILE_CHUNK }), { ...opts, file: limits.file });
}
