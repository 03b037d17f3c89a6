// The channels live on this node: who publishes, their codecs and hub. The RTMP ingest asks it
// whether a stream key may publish and hands it the publisher's FLV tags (a channel's primary and
// backup keys may publish at once: ChannelInputs picks which feeds the hub); an SRT listener claims
// its channel and hands it MPEG-TS units (with a backup: FLV tags of one input, into ChannelInputs);
// a chain link's listener hands it FLV tags or MPEG-TS units, as its link carries (an input link:
// the tags of a channel's input whose publisher is on another node, into ChannelInputs); actors
// read from its hubs.
import type { Readable } from "node:stream";
import type { Catalog } from "../catalog/catalog.js";
import type { ChannelCodecs, IngestStats } from "../defs/codecs.js";
import type { Container } from "../defs/container.js";
import type { FlvTag } from "../defs/flv-tag.js";
import { feedsHub, INGEST_INPUTS, type IngestInput } from "../defs/ingest-input.js";
import type { FeedReader, IngestFeed } from "../defs/relay.js";
import type { TsUnit } from "../defs/ts-unit.js";
import {
  type ByteStreamOptions,
  ChannelHub,
  FLV_UNITS,
  type HubLogger,
  type HubReader,
  type HubStats,
  TS_UNITS,
  toFlvAsTsStream,
  toFlvAsTsUnits,
  toFlvStream,
  toTsStream,
  type UnitFormat,
} from "../hub/index.js";
import { ffmpegReadsFlv, tsTracksOf } from "../media/flv-to-ts.js";
import { ChannelInputs, type InputSink } from "./inputs/channel-inputs.js";
import type { SwitchReason } from "./inputs/input-selector.js";
import type {
  IngestHandler,
  PublishDecision,
  Publisher,
  PublishRequest,
  StartResult,
} from "./rtmp/handler.js";

/** Relays get the hub's tags in 40 ms batches: a third of the pipe writes, latency unchanged in practice. */
const RELAY_COALESCE_MS = 40;

/** "chain": fed by a chain link from the node that holds the real ingest (the mesh). */
export type IngestProtocol = "rtmp" | "rtmps" | "srt" | "chain";

export interface LiveIngest {
  readonly channelId: string;
  readonly protocol: IngestProtocol;
  readonly since: string;
  readonly codecs: ChannelCodecs | null;
  readonly stats: IngestStats & { readonly bytesIn: number };
  /** The input on air: a channel's primary or backup publisher (without a backup, SRT: its primary). */
  readonly input: IngestInput | null;
  /** Switches to each input since the channel went live here. */
  readonly switches: Readonly<Record<IngestInput, number>>;
  /**
   * The inputs whose publishers are on this node (not those an input link brings from another
   * node); undefined for a channel without inputs (SRT without a backup, a chain link's feed).
   */
  readonly inputs: readonly IngestInput[] | undefined;
}

export interface RegistryParent {
  /** The channel is live here and its codecs are known (again, when they change). */
  live(channelId: string, codecs: ChannelCodecs, protocol: IngestProtocol): void;
  offline(channelId: string, protocol: IngestProtocol): void;
  /** Another input went on air (primary <-> backup), and why. */
  inputSwitched(channelId: string, to: IngestInput, reason: SwitchReason): void;
}

export interface RegistryLog extends HubLogger {
  info(details: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): HubLogger;
}

/** What an ingest session writes to once it holds its channel. */
export interface IngestSink<U> {
  /** The channel's codecs: it is live (for actors) from the first call; again when they change. */
  codecs(codecs: ChannelCodecs): void;
  unit(unit: U): void;
  /** Exactly once, when the publisher goes; no call follows it. */
  end(reason: string): void;
}

/** A channel's hub, whatever its container, as the registry and actors use it. */
interface LiveMedia {
  readonly container: Container;
  /** `remux`: the bytes as MPEG-TS of these codecs' tracks (an FLV hub ffmpeg cannot read). */
  open(name: string, remux: ChannelCodecs | null): FeedReader;
  stats(): HubStats;
  /** The ingest is over: readers end once drained. */
  end(): void;
}

