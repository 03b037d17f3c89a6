// SlateHold: what a native push reads when its restream has `onSourceLoss: "slate"`. It passes the
// channel's tags through while the channel is live; when every input is gone (the hub reader ends
// with publisher_left) it keeps the push going with the channel's slate clip, looped and paced in
// real time, until a new live reader of the channel (resume()) reaches its first keyframe, or
// until `seconds` have passed, when it ends as a live reader would (publisher_left: the push ends
// its session cleanly and the restream waits). One FlvSplice makes the three one stream for the
// destination: timestamps continue across each cut, and sequence headers go out again only when
// they differ (the slate is encoded to the live stream's signature, so mostly only the AVC one).
//
// States and legal moves:
//   live    -> holding | ended     the live reader ended with publisher_left / ended otherwise, closed
//   holding -> live | ended        the new reader's first keyframe / slate time over, no clip, closed
//   ended   (final)
// A hold not read yet (its push still connecting) does not hold: it ends with its reader. The
// native push polls it for tags; the ffmpeg engine reads its bytes (./hold-stream.ts).
import type { ChannelCodecs } from "../defs/codecs.js";
import type { FlvTag } from "../defs/flv-tag.js";
import type { EndReason, FeedReader, TagSource } from "../defs/relay.js";
import { FlvSplice } from "../ingest/inputs/flv-splice.js";
import { StateMachine, type Transitions } from "../kit/state-machine.js";
import { AUDIO, isKeyframe, isSequenceHeader, VIDEO } from "../media/flv.js";
import { type SlateSignature, signatureOf } from "./signature.js";
import type { SlateClip } from "./slate-store.js";

export type HoldState = "live" | "holding" | "ended";

const TRANSITIONS: Transitions<HoldState> = {
  live: ["holding", "ended"],
  holding: ["live", "ended"],
  ended: [],
};

/** Video frames seen before the clip is asked for (the frame rate is measured on them). */
const FRAMES_BEFORE_PREPARE = 30;
/** Larger steps between video tags are gaps, not frame lengths. */
const MAX_FRAME_MS = 100;

export interface HoldParent {
  /** The live stream's codecs now (the restream's feed). */
  codecs(): ChannelCodecs | null;
  /** The channel's slate for this signature (cached: asked for early, again at the hold). */
  clip(signature: SlateSignature): Promise<SlateClip>;
  /** The slate went on air (true) or off it (false), with why. */
  holding(on: boolean, why: string): void;
  readonly now?: () => number;
}

const SLATE_OVER = (seconds: number): EndReason => ({
  code: "publisher_left",
  message: `the source did not come back within the slate's ${seconds} s`,
});

export class SlateHold implements TagSource {
  private readonly machine = new StateMachine<HoldState>("slate hold", TRANSITIONS, "live");
  private readonly splice = new FlvSplice((tag) => this.out.push(tag));
  private out: FlvTag[] = [];
  private live: FeedReader;
  private liveEnded: EndReason | null = null;
  /** The reader of a channel that came back, until its first keyframe. */
  private next: { reader: FeedReader; init: FlvTag[]; ended: boolean } | null = null;
  private polled = false;
  private frames = 0;
  private lastVideo: number | null = null;
  private frameMs: number | null = null;
  private clip: Promise<SlateClip> | null = null;
  /** The live stream's last known codecs (the feed is gone by the time the hold begins). */
  private codecs: ChannelCodecs | null;
  private ready: SlateClip | null = null;
  /** Where the slate is: wall-clock start of the hold, and the clip's tag and loop due next. */
  private slate = { since: 0, index: 0, loop: 0 };
  private timer: NodeJS.Timeout | undefined;
  private resolveEnded: (reason: EndReason) => void = () => {};
  private readonly ended = new Promise<EndReason>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(
    live: FeedReader,
    private readonly seconds: number,
    private readonly parent: HoldParent,
  ) {
    this.live = live;
    this.codecs = parent.codecs();
    this.watch(live);
  }

  get state(): HoldState {
    return this.machine.current;
  }

  get holding(): boolean {
    return this.machine.current === "holding";
  }

  /** Whether a channel back live goes to this hold (resume): it holds, or its publisher just left. */
  get resumable(): boolean {
    return this.holding || (this.machine.current === "live" && this.liveEnded?.code === "publisher_left");
  }

  whenEnded(): Promise<EndReason> {
    return this.ended;
  }

  poll(): FlvTag | undefined {
    this.polled = true;
    if (this.out.length === 0) this.fill();
    return this.out.shift();
  }

  /** The channel is live again: its reader goes on air at its first keyframe. */
  resume(reader: FeedReader): void {
    if (!this.resumable) {
      reader.close();
      return;
    }
    if (!reader.tags) {
      // Back over SRT (MPEG-TS): no tags to splice in; the push ends and starts again on the new feed.
      reader.close();
      this.end({ code: "publisher_left", message: "the channel came back in another container" });
      return;
    }
    this.next?.reader.close();
    const next = { reader, init: [] as FlvTag[], ended: false };
    this.next = next;
    void reader.tags?.whenEnded().then(() => {
      next.ended = true;
    });
  }

