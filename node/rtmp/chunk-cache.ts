// Encode once, write many: the chunk bytes of one media message, made by the first writer that
// sends it and handed as the same Buffer to every other writer that would write the same bytes
// (nginx-rtmp shares its chunk buffers between the sessions of a stream the same way). A message's
// chunks depend only on the message, the chunk size and its first header; headers of type 1-3 carry
// deltas, so pushes of one channel that started at different times still write the same bytes for
// nearly every message, each with its own timestamps. Entries live as long as their source (the
// hub's FLV tag) does: a WeakMap, so the cache never holds media the hub and readers dropped.

/** Encodings kept per message: the steady one, and a few from pushes that joined late or skipped. */
const MAX_VARIANTS = 4;

interface Variant {
  readonly key: string;
  readonly bytes: Buffer;
}

export interface ChunkCacheStats {
  /** Messages written from an encoding another writer made. */
  readonly shared: number;
  /** Messages this cache's writers encoded themselves. */
  readonly encoded: number;
}

export class ChunkCache {
  private readonly entries = new WeakMap<object, Variant[]>();
  private sharedCount = 0;
  private encodedCount = 0;

  /** The bytes another writer made for `source` under `key`, if any. */
  get(source: object, key: string): Buffer | undefined {
    const variants = this.entries.get(source);
    if (variants === undefined) return undefined;
    for (const variant of variants) {
      if (variant.key === key) {
        this.sharedCount += 1;
        return variant.bytes;
      }
    }
    return undefined;
  }

  /** Keeps `bytes` as `source`'s encoding under `key` (unless it has enough already); returns them. */
  put(source: object, key: string, bytes: Buffer): Buffer {
    this.encodedCount += 1;
    const variants = this.entries.get(source);
    if (variants === undefined) this.entries.set(source, [{ key, bytes }]);
    else if (variants.length < MAX_VARIANTS) variants.push({ key, bytes });
    return bytes;
  }

  stats(): ChunkCacheStats {
    return { shared: this.sharedCount, encoded: this.encodedCount };
  }
}
