// Which engine pushes a restream: the destination's own choice, else the node's `restreamEngine`.
// The native engine takes RTMP and RTMPS destinations fed FLV tags (RTMP ingest); SRT destinations
// and feeds without tags (MPEG-TS from SRT ingest) always go to ffmpeg, whatever was asked, and so
// do Remote Playback listeners and their remuxes.
import type {
  EngineName,
  ListenerEngine,
  PlaybackEvents,
  PlaybackServer,
  PlaybackSpec,
  RelayEngine,
  RelayEvents,
  RelayHandle,
  RelayInput,
  RelaySpec,
  RemuxEvents,
} from "../defs/relay.js";
import type { NativeRtmpEngine } from "../rtmp-push/engine.js";

export class EngineChoice implements RelayEngine, ListenerEngine {
  constructor(
    private readonly engines: {
      readonly native: Pick<NativeRtmpEngine, "start">;
      readonly ffmpeg: RelayEngine & ListenerEngine;
    },
    private readonly nodeDefault: EngineName,
  ) {}

  start(input: RelayInput, spec: RelaySpec, events: RelayEvents): RelayHandle {
    const { target, streamKey } = spec;
    const wanted = spec.engine ?? this.nodeDefault;
    if (wanted === "native" && target.kind !== "srt" && streamKey !== null && input.tags !== undefined) {
      const { insecureSkipVerify, secrets } = spec;
      return this.engines.native.start(
        input.tags,
        { target, streamKey, insecureSkipVerify, secrets },
        events,
      );
    }
    return this.engines.ffmpeg.start(input, spec, events);
  }

  serve(spec: PlaybackSpec, events: PlaybackEvents): PlaybackServer {
    return this.engines.ffmpeg.serve(spec, events);
  }

  remux(input: RelayInput, events: RemuxEvents): RelayHandle {
    return this.engines.ffmpeg.remux(input, events);
  }
}
