// RestreamActor: pushes one channel to one destination and keeps doing so by itself.
//
// States and the only legal moves (anything else throws IllegalTransitionError):
//   idle      -> waiting | blocked | starting                 start()
//   waiting   -> starting | blocked | idle                     ingest arrives / stop()
//   starting  -> streaming | stopping | backoff | waiting      first progress / stop, update / failure / input ended
//             | lingering                                      refused while taking over from a vanished node
//   streaming -> stopping | backoff | waiting                  stop, update, stall / failure / input ended
//   backoff   -> starting | waiting | blocked | idle           retry timer / ingest gone / codecs changed / stop()
//   lingering -> starting | waiting | blocked | idle | backoff  0.5 s timer / ingest gone / codecs / stop() / fence says no
//   blocked   -> starting | waiting | idle                     codecs fixed / ingest gone / stop()
//   stopping  -> idle | waiting | blocked | starting | backoff  relay exited: settle() decides
//
// The wanted order, the queue, fail/halt/detach are the actors' common part (./actor.ts). `blocked`
// is the unsupported-codec error: no retry loop, it waits for the ingest's codecs to change.
// `lingering` is a takeover's refusal read as the vanished node's session still open at the
// destination (./takeover.ts): not an error, retried soon.
// With a slate (spec.slate) a push reads a SlateHold (of FLV tags, or of MPEG-TS units for a
// channel ingested over SRT or with Enhanced RTMP video): when the channel goes offline
// the push stays in streaming with the slate on air (`holding`), and a channel back live is
// handed to the hold instead of starting a new push (node/slate/slate-hold.ts).
import type { Readable } from "node:stream";
import type {
  FeedReader,
  IngestFeed,
  RelayEngine,
  RelayFailure,
  RelayHandle,
  RelayInput,
  RelayProgress,
  RelaySpec,
} from "../defs/relay.js";
import type { ActorReport } from "../defs/restream-status.js";
import { BACKOFF } from "../kit/backoff.js";
import type { Transitions } from "../kit/state-machine.js";
import { codecProblem } from "../restreams/codec-rules.js";
import { holdStream } from "../slate/hold-stream.js";
import { FLV_HOLD, type HoldUnits, TS_HOLD } from "../slate/hold-units.js";
import type { SlateSignature } from "../slate/signature.js";
import { SlateHold } from "../slate/slate-hold.js";
import type { ClipFormat, SlateClip } from "../slate/slate-store.js";
import { Actor, type ActorParent, type CommonState } from "./actor.js";
import { TAKEOVER_RETRY_MS, TakeoverGrace } from "./takeover.js";

export type ActorState = CommonState | "starting" | "blocked" | "lingering";

const TRANSITIONS: Transitions<ActorState> = {
  idle: ["waiting", "blocked", "starting"],
  waiting: ["starting", "blocked", "idle"],
  starting: ["streaming", "stopping", "backoff", "waiting", "lingering"],
  streaming: ["stopping", "backoff", "waiting"],
  backoff: ["starting", "waiting", "blocked", "idle"],
  lingering: ["starting", "waiting", "blocked", "idle", "backoff"],
  blocked: ["starting", "waiting", "idle"],
  stopping: ["idle", "waiting", "blocked", "starting", "backoff"],
};

/** A relay that made no progress for this long is restarted. */
export const STALL_TIMEOUT_MS = 10_000;

interface Relay {
  readonly handle: RelayHandle;
  readonly reader: FeedReader;
  /** The slate hold the push reads, for a restream with a slate. */
  readonly hold: Hold | null;
}

/** What the actor does with a hold, whatever its units. */
type Hold = Pick<SlateHold<unknown>, "holding" | "resumable" | "resume">;

/** The channel's slate clips (node/slate/slate-store.ts), for restreams with a slate. */
export type SlateClips = <U>(signature: SlateSignature, format: ClipFormat<U>) => Promise<SlateClip<U>>;

