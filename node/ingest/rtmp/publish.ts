// One accepted publish, from the moment the publisher was authorized to its end. Holds the
// first tags back until the codecs are known (CodecTracker), then calls `started`, gives the
// sink its codecs and the held tags in order, and passes every later tag straight through.
// Guarantees the sink contract: codecs before any tag, `end` exactly once, nothing after it.
//
//   probing --(codecs known, or the probe budget spent)--> live --> ended
//   probing --(unsupported codec, started() refused, end)-------------> ended
import type { FlvTag } from "../../defs/flv-tag.js";
import type { AmfValue } from "../../rtmp/amf0.js";
import { CodecTracker } from "./codec-tracker.js";
import { SinkError } from "./errors.js";
import type { PublishEndReason, Publisher, PublishRefusal, PublishSink, StartResult } from "./handler.js";

export interface ProbeLimits {
  /** Media time (ms) to wait for a missing track before calling it absent. */
  readonly probeMaxMs: number;
  /** Bytes held back while probing. */
  readonly probeMaxBytes: number;
}

/** null: carry on; a refusal: tell the publisher and close. */
export type PublishOutcome = PublishRefusal | null;

const OK: PublishOutcome = null;
/** Tags held while probing, whatever their bytes: one-byte tags would otherwise be millions of objects. */
const MAX_HELD_TAGS = 2_000;

/** Who takes the publish once its codecs are known (the ingest handler, for the input the key named). */
export interface PublishStarter {
  started(channelId: string, publisher: Publisher): StartResult;
}

export class Publish {
  private stateValue: "probing" | "live" | "ended" = "probing";
  private readonly tracker = new CodecTracker();
  private held: FlvTag[] = [];
  private heldBytes = 0;
  private firstMediaTs: number | null = null;
  private sink: PublishSink | null = null;

  constructor(
    private readonly handler: PublishStarter,
    readonly channelId: string,
    private readonly publisher: Publisher,
    private readonly limits: ProbeLimits,
  ) {}

  get state(): "probing" | "live" | "ended" {
    return this.stateValue;
  }

  /** An audio or video tag. Throws CodecConfigError (malformed header) or SinkError. */
  media(tag: FlvTag): PublishOutcome {
    if (this.stateValue === "ended") return OK;
    const verdict = this.tracker.observe(tag);
    if (verdict.kind === "unsupported")
      return { accept: false, reason: "unsupported", message: verdict.reason };
    if (this.stateValue === "live") {
      if (verdict.changed) this.call((sink) => sink.codecs(this.tracker.codecs()));
      this.pass(tag);
      return OK;
    }
    this.firstMediaTs ??= tag.timestamp;
    return this.hold(tag);
  }

  /** A data message (onMetaData and the like), already unwrapped from "@setDataFrame". */
  script(tag: FlvTag, values: readonly AmfValue[]): PublishOutcome {
    if (this.stateValue === "ended") return OK;
    if (values[0] === "onMetaData") this.tracker.metadata(values.slice(1));
    if (this.stateValue === "live") {
      this.pass(tag);
      return OK;
    }
    return this.hold(tag);
  }

  /** The publisher went. Safe to call in any state, any number of times. */
  end(reason: PublishEndReason): void {
    if (this.stateValue === "ended") return;
    const sink = this.sink;
    this.stateValue = "ended";
    this.sink = null;
    this.held = [];
    if (sink) sink.end(reason);
  }

  private hold(tag: FlvTag): PublishOutcome {
    this.held.push(tag);
    this.heldBytes += tag.data.length;
    // Signed 32-bit difference: audio may start a few ms before video; that is not "spent".
    const span = this.firstMediaTs === null ? 0 : Math.max(0, (tag.timestamp - this.firstMediaTs) | 0);
    const spent =
      span >= this.limits.probeMaxMs ||
      this.heldBytes >= this.limits.probeMaxBytes ||
      this.held.length >= MAX_HELD_TAGS;
    if (!this.tracker.complete && !spent) return OK;
    return this.goLive();
  }

  private goLive(): PublishOutcome {
    const result = this.handler.started(this.channelId, this.publisher);
    if (!result.accept) {
      this.end("disconnected");
      return result;
    }
    this.sink = result.sink;
    this.stateValue = "live";
    const held = this.held;
    this.held = [];
    this.call((sink) => sink.codecs(this.tracker.codecs()));
    for (const tag of held) this.pass(tag);
    return OK;
  }

  /** One tag to the sink: `call` without a closure, as every live tag goes this way. */
  private pass(tag: FlvTag): void {
    const sink = this.sink;
    if (!sink || this.stateValue !== "live") return;
    try {
      sink.tag(tag);
    } catch (error) {
      this.sinkThrew(error);
    }
  }

  /** Sink calls: a throwing sink ends the publish (end is still called once) and surfaces. */
  private call(action: (sink: PublishSink) => void): void {
    const sink = this.sink;
    if (!sink || this.stateValue !== "live") return;
    try {
      action(sink);
    } catch (error) {
      this.sinkThrew(error);
    }
  }

  private sinkThrew(error: unknown): never {
    try {
      this.end("sink_error");
    } catch {
      // the sink failed twice; nothing more to tell it
    }
    throw new SinkError("the publish sink threw", { cause: error });
  }
}
