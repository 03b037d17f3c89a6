// The channels live on this node: who publishes, their codecs and hub. The ingest servers ask it
// whether a stream key may publish and hand it the publisher's tags; actors read from its hubs.
import type { IngestFeed } from "../actors/relay.js";
import type { Catalog } from "../catalog/catalog.js";
import { ChannelHub, type HubLogger, toFlvStream } from "../hub/index.js";
import { constantTimeEqual } from "../ids.js";
import type { ChannelCodecs, IngestStats } from "../media/codecs.js";
import type {
  IngestHandler,
  PublishDecision,
  Publisher,
  PublishRequest,
  PublishSink,
  StartResult,
} from "./rtmp/handler.js";

/** Relays get the hub's tags in 40 ms batches: a third of the pipe writes, latency unchanged in practice. */
const RELAY_COALESCE_MS = 40;

export type IngestProtocol = "rtmp" | "rtmps" | "srt";

export interface LiveIngest {
  readonly channelId: string;
  readonly protocol: IngestProtocol;
  readonly since: string;
  readonly codecs: ChannelCodecs | null;
  readonly stats: IngestStats & { readonly bytesIn: number };
}

export interface RegistryParent {
  /** The channel is live here and its codecs are known (again, when they change). */
  live(channelId: string, codecs: ChannelCodecs): void;
  offline(channelId: string): void;
}

export interface RegistryLog extends HubLogger {
  info(details: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): HubLogger;
}

interface Live {
  readonly hub: ChannelHub;
  readonly protocol: IngestProtocol;
  readonly since: string;
  codecs: ChannelCodecs | null;
}

export class IngestRegistry implements IngestHandler {
  private readonly channels = new Map<string, Live>();

  constructor(
    private readonly catalog: Catalog,
    private readonly log: RegistryLog,
    private readonly parent: RegistryParent,
  ) {}

  async authorize(request: PublishRequest): Promise<PublishDecision> {
    if (request.app !== "live") {
      return {
        accept: false,
        reason: "unknown_key",
        message: "unknown application: publish to live/<stream key>",
      };
    }
    const channels = await this.catalog.channels.list();
    const channel = channels.find((c) => constantTimeEqual(c.streamKey, request.streamKey));
    if (!channel) return { accept: false, reason: "unknown_key", message: "no channel has this stream key" };
    if (this.channels.has(channel.id)) return alreadyLive();
    return { accept: true, channelId: channel.id };
  }

  /** Claims the channel for this publisher, synchronously, so two cannot both win. */
  started(channelId: string, publisher: Publisher): StartResult {
    if (this.channels.has(channelId)) return alreadyLive();
    const live: Live = {
      hub: new ChannelHub({ logger: this.log.child({ channelId }) }),
      protocol: publisher.secure ? "rtmps" : "rtmp",
      since: new Date().toISOString(),
      codecs: null,
    };
    this.channels.set(channelId, live);
    this.log.info({ channelId, publisher: publisher.id, protocol: live.protocol }, "publisher live");
    return { accept: true, sink: this.sink(channelId, live) };
  }

  /** A reader factory for actors, while the channel is live here with known codecs. */
  feed(channelId: string): IngestFeed | null {
    const live = this.channels.get(channelId);
    if (!live?.codecs) return null;
    const hub = live.hub;
    return {
      codecs: live.codecs,
      container: "flv",
      open: (name) => {
        const reader = hub.subscribe({ name });
        return {
          stream: toFlvStream(reader, { coalesceMs: RELAY_COALESCE_MS }),
          close: () => reader.close(),
        };
      },
    };
  }

  list(): LiveIngest[] {
    return [...this.channels].map(([channelId, live]) => {
      const { bytesIn, bitrateBps, fps, keyframeIntervalSeconds } = live.hub.stats();
      return {
        channelId,
        protocol: live.protocol,
        since: live.since,
        codecs: live.codecs,
        stats: { bytesIn, bitrateBps, fps, keyframeIntervalSeconds },
      };
    });
  }

  private sink(channelId: string, live: Live): PublishSink {
    return {
      codecs: (codecs) => {
        live.codecs = codecs;
        this.parent.live(channelId, codecs);
      },
      tag: (tag) => live.hub.write(tag),
      end: (reason) => {
        live.hub.end();
        this.channels.delete(channelId);
        this.log.info({ channelId, reason }, "publisher left");
        if (live.codecs) this.parent.offline(channelId);
      },
    };
  }
}

function alreadyLive(): PublishDecision & StartResult {
  return { accept: false, reason: "already_live", message: "this channel already has a live publisher" };
}