export class RestreamActor extends Actor<"starting" | "blocked" | "lingering", Relay> {
  private launches = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private healthyTimer: NodeJS.Timeout | undefined;

  constructor(
    id: string,
    private spec: RelaySpec,
    private readonly engine: RelayEngine,
    parent: ActorParent,
    private readonly slates: SlateClips | null = null,
    private readonly takeover = new TakeoverGrace(undefined),
  ) {
    super(id, "restream", TRANSITIONS, ["backoff", "blocked"], parent);
  }

  /** The channel went live (a feed) or offline (null), or its codecs changed. */
  setIngest(feed: IngestFeed | null): Promise<void> {
    return this.enqueue(() => {
      this.ingest = feed;
      if (feed !== null && this.child?.hold?.resumable) return this.child.hold.resume(feed.open(this.id));
      if (feed === null && this.child) return; // the relay's input ends by itself (or holds); its exit settles
      // the retry timer decides when
      if ((this.current === "backoff" || this.current === "lingering") && feed !== null) return;
      if (this.current !== "idle" && this.current !== "starting" && this.current !== "streaming")
        this.settle();
    });
  }

  /** New destination or key: a running relay restarts with it at once. */
  update(spec: RelaySpec): Promise<void> {
    return this.enqueue(async () => {
      this.spec = spec;
      this.failure = null;
      this.retry.reset();
      if (this.child) await this.halt();
      if (this.current !== "idle") this.settle();
    });
  }

  /** Stops a relay still connecting and backs off; its retry asks the fence first (ActorParent.mayRetry). */
  abortConnect(): Promise<void> {
    return this.enqueue(async () => {
      if (this.current !== "starting" || this.child === null) return;
      await this.halt();
      this.fail({
        code: "destination_timeout",
        message: "connect aborted: this node lost contact with the mesh's store",
      });
    });
  }

  /** In error while waiting to retry, while blocked, and while a retry connects (until it streams). */
  protected inError(): boolean {
    if (this.current === "starting" || this.current === "stopping") return this.failure !== null;
    return this.current === "backoff" || this.current === "blocked";
  }

  /** Streaming with the slate on air: `holding`. */
  override report(): ActorReport {
    const report = super.report();
    return { ...report, holding: report.state === "streaming" && this.child?.hold?.holding === true };
  }

  protected restarts(): number {
    return Math.max(0, this.launches - 1);
  }

  protected settle(): void {
    const problem = this.ingest && codecProblem(this.spec.target.kind, this.ingest.codecs, this.spec.output);
    if (this.wanted === "stop") this.moveTo("idle");
    else if (this.ingest === null) this.moveTo("waiting");
    else if (problem) {
      this.failure = { code: "unsupported_codec", message: problem, retryAt: null };
      this.log(`not starting: ${problem}`);
      this.moveTo("blocked");
    } else this.launch(this.ingest);
  }

  private launch(feed: IngestFeed): void {
    this.moveTo("starting");
    this.takeover.connecting();
    this.launches += 1;
    this.newChild();
    const opened = feed.open(this.id);
    const held = this.holdFor(feed, opened);
    const hold = held?.hold ?? null;
    const reader = held?.reader ?? opened;
    const relay: { current?: Relay } = {};
    // Bytes only on demand: an engine that reads the tags (native) must not leave a stream unread.
    const input: RelayInput = {
      container: feed.container,
      codecs: feed.codecs,
      ...(reader.tags && { tags: reader.tags }),
      get stream() {
        return reader.stream;
      },
    };
    const handle = this.engine.start(input, this.spec, {
      progress: (progress) => this.enqueue(() => this.onProgress(relay.current, progress)),
      log: (text) => this.log(text),
      exit: (failure) => void this.enqueue(() => this.onExit(relay.current, failure)),
    });
    relay.current = { handle, reader, hold };
    this.child = relay.current;
    this.armStallTimer();
  }

