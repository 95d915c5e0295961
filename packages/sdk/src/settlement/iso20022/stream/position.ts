/**
 * Line and column bookkeeping for a buffer that is consumed from the front: lines are counted once,
 * up to the furthest offset asked for, so locating every transaction costs one pass over the input.
 */
export class TextPosition {
  /** Absolute offset (in characters) of the buffer's first character. */
  private base = 0;
  /** Lines before `counted` (1-based line of `counted`). */
  private line = 1;
  /** Buffer offset up to which newlines are counted. */
  private counted = 0;
  /** Buffer offset of the last newline before `counted` (-1 - chars when it was in a dropped part). */
  private lastNewline = -1;
  /** Buffer offset (negative) of the last newline before the buffer's first character. */
  private beforeBuffer = -1;

  /** The buffer's first `dropped` characters are about to be discarded: count their lines first. */
  advance(buf: string, dropped: number): void {
    this.countTo(buf, dropped);
    const nl = dropped > 0 ? buf.lastIndexOf("\n", dropped - 1) : -1;
    this.beforeBuffer = (nl >= 0 ? nl : this.beforeBuffer) - dropped;
    this.base += dropped;
    this.counted -= dropped;
    this.lastNewline -= dropped;
  }

  /** Absolute character offset of a buffer offset. */
  offset(at: number): number {
    return this.base + at;
  }

  /** 1-based line and column of a buffer offset. */
  locate(buf: string, at: number): { line: number; column: number } {
    if (at >= this.counted) {
      this.countTo(buf, at);
      return { line: this.line, column: at - this.lastNewline };
    }
    let line = this.line;
    for (let k = buf.lastIndexOf("\n", this.counted - 1); k >= at; k = buf.lastIndexOf("\n", k - 1)) line--;
    const nl = at > 0 ? buf.lastIndexOf("\n", at - 1) : -1;
    return { line, column: at - (nl >= 0 ? nl : this.beforeBuffer) };
  }

  private countTo(buf: string, at: number): void {
    let k = buf.indexOf("\n", this.counted);
    while (k >= 0 && k < at) {
      this.line++;
      this.lastNewline = k;
      k = buf.indexOf("\n", k + 1);
    }
    this.counted = Math.max(this.counted, at);
  }
}
