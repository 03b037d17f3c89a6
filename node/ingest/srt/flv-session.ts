// One caller that sends FLV (a chain link whose channel is H.264 + AAC): ffmpeg's stdout cut into
// tags, which go through the RTMP ingest's Publish, so the codecs are learnt from the sequence
// headers and onMetaData exactly as for an RTMP publisher, and the channel is claimed once they
// are known. Unlike MPEG-TS, these feeds can be pushed by the native RTMP engine.
import { StreamwellError } from "../../defs/errors.js";
import type { FlvTag } from "../../defs/flv-tag.js";
import { SCRIPT } from "../../media/flv.js";
import { FlvSplitter } from "../../media/flv-splitter.js";
import { decodeAmf0All } from "../../rtmp/amf0.js";
import type { IngestSink } from "../registry.js";
import { DEFAULT_SESSION_LIMITS } from "../rtmp/options.js";
import { Publish, type PublishOutcome } from "../rtmp/publish.js";
import type { Caller, CallerSession, SessionOutcome, SessionParent } from "./listener.js";

/** A listener's sessions for FLV callers, each claiming the channel through `claim`. */
export function flvSessions(claim: (caller: Caller) => IngestSink<FlvTag> | null) {
  return (caller: Caller): CallerSession =>
    new FlvSession(caller, { claim: () => claim(caller), refuse: (reason) => caller.refuse(reason) });
}

export class FlvSession implements CallerSession {
  private readonly splitter = new FlvSplitter();
  private readonly publish: Publish;
  private served = false;
  private refused = false;

  constructor(
    caller: Caller,
    private readonly parent: SessionParent<FlvTag>,
  ) {
    const started = () => {
      const sink = parent.claim();
      if (!sink)
        return { accept: false, reason: "already_live", message: "the channel is live already" } as const;
      this.served = true;
      return { accept: true, sink: { codecs: sink.codecs, tag: sink.unit, end: sink.end } } as const;
    };
    // ffmpeg does not say where its caller is: the caller's id names it.
    const publisher = { id: caller.id, remoteAddress: "", secure: false, disconnect: () => caller.drop() };
    this.publish = new Publish({ started }, caller.channelId, publisher, DEFAULT_SESSION_LIMITS.probe);
  }

  get outcome(): SessionOutcome {
    if (this.refused) return "refused";
    return this.served ? "served" : "none";
  }

  /** Codecs come from the tags themselves, not from ffmpeg's log. */
  stderrLine(): void {}

  stdout(chunk: Buffer): void {
    if (this.refused) return;
    try {
      for (const tag of this.splitter.push(chunk)) {
        const refusal = this.tag(tag);
        if (refusal) {
          this.refuse(refusal.message);
          return;
        }
      }
    } catch (error) {
      // Bytes that are not FLV, a malformed sequence header or onMetaData: nothing to carry.
      if (!(error instanceof StreamwellError)) throw error;
      this.refuse(error.message);
    }
  }

  end(): void {
    this.publish.end("disconnected");
  }

  private tag(tag: FlvTag): PublishOutcome {
    if (tag.type !== SCRIPT) return this.publish.media(tag);
    return this.publish.script(tag, decodeAmf0All(tag.data));
  }

  private refuse(reason: string): void {
    this.refused = true;
    this.publish.end("protocol_error");
    this.parent.refuse(reason);
  }
}
