// One SRT caller, from its first byte to the listener's exit: ffmpeg's stdout (MPEG-TS) cut into hub
// units, its stderr read for the stream details. The channel is claimed on the first bytes (a caller
// is refused if the channel is live already, e.g. over RTMP) and goes live for actors once the PMT
// has said which codecs it carries.
import type { ChannelCodecs } from "../../defs/codecs.js";
import { TsSplitter, type TsUnit } from "../../media/ts-splitter.js";
import type { IngestSink } from "../registry.js";
import { srtCodecs } from "./codecs.js";
import type { Caller, CallerSession, SessionOutcome, SessionParent } from "./listener.js";
import { StreamInfo } from "./stream-info.js";

/** A listener's sessions for MPEG-TS callers, each claiming the channel through `claim`. */
export function tsSessions(claim: (caller: Caller) => IngestSink<TsUnit> | null) {
  return (caller: Caller): CallerSession =>
    new SrtSession({ claim: () => claim(caller), refuse: (reason) => caller.refuse(reason) });
}

export class SrtSession implements CallerSession {
  private readonly splitter = new TsSplitter();
  private readonly info = new StreamInfo();
  private sink: IngestSink<TsUnit> | null = null;
  private codecs: ChannelCodecs | null = null;
  private refused = false;
  private served = false;

  constructor(private readonly parent: SessionParent<TsUnit>) {}

  get outcome(): SessionOutcome {
    if (this.refused) return "refused";
    return this.served ? "served" : "none";
  }

  stderrLine(text: string): void {
    this.info.line(text);
  }

  stdout(chunk: Buffer): void {
    if (this.refused) return;
    if (this.sink === null) {
      this.sink = this.parent.claim();
      if (this.sink === null) {
        this.refuse("the channel is live already");
        return;
      }
      this.served = true;
    }
    this.write(this.splitter.push(chunk));
  }

  /** ffmpeg exited: the caller is gone. */
  end(reason: string): void {
    if (this.sink === null) return;
    if (!this.refused) this.write(this.splitter.end());
    this.sink.end(reason);
    this.sink = null;
  }

  private write(units: TsUnit[]): void {
    for (const unit of units) {
      if (this.refused || this.sink === null) return;
      if (unit.kind === "pmt") this.learnCodecs();
      this.sink.unit(unit);
    }
  }

  private learnCodecs(): void {
    const codecs = srtCodecs(this.splitter.streams, this.info);
    if (typeof codecs === "string") {
      this.refuse(codecs);
      return;
    }
    if (JSON.stringify(codecs) === JSON.stringify(this.codecs)) return;
    this.codecs = codecs;
    this.sink?.codecs(codecs);
  }

  private refuse(reason: string): void {
    this.refused = true;
    this.parent.refuse(reason);
  }
}
