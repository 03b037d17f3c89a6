// The channel hub: fan-out of a live channel's FLV tags to bounded readers.
export { HubEndedError, IllegalTransitionError, ReaderCutError } from "./errors.js";
export { type FlvStreamOptions, toFlvStream } from "./flv-stream.js";
export { DEFAULT_GOP_CACHE_MAX_BYTES, type StartPoint } from "./gop-cache.js";
export { ChannelHub, type HubLogger, type HubOptions, type HubStats } from "./hub.js";
export {
  DEFAULT_MAX_QUEUE_BYTES,
  type EndCode,
  type EndReason,
  HubReader,
  type OverflowPolicy,
  type ReaderOptions,
  type ReaderState,
  type ReaderStats,
} from "./reader.js";
export { DEFAULT_STATS_WINDOW_SECONDS } from "./stats.js";
