// The native restream engine: RTMP and RTMPS pushes written in TypeScript inside the node, fed the
// hub's FLV tags directly. No child process per restream, the server's own refusal reasons in the
// logs, stream keys never in a process's arguments. All its pushes share one timer (./ticker.ts)
// and one ChunkCache, so a channel pushed to many destinations is chunked once per message, not
// once per push. See docs/decisions.md for what it costs.
import type { RelayEvents, RelayHandle, TagSource } from "../defs/relay.js";
import { SYSTEM_CA_FILE } from "../kit/ca-file.js";
import { ChunkCache, type ChunkCacheStats } from "../rtmp/chunk-cache.js";
import { OUT_CHUNK_SIZE } from "./publisher.js";
import { NativePush, type NativeSpec } from "./push.js";
import { Ticker } from "./ticker.js";

export interface NativeEngineOptions {
  /** The roots RTMPS destinations are verified against, the same file ffmpeg is given. */
  readonly caFile?: string;
  /** Our outgoing chunk size; default OUT_CHUNK_SIZE. */
  readonly chunkSize?: number;
  /** Engines given one cache share their encodings (per chunk size); default a cache of its own. */
  readonly chunks?: ChunkCache;
}

export class NativeRtmpEngine {
  private readonly ticker = new Ticker();
  private readonly chunks: ChunkCache;
  private readonly caFile: string;
  private readonly chunkSize: number;

  constructor(options: NativeEngineOptions = {}) {
    this.caFile = options.caFile ?? SYSTEM_CA_FILE;
    this.chunkSize = options.chunkSize ?? OUT_CHUNK_SIZE;
    this.chunks = options.chunks ?? new ChunkCache();
  }

  start(source: TagSource, spec: NativeSpec, events: RelayEvents): RelayHandle {
    const push = new NativePush(source, spec, events, {
      ticker: this.ticker,
      caFile: this.caFile,
      chunks: this.chunks,
      chunkSize: this.chunkSize,
    });
    push.start();
    return { stop: () => push.stop() };
  }

  /** How many media messages were shared rather than encoded (tests, profiles). */
  sharing(): ChunkCacheStats {
    return this.chunks.stats();
  }
}
