// The node facade: one object for everything a node answers about itself and runs for the mesh:
// its info (GET /nodes), readiness (GET /readyz), its share of the metrics with the leader's
// rules, the placement fence over its actors, chain ends, live ingests and actor reports. It
// owns the media plane (MediaNode) and the node's history recording. streamwell.node is a thin
// adapter over it; the parent below is all it knows of the mesh (nothing here knows Moleculer).
import { availableParallelism, loadavg } from "node:os";
import type { LogLine } from "../actors/actor-log.js";
import type { ChainEnds } from "../actors/chain-ends.js";
import { PlacementFence } from "../actors/fence.js";
import { FenceLease, SOLE_NODE_LEASE } from "../actors/lease.js";
import { keys } from "../catalog/records.js";
import type { Config } from "../config/schema.js";
import type { ChannelCodecs, IngestStats } from "../defs/codecs.js";
import type { IngestInput } from "../defs/ingest-input.js";
import type { PlacedOrder } from "../defs/orders.js";
import type { ActorReport } from "../defs/restream-status.js";
import type { HistoryRecorder } from "../history/history-recorder.js";
import type { LiveIngest } from "../ingest/registry.js";
import { type BoundPorts, type MediaConfig, MediaNode, type MediaNodeDeps } from "../media-node.js";
import {
  type ActorKind,
  type Exposition,
  exportedChannels,
  exportedRestreams,
  MetricsExporter,
  type MetricsSnapshot,
} from "../metrics/index.js";
import { statusesOf } from "../restreams/statuses.js";
import { storedActorOrder } from "../scheduler/relay-spec.js";
import { ingestListening } from "./readiness.js";

export interface NodeInfo {
  readonly id: string;
  readonly address: string;
  readonly uptimeSeconds: number;
  readonly ingests: number;
  readonly actors: Readonly<Record<ActorKind, number>>;
  readonly maxRestreams: number;
  /** One-minute load average per core. */
  readonly load: number;
}

/** A channel live on this node, as the mesh learns it (streamwell.node.ingests). */
export interface LiveChannel {
  readonly channelId: string;
  readonly nodeID: string;
  readonly codecs: ChannelCodecs;
  readonly stats: IngestStats;
  readonly since: string;
  readonly input: IngestInput | null;
  /** The channel's inputs whose publishers are on this node (a channel with a backup). */
  readonly inputs?: readonly IngestInput[];
}

export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** What the node tells the mesh, and the two facts of the mesh its metrics need. */
export interface LocalNodeParent {
  ingestLive(channelId: string, codecs: ChannelCodecs, inputs: readonly IngestInput[] | undefined): void;
  ingestOffline(channelId: string): void;
  /** The channel's input on air changed (primary <-> backup). */
  inputSwitched(channelId: string): void;
  report(restreamId: string, report: ActorReport | null): void;
  /** Whether this node leads the scheduler: it then also exports what no node hosts. */
  isLeader(): boolean;
  /** The restreams with an actor anywhere and the channels live anywhere (asked by the leader only). */
  meshFacts(): Promise<{ readonly actors: ReadonlySet<string>; readonly live: ReadonlySet<string> }>;
}

/** What the facade is built from: the media plane's parts, plus what info and history need. */
export interface LocalNodeDeps extends MediaNodeDeps {
  readonly config: MediaConfig & Pick<Config, "publicHost" | "maxRestreams" | "natsUrl">;
  readonly history: Pick<HistoryRecorder, "record" | "flush">;
  /** When the node started (ms since the epoch), for its uptime. */
  readonly startedAt: number;
}

export class LocalNode {
  private readonly media: MediaNode;
  private readonly fence: PlacementFence;
  private readonly lease: FenceLease | typeof SOLE_NODE_LEASE;
  private readonly exporter: MetricsExporter;
  /** The ingest ports bound at start; null until then (readiness waits for them). */
  private bound: BoundPorts | null = null;

  constructor(
    private readonly deps: LocalNodeDeps,
    private readonly parent: LocalNodeParent,
  ) {
    const { config, history, catalog, log } = deps;
    // What this node sees goes into the history here, in batches (node/history/).
    this.media = new MediaNode(deps, {
      ingestLive: (channelId, codecs, inputs) => {
        history.record(channelId, "live");
        parent.ingestLive(channelId, codecs, inputs);
      },
      ingestOffline: (channelId) => {
        history.record(channelId, "offline");
        parent.ingestOffline(channelId);
      },
      inputSwitched: (channelId) => parent.inputSwitched(channelId),
      report: (restreamId, report) => {
        if (report) history.record(restreamId, report.state, report.error);
        parent.report(restreamId, report);
      },
      mayRetry: (restreamId) => this.fence.confirm(restreamId),
    });
    // A single node (no NATS) has no peer that could take its restreams over: no lease to renew.
    this.lease = config.natsUrl
      ? new FenceLease(
          () => deps.store.put(keys.lease(config.nodeId), { renewedAt: new Date().toISOString() }),
          () => this.fence.leaseLapsed(),
        )
      : SOLE_NODE_LEASE;
    this.fence = new PlacementFence(
      config.nodeId,
      catalog.placements,
      this.media.host,
      { actorOrder: (restreamId) => storedActorOrder(catalog, restreamId) },
      this.lease,
      log.child({ module: "fence" }),
    );
    this.exporter = new MetricsExporter({ node: config.nodeId, processMetrics: true });
  }