/** How a hub of one container's units is made and read. */
interface HubMedia<U> {
  readonly format: UnitFormat<U>;
  readonly toStream: (reader: HubReader<U>, options: ByteStreamOptions) => Readable;
  /**
   * The reader as MPEG-TS, bytes and units: FLV hubs with Enhanced RTMP video, for ffmpeg
   * (node/media/flv-to-ts.ts) and for a slate hold in front of it.
   */
  readonly remux: {
    readonly stream: (reader: HubReader<U>, codecs: ChannelCodecs, options: ByteStreamOptions) => Readable;
    readonly units: (reader: HubReader<U>, codecs: ChannelCodecs) => UnitsOfReader;
  } | null;
  /** The units a reader hands a consumer that takes them instead of bytes (native RTMP push, slate hold). */
  readonly unitsOf: (reader: HubReader<U>) => UnitsOfReader;
}

/** A reader's units, of the container its bytes are in. */
type UnitsOfReader = Pick<FeedReader, "tags" | "tsUnits">;

/** The unit each container's hub holds. */
export interface UnitsOf {
  readonly flv: FlvTag;
  readonly mpegts: TsUnit;
}

const MEDIA: { readonly [C in Container]: HubMedia<UnitsOf[C]> } = {
  flv: {
    format: FLV_UNITS,
    toStream: toFlvStream,
    remux: {
      stream: (reader, codecs, options) => toFlvAsTsStream(reader, tsTracksOf(codecs), options),
      units: (reader, codecs) => ({ tsUnits: toFlvAsTsUnits(reader, tsTracksOf(codecs)) }),
    },
    unitsOf: (reader) => ({ tags: reader }),
  },
  mpegts: { format: TS_UNITS, toStream: toTsStream, remux: null, unitsOf: (reader) => ({ tsUnits: reader }) },
};

const NO_SWITCHES: Readonly<Record<IngestInput, number>> = { primary: 0, backup: 0 };

interface Live {
  readonly media: LiveMedia;
  readonly protocol: IngestProtocol;
  readonly since: string;
  codecs: ChannelCodecs | null;
  /** Ends the publisher's session (null: this ingest cannot be ended from here). */
  readonly disconnect: (() => void) | null;
  /** The channel's FLV publishers (primary, backup: RTMP, or SRT with a backup); null for MPEG-TS and chain feeds. */
  inputs: ChannelInputs | null;
  /** Of those, the inputs an input link brings from another node's publisher. */
  readonly linked: Set<IngestInput>;
}

