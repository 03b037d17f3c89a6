// PlaybackActor: serves one channel to SRT callers (Remote Playback), one caller at a time, on the
// port and passphrase allocated with the restream.
//
// States and the only legal moves (anything else throws IllegalTransitionError):
//   idle      -> waiting | listening              start()
//   waiting   -> listening | idle                 the channel went live here / stop()
//   listening -> streaming | stopping | backoff   a caller connected / stop, ingest changed / listener failed
//   streaming -> listening | waiting | stopping  the caller left: listen anew (or the channel ended) / stop, ingest changed
//   stopping  -> idle | waiting | listening       the listener exited: settle() decides
//   backoff   -> listening | waiting | idle       retry timer / channel gone / stop()
//
// A listener is an ffmpeg that opens its input from a primed stream (node/hub/primed-stream.ts)
// and then waits in the SRT accept; the stream flows only once a caller has connected, so the hub
// never holds data for a listener nobody pulls from, and each caller starts on a fresh keyframe.
// The wanted order is kept apart from the observed state; commands and engine events go through
// one queue. Reported: Streaming while a caller pulls, Error while waiting to retry a failed
// listener, Awaiting Stream otherwise.

import type {
  IngestFeed,
  ListenerEngine,
  PlaybackSpec,
  PrimedReader,
  RelayFailure,
  RelayHandle,
  RelayProgress,
} from "../defs/relay.js";
import type { ActorReport, RestreamError, RestreamStats } from "../defs/restream-status.js";
import { ActorLog, CommandQueue, type LogLine, StateMachine } from "../kit/actor-parts.js";
import { Retry } from "../kit/backoff.js";
import type { ActorParent } from "./restream-actor.js";

export type PlaybackState = "idle" | "waiting" | "listening" | "streaming" | "stopping" | "backoff";

export const PLAYBACK_TRANSITIONS: Record<PlaybackState, readonly PlaybackState[]> = {
  idle: ["waiting", "listening"],
  waiting: ["listening", "idle"],
  listening: ["streaming", "stopping", "backoff"],
  streaming: ["listening", "waiting", "stopping"],
  stopping: ["idle", "waiting", "listening"],
  backoff: ["listening", "waiting", "idle"],
};

interface Listener {
  readonly handle: RelayHandle;
  readonly reader: PrimedReader;
}

const UNPRIMED = "Remote Playback cannot serve a channel ingested over SRT yet; publish it over RTMP";

const NO_PROGRESS: RelayProgress = { bitrateBps: 0, bytesSent: 0, speed: 0 };

export class PlaybackActor {
  private readonly machine: StateMachine<PlaybackState>;
  private wanted: "run" | "stop" = "stop";
  private ingest: IngestFeed | null = null;
  private listener: Listener | null = null;
  private failure: RestreamError | null = null;
  private bytesBefore = 0;
  private progress = NO_PROGRESS;
  private streamingSince: number | null = null;
  private readonly retry = new Retry();
  private readonly log = new ActorLog();
  private readonly queue = new CommandQueue((error) =>
    this.log.push(`internal error: ${error instanceof Error ? error.message : String(error)}`),
  );

  constructor(
    readonly id: string,
    private readonly spec: PlaybackSpec,
    private readonly engine: ListenerEngine,
    private readonly parent: ActorParent,
  ) {
    this.machine = new StateMachine(`remote playback ${id}`, PLAYBACK_TRANSITIONS, "idle");
  }

  get current(): PlaybackState {
    return this.machine.current;
  }

  get entered(): Readonly<Record<PlaybackState, number>> {
    return this.machine.entered;
  }

  start(): Promise<void> {
    return this.queue.run(() => {
      this.wanted = "run";
      if (this.current === "idle") this.settle();
    });
  }

  /** Closes the listener (and drops its caller); ends in idle. */
  stop(): Promise<void> {
    return this.queue.run(async () => {
      this.wanted = "stop";
      await this.halt();
      this.settle();
    });
  }

