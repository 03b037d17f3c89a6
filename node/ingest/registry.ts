// The channels live on this node: who publishes, their codecs and hub. The ingest servers ask it
// whether a stream key may publish and hand it the publisher's tags; actors read from its hubs.
import type { IngestFeed } from "../actors/relay.js";
import type { Catalog } from "../catalog/catalog.js";
import { ChannelHub, type HubLogger, toFlvStream } from "../hub/index.js";
import { constantTimeEqual } from "../ids.js";
import type { ChannelCodecs, IngestStats } from "../media/codecs.js";
import type { FlvTag } from "../media/flv.js";

export type IngestProtocol = "rtmp" | "rtmps" | "srt";

export type PublishDecision =
  | { readonly accept: true; readonly channelId: string }
  | { readonly accept: false; readonly reason: "unknown_key" | "already_live"; readonly message: string };

/** Where a publisher's media goes; `end` is called exactly once. */
export interface PublishSink {
  codecs(codecs: ChannelCodecs): void;
  tag(tag: FlvTag): void;
  end(reason: string): void;
}

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

interface Live {
  readonly hub: ChannelHub;
  readonly protocol: IngestProtocol;
  readonly since: string;
  codecs: ChannelCodecs | null;
}

export class IngestRegistry {
  private readonly channels = new Map<string, Live>();

  constructor(
    private readonly catalog: Catalog,
    private readonly log: HubLogger & { info(details: Record<string, unknown>, message: string): void },
    private readonly parent: RegistryParent,
  ) {}

  async authorize(streamKey: string): Promise<PublishDecision> {
    const channel = (await this.catalog.channels.list()).find((c) =>
      constantTimeEqual(c.streamKey, streamKey),
    );
    if (!channel) return { accept: false, reason: "unknown_key", message: "no channel has this stream key" };
    if (this.channels.has(channel.id)) {
      return { accept: false, reason: "already_live", message: "this channel already has a live publisher" };
    }
    return { accept: true, channelId: channel.id };
  }

  /** Registers the publisher; a second one for the same channel is refused by `authorize`. */
  start(channelId: string, protocol: IngestProtocol): PublishSink {
    const live: Live = {
      hub: new ChannelHub({ logger: this.log }),
      protocol,
      since: new Date().toISOString(),
      codecs: null,
    };
    this.channels.set(channelId, live);
    let ended = false;
    return {
      codecs: (codecs) => {
        live.codecs = codecs;
        this.parent.live(channelId, codecs);
      },
      tag: (tag) => live.hub.write(tag),
      end: (reason) => {
        if (ended) return;
        ended = true;
        live.hub.end();
        if (this.channels.get(channelId) === live) this.channels.delete(channelId);
        this.log.info({ channelId, reason }, "publisher left");
        if (live.codecs) this.parent.offline(channelId);
      },
    };
  }

  /** A reader factory for actors, while the channel is live here with known codecs. */
  feed(channelId: string, name?: string): IngestFeed | null {
    const live = this.channels.get(channelId);
    if (!live?.codecs) return null;
    const hub = live.hub;
    return {
      codecs: live.codecs,
      open: () => {
        const reader = hub.subscribe(name ? { name } : {});
        return { stream: toFlvStream(reader), close: () => reader.close() };
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

  /** Ends every publisher (node shutdown). */
  closeAll(): void {
    for (const live of this.channels.values()) live.hub.end();
  }
}