  /** Closes every reader; the push sees the end (closed). Idempotent. */
  close(): void {
    this.end({ code: "closed", message: "closed by its consumer" });
  }

  private now(): number {
    return (this.parent.now ?? Date.now)();
  }

  private watch(reader: FeedReader): void {
    void reader.tags?.whenEnded().then((reason) => {
      if (reader !== this.live || this.machine.current !== "live") return;
      this.liveEnded = reason;
      // Nothing reads this hold (or it reads on): an unread end is passed on at once.
      if (!this.polled || reason.code !== "publisher_left") this.end(reason);
    });
  }

  private fill(): void {
    if (this.machine.current === "live") this.fillLive();
    if (this.machine.current === "holding") this.fillHolding();
  }

  private fillLive(): void {
    const source = this.live.tags;
    for (let tag = source?.poll(); tag !== undefined; tag = source?.poll()) {
      this.measure(tag);
      this.splice.pass(tag);
    }
    if (this.liveEnded?.code === "publisher_left") this.hold();
  }

  private fillHolding(): void {
    if (this.takeNext()) return;
    const clip = this.ready;
    if (!clip) return;
    const elapsed = this.now() - this.slate.since;
    const first = clip.media[0] as FlvTag;
    for (;;) {
      const tag = clip.media[this.slate.index] as FlvTag;
      const at = tag.timestamp - first.timestamp + this.slate.loop * clip.periodMs;
      if (at > elapsed) return;
      const stamped = { ...tag, timestamp: at };
      if (this.slate.index === 0 && this.slate.loop === 0) this.splice.cut(clip.init, [stamped]);
      else this.splice.pass(stamped);
      this.slate.index += 1;
      if (this.slate.index === clip.media.length) {
        this.slate.index = 0;
        this.slate.loop += 1;
      }
    }
  }

  /** The returned channel's tags: init kept, media dropped until its first keyframe, which cuts in. */
  private takeNext(): boolean {
    const next = this.next;
    if (!next) return false;
    for (let tag = next.reader.tags?.poll(); tag !== undefined; tag = next.reader.tags?.poll()) {
      if (isSequenceHeader(tag) || (tag.type !== VIDEO && tag.type !== AUDIO)) {
        next.init.push(tag);
      } else if (isKeyframe(tag)) {
        this.goLive(next.reader, next.init, tag);
        return true;
      }
    }
    if (next.ended) {
      next.reader.close();
      this.next = null;
    }
    return false;
  }

  private goLive(reader: FeedReader, init: readonly FlvTag[], keyframe: FlvTag): void {
    clearTimeout(this.timer);
    this.live.close();
    this.live = reader;
    this.liveEnded = null;
    this.next = null;
    this.lastVideo = null;
    this.machine.move("live");
    this.watch(reader);
    this.splice.cut(init.filter(isSequenceHeader), [keyframe]);
    this.parent.holding(false, "the source is back: live from its first keyframe");
    this.fillLive();
  }

  private hold(): void {
    this.machine.move("holding");
    this.slate = { since: this.now(), index: 0, loop: 0 };
    this.timer = setTimeout(() => this.end(SLATE_OVER(this.seconds)), this.seconds * 1000);
    this.ready = null;
    this.parent.holding(true, `every input is gone: slate on air for at most ${this.seconds} s`);
    this.prepare(true);
  }

  /** Video frame lengths (for the clip's frame rate); asks for the clip once enough were seen. */
  private measure(tag: FlvTag): void {
    if (tag.type !== VIDEO || isSequenceHeader(tag)) return;
    if (this.lastVideo !== null) {
      const step = tag.timestamp - this.lastVideo;
      if (step > 0 && step <= MAX_FRAME_MS) this.frameMs = step;
    }
    this.lastVideo = tag.timestamp;
    this.frames += 1;
    if (this.frames === FRAMES_BEFORE_PREPARE) this.prepare(false);
  }

  /** Asks for the clip of the live stream's signature; at the hold, plays it once it is there. */
  private prepare(play: boolean): void {
    const codecs = this.parent.codecs() ?? this.codecs;
    this.codecs = codecs;
    const signature = codecs && signatureOf(codecs, this.frameMs ? 1000 / this.frameMs : null);
    if (!signature) {
      if (play) this.end({ code: "publisher_left", message: "no slate for this codec: the restream waits" });
      return;
    }
    const clip = this.parent.clip(signature);
    this.clip = clip;
    clip.then(
      (ready) => {
        if (play && this.clip === clip && this.machine.current === "holding") {
          this.ready = ready;
          this.slate.since = this.now();
        }
      },
      (error: unknown) => {
        if (play && this.clip === clip)
          this.end({
            code: "publisher_left",
            message: error instanceof Error ? error.message : String(error),
          });
      },
    );
  }

  private end(reason: EndReason): void {
    if (this.machine.current === "ended") return;
    this.machine.move("ended");
    clearTimeout(this.timer);
    this.live.close();
    this.next?.reader.close();
    this.next = null;
    this.resolveEnded(reason);
  }
}
