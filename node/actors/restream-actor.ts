// RestreamActor: pushes one channel to one destination and keeps doing so by itself.
//
// States and the only legal moves (anything else throws IllegalTransitionError):
//   idle      -> waiting | blocked | starting                 start()
//   waiting   -> starting | blocked | idle                     ingest arrives / stop()
//   starting  -> streaming | stopping | backoff | waiting      first progress / stop, update / failure / input ended
//   streaming -> stopping | backoff | waiting                  stop, update, stall / failure / input ended
//   backoff   -> starting | waiting | blocked | idle           retry timer / ingest gone / codecs changed / stop()
//   blocked   -> starting | waiting | idle                     codecs fixed / ingest gone / stop()
//   stopping  -> idle | waiting | blocked | starting | backoff  relay exited: settle() decides
//
// The wanted order (run or not) is kept apart from the observed state. Commands and relay
// events go through one promise queue, so no two steps interleave. `blocked` is the
// unsupported-codec error: no retry loop, it waits for the ingest's codecs to change.

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
import type { ActorReport, RestreamError, RestreamStats } from "../defs/restream-status.js";
import { ActorLog, CommandQueue, IllegalTransitionError, type LogLine } from "../kit/actor-parts.js";
import { BACKOFF, Retry } from "../kit/backoff.js";
import { codecProblem } from "../restreams/codec-rules.js";

export type ActorState = "idle" | "waiting" | "starting" | "streaming" | "backoff" | "blocked" | "stopping";

const TRANSITIONS: Record<ActorState, readonly ActorState[]> = {
  idle: ["waiting", "blocked", "starting"],
  waiting: ["starting", "blocked", "idle"],
  starting: ["streaming", "stopping", "backoff", "waiting"],
  streaming: ["stopping", "backoff", "waiting"],
  backoff: ["starting", "waiting", "blocked", "idle"],
  blocked: ["starting", "waiting", "idle"],
  stopping: ["idle", "waiting", "blocked", "starting", "backoff"],
};

/** A relay that made no progress for this long is restarted. */
export const STALL_TIMEOUT_MS = 10_000;

/** The narrow parent: where reports go and which node this is. */
export interface ActorParent {
  readonly nodeId: string;
  changed(report: ActorReport): void;
}

interface Relay {
  readonly handle: RelayHandle;
  readonly reader: FeedReader;
}

export class RestreamActor {
  private state: ActorState = "idle";
  private wanted: "run" | "stop" = "stop";
  private ingest: IngestFeed | null = null;
  private relay: Relay | null = null;
  private readonly queue = new CommandQueue((error) =>
    this.log(`internal error: ${error instanceof Error ? error.message : String(error)}`),
  );
  private failure: RestreamError | null = null;
  private launches = 0;
  private bytesBeforeThisRelay = 0;
  private progress: RelayProgress = { bitrateBps: 0, bytesSent: 0, speed: 0 };
  private streamingSince: number | null = null;
  private readonly retry = new Retry();
  private stallTimer: NodeJS.Timeout | undefined;
  private healthyTimer: NodeJS.Timeout | undefined;
  private readonly lines = new ActorLog();
  readonly entered: Record<ActorState, number> = {
    idle: 0,
    waiting: 0,
    starting: 0,
    streaming: 0,
    backoff: 0,
    blocked: 0,
    stopping: 0,
  };

  constructor(
    readonly id: string,
    private spec: RelaySpec,
    private readonly engine: RelayEngine,
    private readonly parent: ActorParent,
  ) {}

  get current(): ActorState {
    return this.state;
  }

  start(): Promise<void> {
    return this.enqueue(async () => {
      this.wanted = "run";
      if (this.state === "idle") this.settle();
    });
  }

  /** Stops the relay (if any) and ends in idle; the actor can be started again. */
  stop(): Promise<void> {
    return this.enqueue(async () => {
      this.wanted = "stop";
      await this.halt();
      this.settle();
    });
  }

  /** The channel went live (a feed) or offline (null), or its codecs changed. */
  setIngest(feed: IngestFeed | null): Promise<void> {
    return this.enqueue(async () => {
      this.ingest = feed;
      if (feed === null && this.relay) return; // the relay's input ends by itself; its exit settles
      if (this.state === "backoff" && feed !== null) return; // the retry timer decides when
      if (this.state !== "idle" && this.state !== "starting" && this.state !== "streaming") this.settle();
    });
  }

  /** New destination or key: a running relay restarts with it at once. */
  update(spec: RelaySpec): Promise<void> {
    return this.enqueue(async () => {
      this.spec = spec;
      this.failure = null;
      this.retry.reset();
      if (this.relay) await this.halt();
      if (this.state !== "idle") this.settle();
    });
  }

