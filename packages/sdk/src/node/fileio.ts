/** Atomic file writes: a crash or a full disk never leaves half a file where a good one was. */
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Write `text` to `path` through a uniquely named temporary file in the same directory, flushed to
 * disk, then renamed over `path` (an atomic replace on POSIX). On failure the temporary file is
 * removed and the error is rethrown; `path` keeps its previous content. `mode` is the new file's
 * permission bits before the umask (default 0o666; 0o600 for a secret, readable by no one else
 * at any moment).
 */
export function writeFileAtomic(path: string, text: string | Uint8Array, mode = 0o666): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(tmp, "wx", mode);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw error;
  }
}

/** `writeFileAtomic` of pretty-printed JSON. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Replace the content of an existing file in place as far as its readers see it: through a
 * symlink, the file it points to (the link kept); atomically (`writeFileAtomic`); with the file's
 * mode and, run as root, its owner (e.g. the besu user, which rewrites its own files). A missing
 * file is created with `mode`.
 */
export function rewriteFileKeeping(path: string, text: string, mode = 0o644): void {
  const file = existsSync(resolve(path)) ? realpathSync(resolve(path)) : resolve(path);
  let owner: { uid: number; gid: number } | undefined;
  if (existsSync(file)) {
    const st = statSync(file);
    mode = st.mode & 0o777;
    owner = { uid: st.uid, gid: st.gid };
  }
  writeFileAtomic(file, text, mode);
  chmodSync(file, mode);
  if (owner && process.getuid?.() === 0) chownSync(file, owner.uid, owner.gid);
}
