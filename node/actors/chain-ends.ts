// This node's ends of chain links (node/scheduler/chains.ts). As a link's target it runs an SRT
// listener on the link's port that feeds the channel's hub here (protocol "chain"); as its source
// it runs a chain push: a RestreamActor, in an ActorHost of its own (not the restreams' host), that
// pushes the channel's live feed to the target over SRT with the link's passphrase. Both ends speak the link's container (FLV for H.264 + AAC, so the
// target's hub serves RTMP pushes natively; else MPEG-TS). Both ends are idempotent, so
// a new leader can deliver them again. An end acts only as the store's record of the link says,
// and only when that record names this node, whoever asks. An input link (ChainLink.input) is
// the same pair of ends carrying one input of a channel with a backup to the node holding its hub. Each end's calls for one channel run one at a time (the
// listener set's queue, the host's queue), so overlapping deliveries leave exactly one of each.
import { INGEST_INPUTS } from "../defs/ingest-input.js";
import type { ChainLink, ChainRecord } from "../defs/orders.js";
import type { ActorSpec, IngestFeed, ListenerEngine, RelayEngine } from "../defs/relay.js";
import type { ActorReport } from "../defs/restream-status.js";
import type { IngestRegistry } from "../ingest/registry.js";
import { flvSessions } from "../ingest/srt/flv-session.js";
import type { ListenerParent, ListenerSpec } from "../ingest/srt/listener.js";
import { chainListenerExit } from "../ingest/srt/listener-exit.js";
import { ListenerSet, listenerKey } from "../ingest/srt/listener-set.js";
import { tsSessions } from "../ingest/srt/session.js";
import { KeyedQueue } from "../kit/queue.js";
import { ActorHost } from "./host.js";

export interface ChainEndsOptions {
  readonly nodeId: string;
  readonly bindHost: string;
  readonly engine: RelayEngine & ListenerEngine;
  /** The channel's feed on this node, when it is live here. */
  feed(channelId: string): IngestFeed | null;
  /** Where a link's caller claims the channel's hub. */
  readonly registry: Pick<IngestRegistry, "chainStarted" | "linkedInputStarted">;
  /** The listeners' log and PID registry. */
  readonly listener: Omit<ListenerParent, "session" | "exitReason">;
  readonly log: { info(details: Record<string, unknown>, message: string): void };
  /** The store's record of a link (port, passphrase, ends): what both ends run. */
  record(link: ChainLink): Promise<ChainRecord | undefined>;
}

/**
 * SRT latency of a link between nodes: the time a lost datagram has to be sent again. A chain link
 * carries FLV, which a hole breaks: at 120 ms (libsrt's default) a link with 200 ms each way and
 * 2 % loss broke the stream at once (the netns suite's lossy link; docs/reliability.md). 1 s
 * covers two resends at that round trip; a restream's viewers are seconds behind anyway.
 */
const CHAIN_LATENCY_MS = 1_000;

export class ChainEnds {
  private readonly listeners: ListenerSet;
  private readonly pushes: ActorHost;
  /** Orders for one end of one link, one at a time: the store read comes before the end's own queue. */
  private readonly orders = new KeyedQueue<string>();

  constructor(private readonly options: ChainEndsOptions) {
    this.listeners = new ListenerSet((spec) => ({
      ...options.listener,
      exitReason: chainListenerExit,
      session: this.sessions(spec),
    }));
    this.pushes = new ActorHost(options.engine, {
      nodeId: options.nodeId,
      log: options.log,
      report: (linkId, report: ActorReport | null) =>
        options.log.info({ event: "chain_push", linkId, state: report?.state ?? "removed" }, "chain push"),
      feed: (channelId) => options.feed(channelId),
      // A chain push reaches a node's listener of its link, never a destination: the listener
      // takes one caller, and the link's close stops this push.
      mayRetry: async () => true,
    });
  }

  /** Target end: listen for the link's caller (a changed port or passphrase listens anew). */
  open(order: ChainLink): Promise<void> {
    return this.orders.run(`target:${order.channelId}`, async () => {
      const link = await this.stored(order, "targetNodeId");
      if (!link) return;
      const spec: ListenerSpec = {
        channelId: link.channelId,
        bindHost: this.options.bindHost,
        port: link.port,
        passphrase: link.passphrase,
        container: link.container,
        ...(link.input && { input: link.input }),
      };
      return this.listeners.open(spec);
    });
  }

  close(channelId: string): Promise<void> {
    // One listener per link target: keyed by the channel, or by its input for an input link.
    return this.orders.run(`target:${channelId}`, async () => {
      for (const input of INGEST_INPUTS) await this.listeners.close(listenerKey({ channelId, input }));
    });
  }

  /** Source end: push the channel to the link's target. */
  push(order: ChainLink): Promise<void> {
    return this.orders.run(linkId(order), async () => {
      const link = await this.stored(order, "sourceNodeId");
      if (!link) return;
      const spec: ActorSpec = {
        kind: "push",
        target: {
          kind: "srt",
          host: link.host,
          port: link.port,
          passphrase: link.passphrase,
          latencyMs: CHAIN_LATENCY_MS,
        },
        streamKey: null,
        insecureSkipVerify: false,
        secrets: [link.passphrase],
        engine: "ffmpeg", // a chain link is an SRT push: ffmpeg either way
        srtContainer: link.container,
      };
      await this.pushes.ensure({ restreamId: linkId(link), channelId: link.channelId, spec });
    });
  }

  unpush(link: ChainLink): Promise<void> {
    return this.orders.run(linkId(link), () => this.pushes.remove(linkId(link)));
  }

  /** The channel went live here or offline: the pushes of its links follow. */
  ingestChanged(channelId: string, feed: IngestFeed | null): Promise<void> {
    return this.pushes.ingestChanged(channelId, feed);
  }

  /** Chain pushes running from this node (what /api/v1/nodes and the metrics count). */
  get pushCount(): number {
    return this.pushes.counts().restream;
  }

  /** The link's record when it names this node at `end`; else the order is logged and ignored. */
  private async stored(order: ChainLink, end: "sourceNodeId" | "targetNodeId"): Promise<ChainRecord | null> {
    const record = await this.options.record(order);
    if (record?.[end] === this.options.nodeId) return record;
    this.options.log.info(
      { event: "chain_order_refused", channelId: order.channelId, end },
      "chain order refused: the store's record of the link does not name this node",
    );
    return null;
  }

  /**
   * A link's callers feed the channel's hub in the link's container; an input link's caller joins
   * the channel's inputs here as that input (FLV: only H.264 + AAC channels have a backup).
   */
  private sessions({ container, input }: ListenerSpec): ListenerParent["session"] {
    const { registry } = this.options;
    if (input !== undefined)
      return flvSessions((caller) =>
        registry.linkedInputStarted(caller.channelId, input, { id: caller.id, disconnect: caller.drop }),
      );
    return container === "flv"
      ? flvSessions((caller) => registry.chainStarted(caller.channelId, caller.id, "flv"))
      : tsSessions((caller) => registry.chainStarted(caller.channelId, caller.id, "mpegts"));
  }

  async stop(): Promise<void> {
    await Promise.all([this.listeners.closeAll(), this.pushes.stopAll()]);
  }
}

function linkId(link: ChainLink): string {
  return `chain-${link.channelId}-${link.targetNodeId}`;
}