  /** The channel went live here (a feed), offline (null), or its codecs changed: listen anew. */
  setIngest(feed: IngestFeed | null): Promise<void> {
    return this.queue.run(async () => {
      this.ingest = feed;
      if (this.current === "idle" || (this.current === "backoff" && feed !== null)) return;
      await this.halt();
      this.settle();
    });
  }

  /** Port and passphrase never change after creation: nothing to do. */
  update(): Promise<void> {
    return this.queue.run(() => {});
  }

  report(): ActorReport {
    const state =
      this.current === "streaming" ? "streaming" : this.current === "backoff" ? "error" : "awaiting_stream";
    return {
      state,
      error: state === "error" ? this.failure : null,
      node: this.parent.nodeId,
      stats: this.stats(),
    };
  }

  logs(): readonly LogLine[] {
    return this.log.lines;
  }

  private stats(): RestreamStats {
    const streaming = this.current === "streaming";
    return {
      bitrateBps: streaming ? this.progress.bitrateBps : 0,
      bytesSent: this.bytesBefore + this.progress.bytesSent,
      uptimeSeconds: this.streamingSince === null ? 0 : Math.round((Date.now() - this.streamingSince) / 1000),
      restarts: this.machine.entered.backoff,
      speed: streaming ? this.progress.speed : 0,
    };
  }

  private moveTo(next: PlaybackState): void {
    const before = this.report().state;
    if (!this.machine.move(next)) return;
    if (next !== "streaming") this.streamingSince = null;
    const after = this.report();
    if (after.state !== before || next === "backoff") this.parent.changed(after);
  }

  private settle(): void {
    if (this.wanted === "stop") this.moveTo("idle");
    else if (this.ingest === null) this.moveTo("waiting");
    else this.listen(this.ingest);
  }

  private listen(feed: IngestFeed): void {
    if (!feed.openPrimed) {
      this.moveTo("listening");
      this.fail({ code: "internal", message: UNPRIMED });
      return;
    }
    this.bytesBefore += this.progress.bytesSent;
    this.progress = NO_PROGRESS;
    const reader = feed.openPrimed(this.id);
    const ref: { current?: Listener } = {};
    const input = { stream: reader.stream, container: feed.container };
    const handle = this.engine.listen(input, this.spec, {
      connected: () => void this.queue.run(() => this.onConnected(ref.current)),
      progress: (progress) => void this.queue.run(() => this.onProgress(ref.current, progress)),
      log: (text) => this.log.push(text),
      exit: (failure) => void this.queue.run(() => this.onExit(ref.current, failure)),
    });
    ref.current = { handle, reader };
    this.listener = ref.current;
    this.moveTo("listening");
  }

  private onConnected(listener: Listener | undefined): void {
    if (listener === undefined || listener !== this.listener) return;
    listener.reader.resume();
    this.failure = null;
    this.retry.reset();
    this.log.push("a caller connected");
    this.moveTo("streaming");
    this.streamingSince = Date.now();
  }

  private onProgress(listener: Listener | undefined, progress: RelayProgress): void {
    if (listener !== undefined && listener === this.listener) this.progress = progress;
  }

  private onExit(listener: Listener | undefined, failure: RelayFailure | null): void {
    if (listener === undefined || listener !== this.listener) return; // one we stopped on purpose
    this.detach();
    if (failure) this.fail(failure);
    else {
      this.log.push("the caller left: listening again");
      this.settle();
    }
  }

  private fail(failure: RelayFailure): void {
    const delay = this.retry.schedule(() => {
      void this.queue.run(() => {
        if (this.current === "backoff") this.settle();
      });
    });
    this.failure = { ...failure, retryAt: new Date(Date.now() + delay).toISOString() };
    this.log.push(`error (${failure.code}): ${failure.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.moveTo("backoff");
  }

  /** Stops the listener, if any, and waits for it; cancels a pending retry. */
  private async halt(): Promise<void> {
    this.retry.cancel();
    const listener = this.listener;
    if (!listener) return;
    this.moveTo("stopping");
    this.detach();
    await listener.handle.stop();
  }

  private detach(): void {
    this.listener?.reader.close();
    this.listener = null;
  }
}
