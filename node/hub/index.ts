// The channel hub: fan-out of a live channel's container units (FLV tags, MPEG-TS units) to bounded readers.
export { type ByteEncoding, type ByteStreamOptions, toByteStream } from "./byte-stream.js";
export { HubEndedError, ReaderCutError } from "./errors.js";
export { toFlvAsTsStream, toFlvAsTsUnits, toFlvStream } from "./flv-stream.js";
export { FLV_UNITS } from "./flv-units.js";
export { DEFAULT_GOP_CACHE_MAX_BYTES, GopCache, type StartPoint } from "./gop-cache.js";
export { ChannelHub, type HubLogger, type HubOptions, type HubStats } from "./hub.js";
export {
  DEFAULT_MAX_QUEUE_BYTES,
  HubReader,
  type OverflowPolicy,
  type ReaderOptions,
  type ReaderState,
  type ReaderStats,
} from "./reader.js";
export { DEFAULT_STATS_WINDOW_SECONDS } from "./stats.js";
export { TS_UNITS, toTsStream } from "./ts-units.js";
export type { UnitFormat } from "./unit-format.js";
