// The scheduler decides which restream actors run where: an actor runs on the node that holds
// its channel's ingest, while the restream is started and its feature switches are on. It
// compares that wish with what it placed and asks nodes to ensure or remove actors. A restream
// with no actor shows Stopped or Awaiting Stream (node/restreams/status.ts).
//
// Triggers: a store change (desired state, destinations, switches), an ingest going live or
// offline, a node leaving, and a periodic sweep that retries what failed.
import { createHash } from "node:crypto";
import type { RelaySpec } from "../actors/relay.js";
import type { Catalog } from "../catalog/catalog.js";
import { requiredFeatures } from "../catalog/features.js";
import type { DestinationRecord } from "../catalog/records.js";
import { relaySpecOf } from "./relay-spec.js";

/** How the scheduler reaches actor hosts (Moleculer calls with a nodeID, in the services). */
export interface SchedulerParent {
  ensureActor(
    nodeId: string,
    actor: { restreamId: string; channelId: string; spec: RelaySpec },
  ): Promise<void>;
  removeActor(nodeId: string, restreamId: string): Promise<void>;
  /** Only the leader places actors; the others keep their view current and wait. */
  isLeader(): boolean;
  warn(details: Record<string, unknown>, message: string): void;
}

interface Wanted {
  readonly nodeId: string;
  readonly channelId: string;
  readonly spec: RelaySpec;
  readonly fingerprint: string;
}

export class Scheduler {
  /** channelId -> the node holding its ingest. */
  private readonly ingests = new Map<string, string>();
  /** restreamId -> where its actor was placed, with which spec. */
  private readonly placed = new Map<string, { nodeId: string; fingerprint: string }>();
  private running: Promise<void> | null = null;
  private pending = false;

  constructor(
    private readonly catalog: Catalog,
    private readonly parent: SchedulerParent,
  ) {}

  ingestLive(channelId: string, nodeId: string): void {
    this.ingests.set(channelId, nodeId);
    this.request();
  }

  /** Ignored when the channel is live elsewhere by now (its publisher moved). */
  ingestOffline(channelId: string, nodeId: string): void {
    if (this.ingests.get(channelId) !== nodeId) return;
    this.ingests.delete(channelId);
    this.request();
  }

  /** Replaces the whole ingest map with what the nodes say now (periodic resync: covers lost events). */
  syncIngests(ingests: readonly { channelId: string; nodeId: string }[]): void {
    this.ingests.clear();
    for (const { channelId, nodeId } of ingests) this.ingests.set(channelId, nodeId);
    this.request();
  }

  /** A node left the mesh: its ingests and actors went with it. */
  nodeLeft(nodeId: string): void {
    for (const [channelId, node] of this.ingests) if (node === nodeId) this.ingests.delete(channelId);
    for (const [restreamId, placement] of this.placed)
      if (placement.nodeId === nodeId) this.placed.delete(restreamId);
    this.request();
  }

  /** Asks for a reconcile; calls while one runs coalesce into one more. Resolves when settled. */
  request(): Promise<void> {
    if (this.running) {
      this.pending = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.pending = false;
        await this.reconcile().catch((error: unknown) =>
          this.parent.warn({ err: error }, "reconcile failed"),
        );
      } while (this.pending);
      this.running = null;
    })();
    return this.running;
  }

  private async wanted(): Promise<Map<string, Wanted>> {
    const [restreams, destinations, features] = await Promise.all([
      this.catalog.restreams.list(),
      this.catalog.destinations.list(),
      this.catalog.features.get(),
    ]);
    const byId = new Map<string, DestinationRecord>(destinations.map((d) => [d.id, d]));
    const wanted = new Map<string, Wanted>();
    for (const restream of restreams) {
      const nodeId = this.ingests.get(restream.channelId);
      if (restream.desired !== "started" || nodeId === undefined) continue;
      const destination = restream.kind === "destination" ? byId.get(restream.destinationId) : undefined;
      if (!requiredFeatures(restream, destination).every((name) => features[name])) continue;
      const spec = relaySpecOf(restream, destination);
      if (!spec) continue;
      const fingerprint = createHash("sha256").update(JSON.stringify(spec)).digest("hex");
      wanted.set(restream.id, { nodeId, channelId: restream.channelId, spec, fingerprint });
    }
    return wanted;
  }

  private async reconcile(): Promise<void> {
    if (!this.parent.isLeader()) return;
    const wanted = await this.wanted();
    for (const [restreamId, placement] of this.placed) {
      if (wanted.get(restreamId)?.nodeId === placement.nodeId) continue;
      this.placed.delete(restreamId);
      await this.parent.removeActor(placement.nodeId, restreamId).catch((error: unknown) => {
        this.parent.warn({ err: error, restreamId, targetNode: placement.nodeId }, "could not remove actor");
      });
    }
    for (const [restreamId, want] of wanted) {
      if (this.placed.get(restreamId)?.fingerprint === want.fingerprint) continue;
      try {
        await this.parent.ensureActor(want.nodeId, {
          restreamId,
          channelId: want.channelId,
          spec: want.spec,
        });
        this.placed.set(restreamId, { nodeId: want.nodeId, fingerprint: want.fingerprint });
      } catch (error) {
        this.parent.warn({ err: error, restreamId, targetNode: want.nodeId }, "could not place actor");
      }
    }
  }
}
