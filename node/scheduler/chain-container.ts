// What a chain link carries. FLV when the channel's codecs fit it (H.264 and AAC, as RTMP carries):
// the target's hub is then FLV, which Remote Playback primes and RTMP pushes take, and FLV over SRT
// starts ~1 s sooner than MPEG-TS (no probing; docs/decisions.md). Anything else (HEVC, MP3, ...)
// goes as MPEG-TS: an FLV track with no sequence header would need the deep probe (ffmpeg/args.ts)
// that the link's listener does not do.
import type { ChannelCodecs } from "../defs/codecs.js";
import type { Container } from "../defs/container.js";
import { codecProblem } from "../restreams/codec-rules.js";

export function chainContainer(codecs: ChannelCodecs): Container {
  return codecProblem("rtmp", codecs) === null ? "flv" : "mpegts";
}
