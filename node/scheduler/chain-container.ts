// What a chain link carries. FLV when the channel's codecs fit it (H.264 and AAC, as RTMP carries):
// the target's hub is then FLV, which Remote Playback primes and RTMP pushes take, and FLV over SRT
// starts ~1 s sooner than MPEG-TS (no probing; docs/decisions.md). HEVC goes as MPEG-TS.
import type { ChannelCodecs } from "../defs/codecs.js";
import type { Container } from "../defs/container.js";
import { codecProblem } from "../restreams/codec-rules.js";

export function chainContainer(codecs: ChannelCodecs): Container {
  return codecProblem("rtmp", codecs) === null ? "flv" : "mpegts";
}
