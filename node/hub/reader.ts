// One consumer of a ChannelHub (a restream's ffmpeg stdin, a future RTMP push client, a Remote
// Playback ffmpeg), generic over the container's unit (an FLV tag, an MPEG-TS unit). The hub
// pushes every live unit into the reader's queue; the consumer pulls with
// `poll()` / `next()` when it has room. The queue is bounded in bytes and the overflow policy decides
// what a consumer that stops pulling costs: "cut" ends it, "resync" drops its backlog and restarts it
// on a fresh keyframe when it pulls again. Either way memory stays bounded.
//
// Timestamps are passed through unchanged: a reader's first units carry the stream's timestamps
// (init units their own, the GOP its keyframe's), and after a resync they jump forward to the current
// GOP. Rebasing, if needed, is the consumer's choice.
//
// States and legal moves:
//   waiting_keyframe -> live           a keyframe arrived (or a cached GOP was queued at start)
//   waiting_keyframe | live -> stalled resync policy: the queue overflowed and was dropped
//   stalled -> waiting_keyframe        the consumer pulled again: restart from the hub's start point
//   waiting_keyframe | live -> draining the publisher left with units still queued
//   any but ended -> ended             cut, closed, publisher left (with nothing queued), drained
import type { EndReason } from "../defs/relay.js";
import { StateMachine, type Transitions } from "../kit/state-machine.js";
import type { StartPoint } from "./gop-cache.js";
import type { UnitFormat } from "./unit-format.js";
import { MAX_UNITS, UnitQueue } from "./unit-queue.js";

export type ReaderState = "waiting_keyframe" | "live" | "stalled" | "draining" | "ended";

const TRANSITIONS: Transitions<ReaderState> = {
  waiting_keyframe: ["live", "stalled", "draining", "ended"],
  live: ["stalled", "draining", "ended"],
  stalled: ["waiting_keyframe", "ended"],
  draining: ["ended"],
  ended: [],
};

/** "cut": end a reader that falls behind (restream pushes). "resync": drop and restart it (Remote Playback). */
export type OverflowPolicy = "cut" | "resync";

export interface ReaderOptions {
  /** Default "cut". */
  readonly overflow?: OverflowPolicy;
  /** Container bytes the queue may hold; default 8 MiB. It must hold several frames. */
  readonly maxQueueBytes?: number;
  /** Shown in the hub's log lines, e.g. a restream id. */
  readonly name?: string;
}

export const DEFAULT_MAX_QUEUE_BYTES = 8 * 1024 * 1024;

export interface ReaderStats {
  readonly state: ReaderState;
  /** Container bytes handed to the consumer. */
  readonly bytesOut: number;
  readonly queuedBytes: number;
  /** How often the resync policy dropped the queue. */
  readonly resyncs: number;
}

/** What a reader sees of its hub. */
export interface ReaderParent<U> {
  readonly format: UnitFormat<U>;
  /** Init units + the cached GOP: where a reader starts, and restarts after a resync. */
  startPoint(): StartPoint<U>;
  /** The reader ended: the hub forgets it (and logs a cut). */
  detach(reader: HubReader<U>, reason: EndReason): void;
}

const PUBLISHER_LEFT: EndReason = { code: "publisher_left", message: "the publisher left" };
const CLOSED: EndReason = { code: "closed", message: "closed by its consumer" };

export class HubReader<U> {
  readonly name: string;
  readonly overflow: OverflowPolicy;
  readonly maxQueueBytes: number;
  private readonly machine: StateMachine<ReaderState>;
  private reason: EndReason | null = null;
  private readonly queue: UnitQueue<U>;
  private readonly format: UnitFormat<U>;
  /** A consumer blocked in `next()`; only ever set while the queue is empty. */
  private waiter: ((unit: U | null) => void) | null = null;
  private bytesOut = 0;
  private resyncs = 0;
  private resolveEnded: (reason: EndReason) => void = () => {};
  private readonly ended = new Promise<EndReason>((resolve) => {
    this.resolveEnded = resolve;
  });

  /** Created by `ChannelHub.subscribe`. */
  constructor(
    private readonly parent: ReaderParent<U>,
    options: ReaderOptions = {},
  ) {
    this.format = parent.format;
    this.queue = new UnitQueue(parent.format.size);
    this.name = options.name ?? "reader";
    this.machine = new StateMachine(`hub reader ${this.name}`, TRANSITIONS, "waiting_keyframe");
    this.overflow = options.overflow ?? "cut";
    this.maxQueueBytes = options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
  }