/** A channel's hub and its registry entry, as `open` makes them. */
interface Opened<U> {
  readonly live: Live;
  readonly hub: ChannelHub<U>;
  /** False once the registry let go of this entry: its sinks go quiet. */
  readonly current: () => boolean;
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
    const target = await this.catalog.channels.findByStreamKey(request.streamKey);
    if (!target) return { accept: false, reason: "unknown_key", message: "no channel has this stream key" };
    const { channel, input } = target;
    if (this.inputTaken(channel.id, input)) return alreadyLive();
    return { accept: true, channelId: channel.id, input };
  }

  /**
   * Claims the channel's input for this RTMP publisher, synchronously, so two cannot both win. The
   * other input may be publishing already: both then feed the channel's ChannelInputs.
   */
  started(channelId: string, publisher: Publisher, input: IngestInput): StartResult {
    const protocol = publisher.secure ? "rtmps" : "rtmp";
    const sink = this.attachInput(channelId, input, publisher.id, () => publisher.disconnect(), protocol);
    return sink ? { accept: true, sink } : alreadyLive();
  }

  /**
   * Claims one input of a channel with a backup for an SRT caller, whose listener remuxes it to FLV:
   * it joins the channel's ChannelInputs as an RTMP publisher does. Null when that input is taken.
   */
  srtInputStarted(
    channelId: string,
    input: IngestInput,
    caller: { readonly id: string; readonly disconnect: () => void },
  ): IngestSink<FlvTag> | null {
    const sink = this.attachInput(channelId, input, caller.id, caller.disconnect, "srt");
    return sink && { codecs: sink.codecs, unit: sink.tag, end: sink.end };
  }

  /**
   * Claims one input of a channel whose hub is here for an input link's caller (the publisher of
   * that input is on another node): it joins the channel's ChannelInputs as that input. Null when
   * the channel has no inputs here (it went offline) or that input is taken.
   */
  linkedInputStarted(
    channelId: string,
    input: IngestInput,
    caller: { readonly id: string; readonly disconnect: () => void },
  ): IngestSink<FlvTag> | null {
    const live = this.channels.get(channelId);
    if (!live?.inputs) return null;
    const sink = this.attachInput(channelId, input, caller.id, caller.disconnect, "chain");
    if (!sink) return null;
    live.linked.add(input);
    return {
      codecs: sink.codecs,
      unit: sink.tag,
      end: (reason) => {
        live.linked.delete(input);
        sink.end(reason);
      },
    };
  }

  /** The inputs whose publishers are on this node (LiveIngest.inputs). */
  localInputs(channelId: string): readonly IngestInput[] | undefined {
    const live = this.channels.get(channelId);
    if (!live?.inputs) return undefined;
    const { inputs, linked } = live;
    return INGEST_INPUTS.filter((input) => inputs.has(input) && !linked.has(input));
  }

  /** Claims the channel for an SRT caller; null when it is live already (over RTMP). */
  srtStarted(channelId: string, callerId: string, disconnect: () => void): IngestSink<TsUnit> | null {
    return this.claim(channelId, "srt", { id: callerId, disconnect }, MEDIA.mpegts);
  }

  /** Claims the channel for a chain link's caller, in the container the link carries (ChainRecord). */
  chainStarted<C extends Container>(
    channelId: string,
    callerId: string,
    container: C,
  ): IngestSink<UnitsOf[C]> | null {
    return this.claim(channelId, "chain", { id: callerId, disconnect: null }, MEDIA[container]);
  }

  /**
   * The channel went live on another node, whose publishers hold `inputs` of it: the newest
   * publisher wins, so a publisher that reconnected elsewhere is not held back by its old,
   * half-open session here. The other input of a channel with a backup is no such publisher: it
   * feeds the channel's hub over an input link (feedsHub), and nothing here ends.
   */
  evict(channelId: string, inputs: readonly IngestInput[] | undefined): void {
    const live = this.channels.get(channelId);
    if (!live?.disconnect) return;
    const here = this.localInputs(channelId);
    if (feedsHub(here, inputs) || feedsHub(inputs, here)) return;
    this.log.info({ channelId }, "channel live on another node: ending the publisher here");
    live.disconnect();
  }

  /** A reader factory for actors, while the channel is live here with known codecs. */
  feed(channelId: string): IngestFeed | null {
    const live = this.channels.get(channelId);
    if (!live?.codecs) return null;
    const { media } = live;
    const codecs = live.codecs;
    // Enhanced RTMP video: every reader's bytes are MPEG-TS (ffmpeg 5.1 cannot read that FLV).
    const remux = media.container === "flv" && !ffmpegReadsFlv(codecs);
    return {
      codecs,
      container: remux ? "mpegts" : media.container,
      open: (name) => media.open(name, remux ? codecs : null),
    };
  }

  list(): LiveIngest[] {
    return [...this.channels].map(([channelId, live]) => {
      const { bytesIn, bitrateBps, audioBitrateBps, fps, keyframeIntervalSeconds } = live.media.stats();
      return {
        channelId,
        protocol: live.protocol,
        since: live.since,
        codecs: live.codecs,
        stats: { bytesIn, bitrateBps, audioBitrateBps, fps, keyframeIntervalSeconds },
        input: live.inputs ? live.inputs.onAir : "primary",
        switches: live.inputs?.switches ?? NO_SWITCHES,
        inputs: this.localInputs(channelId),
      };
    });
  }

  /** The key's input cannot publish now: it publishes already, or an SRT caller holds the channel. */
  private inputTaken(channelId: string, input: IngestInput): boolean {
    const live = this.channels.get(channelId);
    if (live?.inputs) return live.inputs.has(input);
    return this.holdsIngest(channelId);
  }

  /** A publisher or SRT caller holds the channel here (a chain link's feed does not count). */
  private holdsIngest(channelId: string): boolean {
    const live = this.channels.get(channelId);
    return live !== undefined && live.protocol !== "chain";
  }

  /** Attaches a publisher as the channel's `input`: null when the input or the channel is taken. */
  private attachInput(
    channelId: string,
    input: IngestInput,
    publisherId: string,
    disconnect: () => void,
    protocol: IngestProtocol,
  ): InputSink | null {
    const existing = this.channels.get(channelId);
    if (existing && !existing.inputs && existing.protocol !== "chain") return null;
    const inputs = existing?.inputs ?? this.openInputs(channelId, protocol);
    const sink = inputs.attach(input, disconnect);
    if (sink) this.log.info({ channelId, publisher: publisherId, input }, "publisher live");
    return sink;
  }

  /** A channel's inputs (primary and backup publishers) and their hub. */
  private openInputs(channelId: string, protocol: IngestProtocol): ChannelInputs {
    let inputs: ChannelInputs | null = null;
    const { live, hub, current } = this.open(channelId, protocol, MEDIA.flv, () => inputs?.disconnectAll());
    const made = new ChannelInputs(channelId, {
      write: (tag) => {
        if (current()) hub.write(tag);
      },
      codecs: (codecs) => {
        if (current()) this.setCodecs(channelId, live, codecs);
      },
      switched: (to, reason) => {
        if (!current() || reason === "first_input") return;
        this.log.info({ channelId, input: to, reason }, "input switched");
        this.parent.inputSwitched(channelId, to, reason);
      },
      ended: (reason) => {
        if (current()) this.release(channelId, live, reason);
      },
    });
    inputs = made;
    live.inputs = made;
    return made;
  }

  private claim<U>(
    channelId: string,
    protocol: IngestProtocol,
    publisher: { readonly id: string; readonly disconnect: (() => void) | null },
    media: HubMedia<U>,
  ): IngestSink<U> | null {
    if (this.holdsIngest(channelId)) return null;
    const { live, hub, current } = this.open(channelId, protocol, media, publisher.disconnect);
    this.log.info({ channelId, publisher: publisher.id, protocol }, "publisher live");
    return {
      codecs: (codecs) => {
        if (current()) this.setCodecs(channelId, live, codecs);
      },
      unit: (unit) => {
        if (current()) hub.write(unit);
      },
      end: (reason) => {
        if (current()) this.release(channelId, live, reason);
      },
    };
  }

  /** A new hub for the channel, replacing a chain link's feed. */
  private open<U>(
    channelId: string,
    protocol: IngestProtocol,
    { format, toStream, remux, unitsOf }: HubMedia<U>,
    disconnect: (() => void) | null,
  ): Opened<U> {
    const chained = this.channels.get(channelId);
    // The publisher came here: the chain link that fed this node is not needed any more (the
    // scheduler tears it down); its sink goes quiet from now on.
    if (chained) this.release(channelId, chained, "a publisher took over from the chain link");
    const hub = new ChannelHub({ format, logger: this.log.child({ channelId }) });
    const media: LiveMedia = {
      container: format.container,
      open: (name, remuxed) => {
        const reader = hub.subscribe({ name });
        // A remuxed reader's units are MPEG-TS like its bytes (a slate hold splices them).
        const units = remuxed && remux ? remux.units(reader, remuxed) : unitsOf(reader);
        let stream: Readable | undefined;
        const options = { coalesceMs: RELAY_COALESCE_MS };
        return {
          // Made on first use: an engine that reads the tags must not leave an unread stream (a cut
          // reader destroys its stream with an error nobody would listen to).
          get stream() {
            stream ??= remuxed && remux ? remux.stream(reader, remuxed, options) : toStream(reader, options);
            return stream;
          },
          ...units,
          close: () => reader.close(),
        };
      },
      stats: () => hub.stats(),
      end: () => hub.end(),
    };
    const since = new Date().toISOString();
    const live: Live = { media, protocol, since, codecs: null, disconnect, inputs: null, linked: new Set() };
    this.channels.set(channelId, live);
    const current = () => this.channels.get(channelId) === live;
    return { live, hub, current };
  }

  private setCodecs(channelId: string, live: Live, codecs: ChannelCodecs): void {
    live.codecs = codecs;
    this.parent.live(channelId, codecs, live.protocol);
  }

  private release(channelId: string, live: Live, reason: string): void {
    live.media.end();
    this.channels.delete(channelId);
    this.log.info({ channelId, reason, protocol: live.protocol }, "publisher left");
    if (live.codecs) this.parent.offline(channelId, live.protocol);
  }
}

function alreadyLive(): PublishDecision & StartResult {
  return { accept: false, reason: "already_live", message: "this channel already has a live publisher" };
}