  get chains(): ChainEnds {
    return this.media.chains;
  }

  async start(): Promise<BoundPorts> {
    await this.lease.start();
    await this.fence.start();
    this.bound = await this.media.start();
    return this.bound;
  }

  async stop(): Promise<void> {
    this.bound = null;
    this.lease.stop();
    this.fence.stop();
    await this.media.stop();
    await this.deps.history.flush();
  }

  info(): NodeInfo {
    const { config, startedAt } = this.deps;
    return {
      id: config.nodeId,
      address: config.publicHost,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      ingests: this.media.registry.list().length,
      actors: this.actorCounts(),
      maxRestreams: config.maxRestreams,
      load: Number(((loadavg()[0] ?? 0) / availableParallelism()).toFixed(2)),
    };
  }

  async readiness(): Promise<Readiness> {
    try {
      await this.deps.store.ping();
    } catch (cause) {
      return { ready: false, reason: `store is not ready: ${String(cause)}` };
    }
    if (!(await ingestListening(this.deps.config.bindHost, this.bound)))
      return { ready: false, reason: "the RTMP ingest is not listening" };
    return { ready: true };
  }

  /** Runs the orders the store's placements confirm (node/actors/fence.ts). */
  ensure(orders: readonly PlacedOrder[]): Promise<{ refused: string[] }> {
    return this.fence.ensure(orders);
  }

  remove(restreamIds: readonly string[]): Promise<void> {
    return this.fence.remove(restreamIds);
  }

  reports(restreamIds?: readonly string[]): Record<string, ActorReport> {
    return this.media.host.reports(restreamIds);
  }

  logs(restreamId: string): LogLine[] {
    return [...this.media.host.logs(restreamId)];
  }

  /** The channels the API shows as live here: those whose codecs are known (chain feeds are not ingests). */
  liveChannels(): LiveChannel[] {
    return this.liveHere().map(({ channelId, codecs, stats, since, input, inputs }) => ({
      channelId,
      nodeID: this.deps.config.nodeId,
      codecs,
      stats,
      since,
      input,
      ...(inputs && { inputs }),
    }));
  }

  /**
   * A channel went live on another node: the newest publisher wins, so ours (if any) ends, unless
   * the two hold different inputs of a channel with a backup (IngestRegistry.evict).
   */
  liveElsewhere(channelId: string, nodeId: string, inputs: readonly IngestInput[] | undefined): void {
    if (nodeId !== this.deps.config.nodeId) this.media.registry.evict(channelId, inputs);
  }

  async metrics(): Promise<Exposition> {
    return this.exporter.render(await this.snapshot());
  }

  /**
   * This node's share of the mesh's metrics (node/metrics/snapshot.ts says who exports what).
   * States come from deriveStatus, as in streamwell.restreams, so /metrics agrees with the API.
   */
  private async snapshot(): Promise<MetricsSnapshot> {
    const { catalog, config } = this.deps;
    const leader = this.parent.isLeader();
    const reports = this.media.host.reports();
    const none = { actors: new Set<string>(), live: new Set<string>() };
    const [restreams, channels, mesh] = await Promise.all([
      catalog.restreams.list(),
      leader ? catalog.channels.list() : [],
      leader ? this.parent.meshFacts() : none,
    ]);
    const mine = exportedRestreams(restreams, {
      hostedHere: new Set(Object.keys(reports)),
      leader,
      actorsAnywhere: mesh.actors,
    });
    const ingestsHere = this.liveHere().map(({ channelId, protocol, stats, switches }) => ({
      channelId,
      protocol,
      bytesIn: stats.bytesIn,
      switches,
    }));
    return {
      node: config.nodeId,
      restreams: await statusesOf(catalog, mine, (id) => reports[id]),
      channels: exportedChannels(
        channels.map((channel) => channel.id),
        { ingestsHere, leader, liveAnywhere: mesh.live },
      ),
      actors: this.actorCounts(),
      capacityRestreams: config.maxRestreams,
    };
  }

  private actorCounts(): Record<ActorKind, number> {
    return { ...this.media.host.counts(), chain: this.media.chains.pushCount };
  }

  private liveHere() {
    return this.media.registry
      .list()
      .filter(
        (ingest): ingest is LiveIngest & { codecs: ChannelCodecs } =>
          ingest.codecs !== null && ingest.protocol !== "chain",
      );
  }
}