  get state(): ReaderState {
    return this.machine.current;
  }

  /** Why the reader ended; null while it has not. */
  get endReason(): EndReason | null {
    return this.reason;
  }

  /** Resolves once, when the reader ends, whatever the reason; never rejects. */
  whenEnded(): Promise<EndReason> {
    return this.ended;
  }

  stats(): ReaderStats {
    return {
      state: this.machine.current,
      bytesOut: this.bytesOut,
      queuedBytes: this.queue.bytes,
      resyncs: this.resyncs,
    };
  }

  /**
   * Takes the next queued unit, or undefined when none is queued (or the reader ended: see `state`).
   * Pulling is what tells a stalled resync reader that its consumer is back.
   */
  poll(): U | undefined {
    if (this.machine.current === "stalled") this.restart();
    const unit = this.queue.shift();
    if (unit !== undefined) this.bytesOut += this.format.size(unit);
    if (this.machine.current === "draining" && this.queue.length === 0) this.end(PUBLISHER_LEFT);
    return unit;
  }

  /** The next unit, waiting for one if needed; null once the reader has ended. One call at a time. */
  next(): Promise<U | null> {
    if (this.waiter !== null) return Promise.reject(new Error("HubReader.next: a call is already pending"));
    const unit = this.poll();
    if (unit !== undefined) return Promise.resolve(unit);
    if (this.machine.current === "ended") return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** `for await (const unit of reader)`; leaving the loop early closes the reader. */
  async *[Symbol.asyncIterator](): AsyncGenerator<U, void, undefined> {
    try {
      for (let unit = await this.next(); unit !== null; unit = await this.next()) yield unit;
    } finally {
      this.close();
    }
  }

  /** Detaches from the hub and drops whatever is queued. Idempotent. */
  close(): void {
    this.end(CLOSED);
  }

  /** Called by the hub right after attaching, and on a restart: init units, then the cached GOP. */
  begin(): void {
    const { init, gop, gopBytes } = this.parent.startPoint();
    for (const unit of init) if (!this.enqueue(unit)) return;
    // A GOP that would not fit would trip the overflow policy at once: wait for the next keyframe instead.
    if (gop === null || gop.length === 0 || this.queue.bytes + gopBytes > this.maxQueueBytes) return;
    if (this.queue.length + gop.length > MAX_UNITS) return;
    this.machine.move("live");
    for (const unit of gop) if (!this.enqueue(unit)) return;
  }

  /** Called by the hub for every live unit. */
  offer(unit: U): void {
    if (this.machine.current === "live") {
      this.enqueue(unit);
    } else if (this.machine.current === "waiting_keyframe") {
      // Until the first keyframe only init units pass: a decoder cannot start on an inter frame, and
      // audio before it would make audio start before video.
      if (this.format.isKeyframe(unit)) {
        this.machine.move("live");
        this.enqueue(unit);
      } else if (this.format.initSlot(unit) !== null) {
        this.enqueue(unit);
      }
    }
    // stalled: live units are stale by the time the consumer is back; it restarts from the hub instead.
  }

  /** Called by the hub when the publisher leaves: the consumer still gets what is queued, then the end. */
  finish(): void {
    if (this.machine.current === "ended") return;
    if (this.queue.length === 0 || this.machine.current === "stalled") this.end(PUBLISHER_LEFT);
    else this.machine.move("draining");
  }

  private enqueue(unit: U): boolean {
    if (this.waiter !== null) {
      // The consumer is already waiting: hand the unit over, nothing queues.
      const waiter = this.waiter;
      this.waiter = null;
      this.bytesOut += this.format.size(unit);
      waiter(unit);
      return true;
    }
    const wouldQueue = this.queue.bytes + this.format.size(unit);
    if (wouldQueue <= this.maxQueueBytes && this.queue.length < MAX_UNITS) {
      this.queue.push(unit);
      return true;
    }
    if (this.overflow === "cut") {
      const queued = `${wouldQueue} bytes in ${this.queue.length + 1} units`;
      this.end({ code: "too_slow", message: `too slow: ${queued} queued` });
    } else {
      this.queue.clear();
      this.resyncs += 1;
      this.machine.move("stalled");
    }
    return false;
  }

  private restart(): void {
    this.machine.move("waiting_keyframe");
    this.begin();
  }

  private end(reason: EndReason): void {
    if (this.machine.current === "ended") return;
    this.machine.move("ended");
    this.reason = reason;
    this.queue.clear();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(null);
    this.parent.detach(this, reason);
    this.resolveEnded(reason);
  }
}
