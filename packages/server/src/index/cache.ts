/**
 * Answers of the index routes, kept until the index changes. Every read route's answer is a
 * function of the index (and of who asks), and the index changes only when the indexer commits a
 * new head: so an answer is cached under the index's `generation` and the request's URL and scope,
 * and the whole cache is dropped at the next commit (with 1 s blocks, once a second). Bounded by
 * total size — each answer's key (the URL, which a client may pad with a query string of up to
 * 16 KB), its body and a fixed overhead per entry: the oldest-used answers go first.
 */

/** Total size of the cached answers (UTF-16 code units, about bytes for the API's ASCII JSON). */
export const RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;
/** What an entry costs beside its key and body: the map's slot and the two strings' headers (about bytes). */
export const ENTRY_OVERHEAD = 64;

export class ResponseCache {
  private readonly entries = new Map<string, string>();
  private generation = -1;
  private size = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxSize = RESPONSE_CACHE_BYTES,
    private readonly entryOverhead = ENTRY_OVERHEAD,
  ) {}

  /** What keeping `body` under `key` costs against the size. */
  private cost(key: string, body: string): number {
    return key.length + body.length + this.entryOverhead;
  }

  /** The answer cached for `key` at `generation`; a newer generation empties the cache first. */
  get(key: string, generation: number): string | undefined {
    if (generation !== this.generation) {
      this.entries.clear();
      this.size = 0;
      this.generation = generation;
    }
    const body = this.entries.get(key);
    if (body === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // most recently used last: eviction takes from the front
    this.entries.delete(key);
    this.entries.set(key, body);
    return body;
  }

  /** Keep `body` for `key`, if it was computed at the cache's current generation and fits. */
  set(key: string, generation: number, body: string): void {
    // One answer over a quarter of the size would push out most others: it is not kept.
    if (generation !== this.generation || body.length > this.maxSize / 4) return;
    const cost = this.cost(key, body);
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.size -= this.cost(key, old);
      this.entries.delete(key); // most recently used last
    }
    this.entries.set(key, body);
    this.size += cost;
    for (const [k, v] of this.entries) {
      if (this.size <= this.maxSize) break;
      this.entries.delete(k);
      this.size -= this.cost(k, v);
    }
  }

  /** How many answers it holds and their total size (keys, answers and overhead). */
  stats(): { entries: number; size: number } {
    return { entries: this.entries.size, size: this.size };
  }
}