  report(): ActorReport {
    const state = this.state === "streaming" ? "streaming" : this.isError() ? "error" : "awaiting_stream";
    return {
      state,
      error: state === "error" ? this.failure : null,
      node: this.parent.nodeId,
      stats: this.stats(),
    };
  }

  logs(): readonly LogLine[] {
    return this.lines.lines;
  }

  /** In error while waiting to retry, while blocked, and while a retry connects (until it streams). */
  private isError(): boolean {
    if (this.state === "starting" || this.state === "stopping") return this.failure !== null;
    return this.state === "backoff" || this.state === "blocked";
  }

  private stats(): RestreamStats {
    const streaming = this.state === "streaming";
    return {
      bitrateBps: streaming ? this.progress.bitrateBps : 0,
      bytesSent: this.bytesBeforeThisRelay + this.progress.bytesSent,
      uptimeSeconds: this.streamingSince === null ? 0 : Math.round((Date.now() - this.streamingSince) / 1000),
      restarts: Math.max(0, this.launches - 1),
      speed: streaming ? this.progress.speed : 0,
    };
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    return this.queue.run(step);
  }

  private moveTo(next: ActorState): void {
    if (next === this.state) return;
    if (!TRANSITIONS[this.state].includes(next)) {
      throw new IllegalTransitionError(`restream ${this.id}: ${this.state} -> ${next} is not allowed`);
    }
    const before = this.report().state;
    this.state = next;
    this.entered[next] += 1;
    if (next !== "streaming") this.leaveStreaming();
    const after = this.report();
    if (after.state !== before || next === "backoff" || next === "blocked") this.parent.changed(after);
  }

  /** From a resting point, go where the wanted order, the ingest and its codecs say. */
  private settle(): void {
    const problem = this.ingest && codecProblem(this.spec.target.kind, this.ingest.codecs);
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
    this.launches += 1;
    this.bytesBeforeThisRelay += this.progress.bytesSent;
    this.progress = { bitrateBps: 0, bytesSent: 0, speed: 0 };
    const reader = feed.open(this.id);
    const relay: { current?: Relay } = {};
    // Bytes only on demand: an engine that reads the tags (native) must not leave a stream unread.
    const input: RelayInput = {
      container: feed.container,
      ...(reader.tags && { tags: reader.tags }),
      get stream() {
        return reader.stream;
      },
    };
    const handle = this.engine.start(input, this.spec, {
      progress: (progress) => this.enqueue(async () => this.onProgress(relay.current, progress)),
      log: (text) => this.log(text),
      exit: (failure) => void this.enqueue(async () => this.onExit(relay.current, failure)),
    });
    relay.current = { handle, reader };
    this.relay = relay.current;
    this.armStallTimer();
  }

  private onProgress(relay: Relay | undefined, progress: RelayProgress): void {
    if (relay !== this.relay) return;
    this.progress = progress;
    this.armStallTimer();
    if (this.state === "starting" && progress.bytesSent > 0) {
      this.failure = null;
      this.moveTo("streaming");
      this.streamingSince = Date.now();
      this.healthyTimer = setTimeout(() => {
        this.retry.reset();
      }, BACKOFF.healthyResetMs);
    }
  }

  private onExit(relay: Relay | undefined, failure: RelayFailure | null): void {
    if (relay === undefined || relay !== this.relay) return; // a relay we stopped on purpose
    this.detach();
    if (failure) this.fail(failure);
    else if (this.ingest === null) this.moveTo("waiting");
    else this.fail({ code: "internal", message: "the relay ended although the channel is still live" });
  }

  private fail(failure: RelayFailure): void {
    const delay = this.retry.schedule(() => {
      void this.enqueue(async () => {
        if (this.state === "backoff") this.settle();
      });
    });
    this.failure = { ...failure, retryAt: new Date(Date.now() + delay).toISOString() };
    this.log(`error (${failure.code}): ${failure.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.moveTo("backoff");
  }

  /** Stops the current relay, if any, and waits for it. */
  private async halt(): Promise<void> {
    this.retry.cancel();
    const relay = this.relay;
    if (!relay) return;
    this.moveTo("stopping");
    this.detach();
    await relay.handle.stop();
  }

  private detach(): void {
    clearTimeout(this.stallTimer);
    this.relay?.reader.close();
    this.relay = null;
  }

  private leaveStreaming(): void {
    clearTimeout(this.healthyTimer);
    this.streamingSince = null;
  }

  private armStallTimer(): void {
    clearTimeout(this.stallTimer);
    const relay = this.relay;
    this.stallTimer = setTimeout(() => {
      void this.enqueue(async () => {
        if (relay !== this.relay || relay === null) return;
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

  private log(text: string): void {
    this.lines.push(text);
  }
}
