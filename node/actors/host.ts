// The actors a node hosts, by restream id: RestreamActors (push) and PlaybackActors (Remote
// Playback). The scheduler (through streamwell.node and the fence) ensures and removes them; the
// node's ingest registry tells which channel feeds are live here. Replacing an actor stops the old
// one before the new one starts, so the calls for one restream run one at a time (a KeyedQueue): an
// ensure that overtook another's removal would leave an actor running that the map no longer holds.
import { isDeepStrictEqual } from "node:util";
import type { ActorOrder } from "../defs/orders.js";
import { isCopy, profileKey } from "../defs/output.js";
import type { ActorSpec, IngestFeed, ListenerEngine, RelayEngine } from "../defs/relay.js";
import type { ActorReport } from "../defs/restream-status.js";
import { KeyedQueue } from "../kit/queue.js";
import type { SlateSignature } from "../slate/signature.js";
import type { ClipFormat, SlateStore } from "../slate/slate-store.js";
import type { ActorParent } from "./actor.js";
import { LOG_LINES, type LogLine } from "./actor-log.js";
import type { EncoderPool } from "./encoders.js";
import { PlaybackActor } from "./playback-actor.js";
import { RestreamActor } from "./restream-actor.js";
import { TakeoverGrace } from "./takeover.js";

export interface HostParent {
  readonly nodeId: string;
  /** One line per placement, removal and state change, with the ids to grep for. */
  readonly log: { info(details: Record<string, unknown>, message: string): void };
  /** A restream's report changed, or (null) its actor is gone. */
  report(restreamId: string, report: ActorReport | null): void;
  /** The live feed of a channel on this node, if it is live here. */
  feed(channelId: string): IngestFeed | null;
  /** Before an actor's retry connects: whether it still runs here (ActorParent.mayRetry). */
  mayRetry(restreamId: string): Promise<boolean>;
  /** The shared encoders of pushes with an output profile; absent where none are placed (chain pushes). */
  readonly encoders?: EncoderPool;
  /** Slate clips, for pushes with `onSourceLoss: "slate"`; absent: they wait instead. */
  readonly slates?: SlateStore;
}

export type HostedKind = "restream" | "playback";

interface Hosted {
  readonly actor: RestreamActor | PlaybackActor;
  readonly kind: HostedKind;
  readonly channelId: string;
  spec: ActorSpec;
}

/** How many removed actors' logs a node keeps, so users can read why a relay ended. */
const RETIRED_LOGS = 500;

export class ActorHost {
  private readonly actors = new Map<string, Hosted>();
  private readonly retired = new Map<string, readonly LogLine[]>();
  private readonly queue = new KeyedQueue<string>();

  constructor(
    private readonly engine: RelayEngine & ListenerEngine,
    private readonly parent: HostParent,
  ) {}

  /** Creates and starts the actor, or hands a running one its new spec. Idempotent. */
  ensure(order: ActorOrder): Promise<void> {
    return this.queue.run(order.restreamId, () => this.place(order));
  }

  /** Stops and forgets the restream's actor, if any. */
  remove(restreamId: string): Promise<void> {
    return this.queue.run(restreamId, () => this.unplace(restreamId));
  }

  private async place(order: ActorOrder): Promise<void> {
    const existing = this.actors.get(order.restreamId);
    const kind = kindOf(order.spec);
    // Another output profile reads another feed: the actor is replaced, like for another channel.
    if (
      existing &&
      existing.channelId === order.channelId &&
      existing.kind === kind &&
      sameOutput(existing.spec, order.spec)
    ) {
      // A new leader delivers every placement again: the same spec must not restart a push.
      if (isDeepStrictEqual(existing.spec, order.spec)) return;
      if (existing.actor instanceof RestreamActor && order.spec.kind === "push") {
        existing.spec = order.spec;
        return existing.actor.update(order.spec);
      }
      // Remote Playback: a new cap replaces the listener (its callers call again).
    }
    if (existing) await this.unplace(order.restreamId);
    const { restreamId, channelId } = order;
    this.parent.log.info(
      { event: "actor_ensured", restreamId, channelId, kind },
      `${kind} actor placed here`,
    );
    const actor = this.create(order);
    this.actors.set(restreamId, { actor, kind, channelId, spec: order.spec });
    await actor.setIngest(this.feedOf(restreamId, channelId, order.spec, this.parent.feed(channelId)));
    await actor.start();
    this.parent.report(restreamId, actor.report());
  }

  private async unplace(restreamId: string): Promise<void> {
    const entry = this.actors.get(restreamId);
    if (!entry) return;
    this.actors.delete(restreamId);
    await entry.actor.stop();
    this.parent.encoders?.release(restreamId);
    this.retire(restreamId, entry.actor.logs());
    this.parent.log.info(
      { event: "actor_removed", restreamId, channelId: entry.channelId, kind: entry.kind },
      `${entry.kind} actor removed`,
    );
    this.parent.report(restreamId, null);
  }

