/**
 * Incremental UTF-8 decoding that refuses invalid input, fast: a replacing TextDecoder (the fast
 * path of every engine; a fatal one is ten times slower in Node) whose U+FFFD characters are
 * accounted for. U+FFFD written in the input is the bytes EF BF BD; any other U+FFFD in the output
 * is a replacement for invalid bytes. A sequence cut by a chunk boundary is decoded with the
 * next chunk, so the check counts EF BF BD sequences that end in each chunk.
 */

/** Invalid UTF-8 in a byte range of the input. */
export class Utf8Error extends Error {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    super(to > from ? `not valid UTF-8 (in bytes ${from}–${to - 1})` : "not valid UTF-8 (at the end of the input)");
  }
}

export class Utf8Decoder {
  private readonly decoder = new TextDecoder("utf-8");
  /** The last two bytes of the previous chunk (a replacement character may span the boundary). */
  private tail = new Uint8Array(0);
  private offset = 0;

  /** Decode the next chunk; throws `Utf8Error` on invalid bytes. */
  decode(bytes: Uint8Array): string {
    if (bytes.byteLength === 0) return "";
    const from = this.offset;
    this.offset += bytes.byteLength;
    const text = this.decoder.decode(bytes, { stream: true });
    if (text.includes("\uFFFD")) this.check(text, bytes, from);
    const keep = Math.min(2, bytes.byteLength);
    const tail = new Uint8Array(Math.min(2, this.tail.length + keep));
    tail.set(bytes.subarray(bytes.byteLength - keep), tail.length - keep);
    if (keep < tail.length) tail[0] = this.tail[this.tail.length - 1];
    this.tail = tail;
    return text;
  }

  /** The end of the input: a sequence left incomplete is refused. */
  end(): string {
    const text = this.decoder.decode();
    if (text.includes("\uFFFD")) throw new Utf8Error(this.offset, this.offset);
    return text;
  }

  private check(text: string, bytes: Uint8Array, from: number): void {
    let replacements = 0;
    for (let k = text.indexOf("\uFFFD"); k >= 0; k = text.indexOf("\uFFFD", k + 1)) replacements++;
    const all = new Uint8Array(this.tail.length + bytes.byteLength);
    all.set(this.tail);
    all.set(bytes, this.tail.length);
    let written = 0;
    for (let k = all.indexOf(0xef); k >= 0 && k + 2 < all.length; k = all.indexOf(0xef, k + 1)) {
      if (all[k + 1] === 0xbf && all[k + 2] === 0xbd) written++;
    }
    if (written !== replacements) throw new Utf8Error(from, this.offset);
  }
}
