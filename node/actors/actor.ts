// What both actors (RestreamActor, PlaybackActor) are made of, in one place: the wanted order (run
// or not) kept apart from the observed state, a state machine from the kit, one queue that runs
// commands and engine events one at a time, the retry timer, and the three steps every actor takes
// with its child (an engine's relay or listener and the hub reader feeding it):
//   fail()   a child failed: back off, retry after the delay, report the error with its retry time
//   halt()   stop the child on purpose and wait for it (a stop, an update, an ingest change)
//   detach() forget the child and close its reader, so its late events are ignored
// Each actor adds its own states, its settle() (where to go from a resting point) and what counts
// as an error in its report.
import type { FeedReader, IngestFeed, RelayFailure, RelayHandle, RelayProgress } from "../defs/relay.js";
import type { ActorReport, RestreamError, RestreamStats } from "../defs/restream-status.js";
import { Retry } from "../kit/backoff.js";
import { SerialQueue } from "../kit/queue.js";
import { StateMachine, type Transitions } from "../kit/state-machine.js";
import { ActorLog, type LogLine } from "./actor-log.js";

/** The states every actor has; each adds its own (RestreamActor: starting, blocked; PlaybackActor: listening). */
export type CommonState = "idle" | "waiting" | "streaming" | "backoff" | "stopping";

/** The narrow parent: where reports go, which node this is, and whether a retry may connect. */
export interface ActorParent {
  readonly nodeId: string;
  changed(report: ActorReport): void;
  /**
   * Asked when the retry timer fires, before connecting again: whether the store still places
   * this actor here. A node cut off from the mesh retries into the void; when it is back, the
   * placement may have moved to another node that now pushes, and a retry would be a second
   * publisher at the destination until the node hears of the move (issue 14).
   */
  mayRetry(): Promise<boolean>;
}

/** An actor's running child: the engine's handle and what feeds it (a hub reader; a listener's callers' readers). */
export interface Child {
  readonly handle: RelayHandle;
  readonly reader: Pick<FeedReader, "close">;
}

export const NO_PROGRESS: RelayProgress = { bitrateBps: 0, bytesSent: 0, speed: 0 };

export abstract class Actor<S extends string, C extends Child> {
  protected readonly machine: StateMachine<CommonState | S>;
  protected wanted: "run" | "stop" = "stop";
  protected ingest: IngestFeed | null = null;
  protected child: C | null = null;
  protected failure: RestreamError | null = null;
  protected progress = NO_PROGRESS;
  protected streamingSince: number | null = null;
  protected readonly retry = new Retry();
  /** Bytes the children before the current one sent. */
  private bytesBefore = 0;
  private readonly lines = new ActorLog();
  private readonly queue = new SerialQueue();

  /**
   * `what` names the actor in errors ("restream", "remote playback"); entering one of `errorStates`
   * is always reported, even when the report's state stays "error" (a new message, a new retry time).
   */
  constructor(
    readonly id: string,
    what: string,
    transitions: Transitions<CommonState | S>,
    private readonly errorStates: readonly (CommonState | S)[],
    protected readonly parent: ActorParent,
  ) {
    this.machine = new StateMachine(`${what} ${id}`, transitions, "idle", {
      onChange: (from) => {
        if (from === "streaming") this.leaveStreaming();
      },
    });
  }

  get current(): CommonState | S {
    return this.machine.current;
  }

  get entered(): Readonly<Record<CommonState | S, number>> {
    return this.machine.entered;
  }

  start(): Promise<void> {
    return this.enqueue(async () => {
      this.wanted = "run";
      if (this.current === "idle") this.settle();
    });
  }

  /** Stops the child (if any) and ends in idle; the actor can be started again. Idempotent. */
  stop(): Promise<void> {
    return this.enqueue(async () => {
      this.wanted = "stop";
      await this.halt();
      this.settle();
    });
  }

  report(): ActorReport {
    const state = this.current === "streaming" ? "streaming" : this.inError() ? "error" : "awaiting_stream";
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

  /** From a resting point, go where the wanted order and the ingest say. */
  protected abstract settle(): void;

  /** Whether the report says "error" now. */
  protected abstract inError(): boolean;

  /** How often a child was started again (for the report's stats). */
  protected abstract restarts(): number;

  /** Runs a command or an engine event after the ones before it; an error is logged, never thrown. */
  protected enqueue(step: () => void | Promise<void>): Promise<void> {
    return this.queue
      .run(step)
      .catch((error: unknown) =>
        this.log(`internal error: ${error instanceof Error ? error.message : String(error)}`),
      );
  }

  protected log(text: string): void {
    this.lines.push(text);
  }

  protected moveTo(next: CommonState | S): void {
    const before = this.report().state;
    if (!this.machine.move(next)) return;
    const after = this.report();
    if (after.state !== before || this.errorStates.includes(next)) this.parent.changed(after);
  }

  /** A new child is about to start: its progress counts from zero, its predecessors' bytes stay counted. */
  protected newChild(): void {
    this.bytesBefore += this.progress.bytesSent;
    this.progress = NO_PROGRESS;
  }

  /** The child failed (or could not start): back off, and settle again when the retry timer fires. */
  protected fail(failure: RelayFailure): void {
    const delay = this.retry.schedule(() => {
      void this.enqueue(() => this.retryNow(failure));
    });
    this.failure = { ...failure, retryAt: new Date(Date.now() + delay).toISOString() };
    this.log(`error (${failure.code}): ${failure.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.moveTo("backoff");
  }

  /** The retry timer fired: settle again if the store still places this actor here, else back off again. */
  private async retryNow(failure: RelayFailure): Promise<void> {
    if (this.current !== "backoff") return;
    if (await this.parent.mayRetry().catch(() => false)) return this.settle();
    if (this.current !== "backoff" || this.wanted === "stop") return;
    this.log("not retrying: the store did not confirm that this node still runs the restream");
    this.fail(failure);
  }

  /** Stops the child, if any, and waits for it; cancels a pending retry. */
  protected async halt(): Promise<void> {
    this.retry.cancel();
    const child = this.child;
    if (!child) return;
    this.moveTo("stopping");
    this.detach();
    await child.handle.stop();
  }

  /** Forgets the child (its late events no longer match) and closes its reader. */
  protected detach(): void {
    this.child?.reader.close();
    this.child = null;
  }

  /** Called by the machine on every move out of streaming. */
  protected leaveStreaming(): void {
    this.streamingSince = null;
  }

  private stats(): RestreamStats {
    const streaming = this.current === "streaming";
    return {
      bitrateBps: streaming ? this.progress.bitrateBps : 0,
      bytesSent: this.bytesBefore + this.progress.bytesSent,
      uptimeSeconds: this.streamingSince === null ? 0 : Math.round((Date.now() - this.streamingSince) / 1000),
      restarts: this.restarts(),
      speed: streaming ? this.progress.speed : 0,
    };
  }
}
