// SlateHold: what a push reads when its restream has `onSourceLoss: "slate"`, over the hub's units
// of either container (./hold-units.ts: FLV tags, MPEG-TS units). It passes the channel's units
// through while the channel is live; when every input is gone (the hub reader ends
// with publisher_left) it keeps the push going with the channel's slate clip, looped and paced in
// real time, until a new live reader of the channel (resume()) reaches its first keyframe, or
// until `seconds` have passed, when it ends as a live reader would (publisher_left: the push ends
// its session cleanly and the restream waits). One splice (FlvSplice, TsSplice) makes the three one
// stream for the destination: timestamps continue across each cut; FLV sequence headers go out
// again only when they differ (the slate is encoded to the live stream's signature, so mostly only
// the AVC one), MPEG-TS keeps the first source's PAT, PMT and PIDs.
//
// States and legal moves:
//   live    -> holding | ended     the live reader ended with publisher_left / ended otherwise, closed
//   holding -> live | ended        the new reader's first keyframe / slate time over, no clip, closed
//   ended   (final)
// A hold not read yet (its push still connecting) does not hold: it ends with its reader. The
// native push polls it for tags; the ffmpeg engine reads its bytes (./hold-stream.ts).
import type { ChannelCodecs } from "../defs/codecs.js";
import type { EndReason, FeedReader, UnitSource } from "../defs/relay.js";
import { StateMachine, type Transitions } from "../kit/state-machine.js";
import type { HoldUnits, Splice } from "./hold-units.js";
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

export interface HoldParent<U> {
  /** The live stream's codecs now (the restream's feed). */
  codecs(): ChannelCodecs | null;
  /** The channel's slate for this signature, in the hold's container (cached: asked for early, again at the hold). */
  clip(signature: SlateSignature): Promise<SlateClip<U>>;
  /** The slate went on air (true) or off it (false), with why. */
  holding(on: boolean, why: string): void;
  readonly now?: () => number;
}

const SLATE_OVER = (seconds: number): EndReason => ({
  code: "publisher_left",
  message: `the source did not come back within the slate's ${seconds} s`,
});

export class SlateHold<U> implements UnitSource<U> {
  private readonly machine = new StateMachine<HoldState>("slate hold", TRANSITIONS, "live");
  private readonly splice: Splice<U>;
  private out: U[] = [];
  private live: FeedReader;
  private liveEnded: EndReason | null = null;
  /** The reader of a channel that came back, until its first keyframe. */
  private next: { reader: FeedReader; init: U[]; ended: boolean } | null = null;
  private polled = false;
  private frames = 0;
  /** The latest video frames' timestamps (the live source's since its cut), oldest first. */
  private recent: number[] = [];
  private frameMs: number | null = null;
  private clip: Promise<SlateClip<U>> | null = null;
  /** The live stream's last known codecs (the feed is gone by the time the hold begins). */
  private codecs: ChannelCodecs | null;
  private ready: SlateClip<U> | null = null;
  /** Where the slate is: wall-clock start of the hold, and the clip's tag and loop due next. */
  private slate = { since: 0, index: 0, loop: 0 };
  private timer: NodeJS.Timeout | undefined;
  private resolveEnded: (reason: EndReason) => void = () => {};
  private readonly ended = new Promise<EndReason>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(
    private readonly units: HoldUnits<U>,
    live: FeedReader,
    private readonly seconds: number,
    private readonly parent: HoldParent<U>,
  ) {
    this.splice = units.splice((unit) => this.out.push(unit));
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

  poll(): U | undefined {
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
    const source = this.units.source(reader);
    if (!source) {
      // Back in another container (RTMP <-> SRT): nothing to splice in; the push ends and starts again.
      reader.close();
      this.end({ code: "publisher_left", message: "the channel came back in another container" });
      return;
    }
    this.next?.reader.close();
    const next = { reader, init: [] as U[], ended: false };
    this.next = next;
    void source.whenEnded().then(() => {
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
    void this.units
      .source(reader)
      ?.whenEnded()
      .then((reason) => {
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
    const source = this.units.source(this.live);
    for (let unit = source?.poll(); unit !== undefined; unit = source?.poll()) {
      this.measure(unit);
      this.splice.pass(unit);
    }
    if (this.liveEnded?.code === "publisher_left") this.hold();
  }

  private fillHolding(): void {
    if (this.takeNext()) return;
    const clip = this.ready;
    if (!clip) return;
    const elapsed = this.now() - this.slate.since;
    const timestamp = (unit: U) => this.units.format.timestamp(unit);
    const first = timestamp(clip.media[0] as U);
    for (;;) {
      const unit = clip.media[this.slate.index] as U;
      const at = timestamp(unit) - first + this.slate.loop * clip.periodMs;
      if (at > elapsed) return;
      const stamped = this.units.later(unit, at - timestamp(unit));
      if (this.slate.index === 0 && this.slate.loop === 0) this.splice.cut(clip.init, [stamped]);
      else this.splice.pass(stamped);
      this.slate.index += 1;
      if (this.slate.index === clip.media.length) {
        this.slate.index = 0;
        this.slate.loop += 1;
      }
    }
  }

  /** The returned channel's units: init kept, media dropped until its first keyframe, which cuts in. */
  private takeNext(): boolean {
    const next = this.next;
    if (!next) return false;
    const { format } = this.units;
    const source = this.units.source(next.reader);
    for (let unit = source?.poll(); unit !== undefined; unit = source?.poll()) {
      if (format.initSlot(unit) !== null) {
        next.init.push(unit);
      } else if (format.isKeyframe(unit)) {
        this.goLive(next.reader, next.init, unit);
        return true;
      }
    }
    if (next.ended) {
      next.reader.close();
      this.next = null;
    }
    return false;
  }

  private goLive(reader: FeedReader, init: readonly U[], keyframe: U): void {
    clearTimeout(this.timer);
    this.live.close();
    this.live = reader;
    this.liveEnded = null;
    this.next = null;
    this.recent = [];
    this.machine.move("live");
    this.watch(reader);
    this.splice.cut(init.filter(this.units.cutsInWith), [keyframe]);
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
  private measure(unit: U): void {
    const { format } = this.units;
    if (!format.isVideoFrame(unit)) return;
    const timestamp = format.timestamp(unit);
    // The median step of the window's times in order, not the step from the last frame: MPEG-TS
    // units carry presentation times, which B-frames put out of order (x265's default: steps of 2
    // and 5 frames, never 1, so frame to frame a 30 fps stream measured 15 fps).
    this.recent.push(timestamp);
    if (this.recent.length > FRAMES_BEFORE_PREPARE) this.recent.shift();
    const sorted = [...this.recent].sort((a, b) => a - b);
    const steps = sorted.slice(1).map((time, i) => time - (sorted[i] as number));
    const step = steps.sort((a, b) => a - b)[Math.floor(steps.length / 2)];
    if (step !== undefined && step > 0 && step <= MAX_FRAME_MS) this.frameMs = step;
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