  /** The fence's lease lapsed: pushes still connecting stop and retry later (node/actors/lease.ts). */
  async abortConnecting(): Promise<void> {
    const pushes = [...this.actors.values()].flatMap((entry) =>
      entry.actor instanceof RestreamActor ? [entry.actor] : [],
    );
    await Promise.all(pushes.map((actor) => actor.abortConnect()));
  }

  /** A channel went live here (its feed) or offline (null). */
  async ingestChanged(channelId: string, feed: IngestFeed | null): Promise<void> {
    const actors = [...this.actors].filter(([, entry]) => entry.channelId === channelId);
    await Promise.all(
      actors.map(([id, entry]) => entry.actor.setIngest(this.feedOf(id, channelId, entry.spec, feed))),
    );
  }

  /** A shared encoder failed or recovered: the restreams it feeds report again. */
  encoderChanged(restreamIds: readonly string[]): void {
    for (const id of restreamIds) {
      const report = this.report(id);
      if (report) this.parent.report(id, report);
    }
  }

  /** The actor's report; while its shared encoder backs off, the encoder's error is the restream's. */
  report(restreamId: string): ActorReport | undefined {
    const report = this.actors.get(restreamId)?.actor.report();
    const failure = report && report.state !== "streaming" && this.parent.encoders?.failure(restreamId);
    return failure ? { ...report, state: "error", error: failure } : report;
  }

  /** What each hosted actor reports; only those asked for, if `restreamIds` is given. */
  reports(restreamIds?: readonly string[]): Record<string, ActorReport> {
    const ids = restreamIds ?? [...this.actors.keys()];
    return Object.fromEntries(
      ids.flatMap((id) => {
        const report = this.report(id);
        return report ? [[id, report]] : [];
      }),
    );
  }

  /** The running actor's log, or the last one's after it was removed. */
  logs(restreamId: string): readonly LogLine[] {
    // A changed spec (a new key, another engine) replaces the actor: its predecessors' lines come first.
    const current = this.actors.get(restreamId)?.actor.logs() ?? [];
    return [...(this.retired.get(restreamId) ?? []), ...current].slice(-LOG_LINES);
  }

  /** Actors hosted here, by kind (for /api/v1/nodes and streamwell_node_actors). */
  counts(): Record<HostedKind, number> {
    const counts = { restream: 0, playback: 0 };
    for (const entry of this.actors.values()) counts[entry.kind] += 1;
    return counts;
  }

  /** What an actor reads: the channel's feed, or its shared encoder's for an output profile. */
  private feedOf(restreamId: string, channelId: string, spec: ActorSpec, source: IngestFeed | null) {
    const output = outputOf(spec);
    if (!output) return source;
    if (!this.parent.encoders) throw new Error("an output profile on a host without encoders");
    return this.parent.encoders.feedFor(restreamId, channelId, output, source);
  }

  private create(order: ActorOrder): RestreamActor | PlaybackActor {
    const { restreamId, channelId, spec } = order;
    const parent: ActorParent = {
      nodeId: this.parent.nodeId,
      mayRetry: () => this.parent.mayRetry(restreamId),
      changed: (report) => {
        const error = report.error && { code: report.error.code, message: report.error.message };
        const holding = report.holding === true;
        const details = {
          event: "restream_state",
          restreamId,
          channelId,
          state: report.state,
          error,
          holding,
        };
        this.parent.log.info(details, `restream ${report.state}${holding ? " (slate on air)" : ""}`);
        this.parent.report(restreamId, report);
      },
    };
    return spec.kind === "playback"
      ? new PlaybackActor(restreamId, spec, this.engine, parent)
      : new RestreamActor(
          restreamId,
          spec,
          this.engine,
          parent,
          this.slateClips(channelId),
          new TakeoverGrace(order.takeoverFrom),
        );
  }

  private slateClips(channelId: string) {
    const slates = this.parent.slates;
    return slates
      ? <U>(signature: SlateSignature, format: ClipFormat<U>) => slates.clip(channelId, signature, format)
      : null;
  }

  private retire(restreamId: string, lines: readonly LogLine[]): void {
    const before = this.retired.get(restreamId) ?? [];
    this.retired.delete(restreamId);
    this.retired.set(restreamId, [...before, ...lines].slice(-LOG_LINES));
    const oldest = this.retired.keys().next().value;
    if (this.retired.size > RETIRED_LOGS && oldest !== undefined) this.retired.delete(oldest);
  }

  /** Removes every actor, those whose ensure is still queued or running too. */
  async stopAll(): Promise<void> {
    const ids = new Set([...this.actors.keys(), ...this.queue.pending()]);
    await Promise.all([...ids].map((id) => this.remove(id)));
  }
}

function outputOf(spec: ActorSpec) {
  return spec.kind === "push" && !isCopy(spec.output) ? spec.output : undefined;
}

function sameOutput(a: ActorSpec, b: ActorSpec): boolean {
  const [x, y] = [outputOf(a), outputOf(b)];
  return x === y || (x !== undefined && y !== undefined && profileKey(x) === profileKey(y));
}

function kindOf(spec: ActorSpec): HostedKind {
  return spec.kind === "playback" ? "playback" : "restream";
}
