/**
 * An exact map from id strings to the first position that used them (a transaction of an ISO
 * message, a record of a batch file), kept compact for million-entry inputs: Latin-1 ids (every
 * id ISO 20022's restricted character set allows) are stored as bytes in one growing buffer and
 * found through an open-addressing table of entry numbers, so a million ids cost tens of megabytes
 * of typed arrays the garbage collector never walks, instead of a Map of a million strings (which
 * made the duplicate checks the slowest part of a 1,000,000-payment import). Ids with a character
 * above U+00FF go to an ordinary Map. Lookups compare the stored bytes, so the answer is exact: a
 * hash collision costs a probe, never a false duplicate.
 *
 * Ids come from counterparties, so the index must not be slowed down by chosen ids: the hash is
 * seeded per index with random bits and finished with a full avalanche (murmur3's fmix32), and if
 * a probe sequence ever grows past `MAX_PROBES` anyway, every id moves to a Map (V8's own seeded
 * hash) and the index stays there: never worse than the Map it replaces.
 */
const EMPTY = 0;
/** A probe sequence this long means the table is being attacked (at ≤ 50 % load it averages < 2). */
const MAX_PROBES = 64;

/** Random bits for the seed (Web Crypto: in browsers and Node alike). */
function randomSeed(): number {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0];
}

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function isLatin1(id: string): boolean {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) > 0xff) return false;
  return true;
}

export class IdIndex {
  /** `seed`: the hash's random bits (tests fix it to build colliding ids; leave it unset). */
  constructor(private readonly seed: number = randomSeed()) {}

  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /** Entry e's bytes are bytes[starts[e] … starts[e + 1]). */
  private starts = new Uint32Array(1025);
  private values = new Uint32Array(1024);
  private count = 0;
  /** Entry number + 1 per slot (0: empty); a power of two, at most half full. */
  private table = new Uint32Array(2048);
  /** Ids beyond Latin-1; after a too-long probe sequence, every id. */
  private readonly wide = new Map<string, number>();
  private degraded = false;

  /** Ids stored. */
  get size(): number {
    return this.count + this.wide.size;
  }

  /** Whether the index has moved every id to a Map (after an over-long probe sequence). */
  get inMap(): boolean {
    return this.degraded;
  }

  /** FNV-1a over the UTF-16 code units from a seeded state, then fmix32. */
  private hashOf(id: string): number {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    return fmix32(h ^ id.length);
  }

  /** The same hash over stored entry `e` (Latin-1 bytes are the code units). */
  private hashOfEntry(e: number): number {
    let h = 0x811c9dc5 ^ this.seed;
    const start = this.starts[e];
    const end = this.starts[e + 1];
    for (let i = start; i < end; i++) h = Math.imul(h ^ this.bytes[i], 0x01000193);
    return fmix32(h ^ (end - start));
  }

  /**
   * The value first stored for `id`; if there is none, store `value` (an unsigned 32-bit integer)
   * for it and return undefined.
   */
  firstOrAdd(id: string, value: number): number | undefined {
    if (this.degraded || !isLatin1(id)) {
      const first = this.wide.get(id);
      if (first === undefined) this.wide.set(id, value);
      return first;
    }
    const mask = this.table.length - 1;
    for (let slot = this.hashOf(id) & mask, probes = 0; ; slot = (slot + 1) & mask) {
      const entry = this.table[slot];
      if (entry === EMPTY) {
        if (probes > MAX_PROBES) {
          this.degrade();
          this.wide.set(id, value);
          return undefined;
        }
        this.append(id, value);
        this.table[slot] = this.count;
        if (2 * this.count > this.table.length) this.rehash();
        return undefined;
      }
      if (this.matches(entry - 1, id)) return this.values[entry - 1];
      probes++;
    }
  }

  private matches(e: number, id: string): boolean {
    const start = this.starts[e];
    if (this.starts[e + 1] - start !== id.length) return false;
    for (let i = 0; i < id.length; i++) if (this.bytes[start + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private append(id: string, value: number): void {
    if (this.used + id.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.used + id.length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    for (let i = 0; i < id.length; i++) this.bytes[this.used + i] = id.charCodeAt(i);
    this.used += id.length;
    if (this.count === this.values.length) {
      const capacity = 2 * this.values.length;
      const values = new Uint32Array(capacity);
      values.set(this.values);
      this.values = values;
      const starts = new Uint32Array(capacity + 1);
      starts.set(this.starts);
      this.starts = starts;
    }
    this.values[this.count] = value;
    this.count++;
    this.starts[this.count] = this.used;
  }

  private rehash(): void {
    const table = new Uint32Array(2 * this.table.length);
    const mask = table.length - 1;
    for (let e = 0; e < this.count; e++) {
      let slot = this.hashOfEntry(e) & mask;
      while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
      table[slot] = e + 1;
    }
    this.table = table;
  }

  /** Move every stored id to the Map and answer from it from now on. */
  private degrade(): void {
    for (let e = 0; e < this.count; e++) {
      let id = "";
      for (let i = this.starts[e]; i < this.starts[e + 1]; i++) id += String.fromCharCode(this.bytes[i]);
      this.wide.set(id, this.values[e]);
    }
    this.degraded = true;
    this.count = 0;
    this.used = 0;
    this.bytes = new Uint8Array(0);
    this.starts = new Uint32Array(1);
    this.values = new Uint32Array(0);
    this.table = new Uint32Array(1);
  }
}
