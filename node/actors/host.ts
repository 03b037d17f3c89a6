// The actors a node hosts, by restream id. The scheduler (through streamwell.node) ensures and
// removes them; the node's ingest registry tells which channel feeds are live here.
import { isDeepStrictEqual } from "node:util";
import type { ActorReport } from "../restreams/status.js";
import type { IngestFeed, RelayEngine, RelaySpec } from "./relay.js";
import { type LogLine, RestreamActor } from "./restream-actor.js";

export interface HostParent {
  readonly nodeId: string;
  /** One line per placement, removal and state change, with the ids to grep for. */
  readonly log: { info(details: Record<string, unknown>, message: string): void };
  /** A restream's report changed, or (null) its actor is gone. */
  report(restreamId: string, report: ActorReport | null): void;
  /** The live feed of a channel on this node, if it is live here. */
  feed(channelId: string): IngestFeed | null;
}

export interface ActorOrder {
  readonly restreamId: string;
  readonly channelId: string;
  readonly spec: RelaySpec;
}

/** How many removed actors' logs a node keeps, so users can read why a relay ended. */
const RETIRED_LOGS = 500;

export class ActorHost {
  private readonly actors = new Map<string, { actor: RestreamActor; channelId: string; spec: RelaySpec }>();
  private readonly retired = new Map<string, readonly LogLine[]>();

  constructor(
    private readonly engine: RelayEngine,
    private readonly parent: HostParent,
  ) {}

  /** Creates and starts the actor, or hands a running one its new spec. Idempotent. */
  async ensure(order: ActorOrder): Promise<void> {
    const existing = this.actors.get(order.restreamId);
    if (existing && existing.channelId === order.channelId) {
      // A new leader delivers every placement again: the same spec must not restart a push.
      if (isDeepStrictEqual(existing.spec, order.spec)) return;
      existing.spec = order.spec;
      return existing.actor.update(order.spec);
    }
    if (existing) await this.remove(order.restreamId);
    const { restreamId, channelId } = order;
    this.parent.log.info({ event: "actor_ensured", restreamId, channelId }, "restream actor placed here");
    const actor = new RestreamActor(restreamId, order.spec, this.engine, {
      nodeId: this.parent.nodeId,
      changed: (report) => {
        const error = report.error && { code: report.error.code, message: report.error.message };
        const details = { event: "restream_state", restreamId, channelId, state: report.state, error };
        this.parent.log.info(details, `restream ${report.state}`);
        this.parent.report(restreamId, report);
      },
    });
    this.actors.set(order.restreamId, { actor, channelId: order.channelId, spec: order.spec });
    await actor.setIngest(this.parent.feed(order.channelId));
    await actor.start();
    this.parent.report(order.restreamId, actor.report());
  }

  async remove(restreamId: string): Promise<void> {
    const entry = this.actors.get(restreamId);
    if (!entry) return;
    this.actors.delete(restreamId);
    await entry.actor.stop();
    this.retire(restreamId, entry.actor.logs());
    this.parent.log.info(
      { event: "actor_removed", restreamId, channelId: entry.channelId },
      "restream actor removed",
    );
    this.parent.report(restreamId, null);
  }

  /** A channel went live here (its feed) or offline (null). */
  async ingestChanged(channelId: string, feed: IngestFeed | null): Promise<void> {
    const actors = [...this.actors.values()].filter((entry) => entry.channelId === channelId);
    await Promise.all(actors.map((entry) => entry.actor.setIngest(feed)));
  }

  report(restreamId: string): ActorReport | undefined {
    return this.actors.get(restreamId)?.actor.report();
  }

  reports(): Record<string, ActorReport> {
    return Object.fromEntries([...this.actors].map(([id, entry]) => [id, entry.actor.report()]));
  }

  /** The running actor's log, or the last one's after it was removed. */
  logs(restreamId: string): readonly LogLine[] {
    return this.actors.get(restreamId)?.actor.logs() ?? this.retired.get(restreamId) ?? [];
  }

  get size(): number {
    return this.actors.size;
  }

  private retire(restreamId: string, lines: readonly LogLine[]): void {
    this.retired.delete(restreamId);
    this.retired.set(restreamId, [...lines]);
    const oldest = this.retired.keys().next().value;
    if (this.retired.size > RETIRED_LOGS && oldest !== undefined) this.retired.delete(oldest);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.actors.keys()].map((id) => this.remove(id)));
  }
}