  /** A hold in front of the feed's units when the restream has a slate: the reader the engine gets. */
  private holdFor(feed: IngestFeed, reader: FeedReader): { hold: Hold; reader: FeedReader } | null {
    const seconds = this.spec.slate?.seconds;
    if (seconds === undefined || this.slates === null) return null;
    return feed.container === "flv"
      ? this.held(FLV_HOLD, reader, seconds)
      : this.held(TS_HOLD, reader, seconds);
  }

  /** The hold over the reader's units of the feed's container (an Enhanced RTMP channel's: MPEG-TS). */
  private held<U>(units: HoldUnits<U>, reader: FeedReader, seconds: number) {
    const clips = this.slates;
    if (clips === null || !units.source(reader)) return null;
    const hold: SlateHold<U> = new SlateHold(units, reader, seconds, {
      codecs: () => this.ingest?.codecs ?? null,
      clip: (signature) => clips(signature, units.clip),
      holding: (on, why) =>
        void this.enqueue(() => {
          if (this.child?.hold !== hold) return;
          this.log(`${on ? "slate on air" : "slate off air"}: ${why}`);
          this.parent.changed(this.report());
        }),
    });
    let stream: Readable | undefined;
    return { hold, reader: units.reader(hold, () => (stream ??= holdStream(hold, units.bytes))) };
  }

  private onProgress(relay: Relay | undefined, progress: RelayProgress): void {
    if (relay !== this.child) return;
    this.progress = progress;
    this.armStallTimer();
    if (this.current === "starting" && progress.bytesSent > 0) {
      this.failure = null;
      this.takeover.streamed();
      this.moveTo("streaming");
      this.streamingSince = Date.now();
      this.healthyTimer = setTimeout(() => {
        this.retry.reset();
      }, BACKOFF.healthyResetMs);
    }
  }

  private onExit(relay: Relay | undefined, failure: RelayFailure | null): void {
    if (relay === undefined || relay !== this.child) return; // a relay we stopped on purpose
    this.detach();
    if (failure && this.current === "starting" && this.takeover.verdict(failure.code) === "lingering_session")
      this.linger(failure);
    else if (failure) this.fail(failure);
    else if (this.ingest === null) this.moveTo("waiting");
    else this.fail({ code: "internal", message: "the relay ended although the channel is still live" });
  }

  /** A takeover refused: the vanished node's session is still open there. Not an error; soon again. */
  private linger(failure: RelayFailure): void {
    this.log(
      `the destination still holds the previous node's session (${this.takeover.previousNodeId}); retrying in ${TAKEOVER_RETRY_MS} ms`,
    );
    this.moveTo("lingering");
    this.retry.after(TAKEOVER_RETRY_MS, () => {
      void this.enqueue(async () => {
        if (this.current !== "lingering") return; // stopped, or the channel went offline meanwhile
        if (await this.parent.mayRetry().catch(() => false)) return this.settle();
        this.log("not retrying: the store did not confirm that this node still runs the restream");
        this.fail(failure);
      });
    });
  }

  protected override detach(): void {
    clearTimeout(this.stallTimer);
    super.detach();
  }

  protected override leaveStreaming(): void {
    clearTimeout(this.healthyTimer);
    super.leaveStreaming();
  }

  private armStallTimer(): void {
    clearTimeout(this.stallTimer);
    const relay = this.child;
    this.stallTimer = setTimeout(() => {
      void this.enqueue(async () => {
        if (relay !== this.child || relay === null) return;
        this.log(`no progress for ${STALL_TIMEOUT_MS / 1000} s: restarting the relay`);
        this.detach();
        this.moveTo("stopping");
        await relay.handle.stop();
        this.fail({
          code: "destination_timeout",
          message: `no data reached the destination for ${STALL_TIMEOUT_MS / 1000} s`,
        });
      });
    }, STALL_TIMEOUT_MS);
  }
}
