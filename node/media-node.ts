// A node's media plane: the RTMP/RTMPS ingest listeners, the registry of live channels with
// their hubs, and the actors that push them on. streamwell.node wires it to the broker through
// the narrow parent below; nothing here knows Moleculer.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ChainEnds } from "./actors/chain-ends.js";
import { EncoderPool } from "./actors/encoders.js";
import { ActorHost } from "./actors/host.js";
import type { Catalog } from "./catalog/catalog.js";
import { keys } from "./catalog/records.js";
import type { Config } from "./config/schema.js";
import type { ChannelCodecs } from "./defs/codecs.js";
import type { IngestInput } from "./defs/ingest-input.js";
import type { ChainRecord } from "./defs/orders.js";
import type { ActorReport } from "./defs/restream-status.js";
import { FfmpegEngine } from "./ffmpeg/engine.js";
import { PidFile, sweepStalePids } from "./ffmpeg/pidfile.js";
import { IngestRegistry } from "./ingest/registry.js";
import { RtmpServer } from "./ingest/rtmp/server.js";
import { flvSessions } from "./ingest/srt/flv-session.js";
import { SrtIngests } from "./ingest/srt/ingests.js";
import { tsSessions } from "./ingest/srt/session.js";
import type { Logger } from "./kit/log.js";
import { EngineChoice } from "./restreams/engine-choice.js";
import { PinnedTargets } from "./restreams/pinned-targets.js";
import { NativeRtmpEngine } from "./rtmp-push/engine.js";
import type { SlateStore } from "./slate/slate-store.js";
import type { Store } from "./store/store.js";
import { TargetPolicy } from "./urls/target-policy.js";

/** The settings the media plane reads: listeners, engines, where its PID files go. */
export type MediaConfig = Pick<
  Config,
  | "nodeId"
  | "dataDir"
  | "bindHost"
  | "caFile"
  | "restreamEngine"
  | "srtPushAllow"
  | "rtmpPort"
  | "rtmpsPort"
  | "rtmpsCert"
  | "rtmpsKey"
  | "rtmpMaxConnectionsPerAddress"
>;

/** What the media plane is built from: it finds channels and chain links in the store. */
export interface MediaNodeDeps {
  readonly config: MediaConfig;
  readonly log: Logger;
  readonly catalog: Catalog;
  readonly store: Store;
  /** Slate clips for restreams with `onSourceLoss: "slate"`. */
  readonly slates: SlateStore;
}

export interface MediaNodeParent {
  /** `inputs`: the channel's inputs whose publishers are here (a channel with a backup; LiveIngest.inputs). */
  ingestLive(channelId: string, codecs: ChannelCodecs, inputs: readonly IngestInput[] | undefined): void;
  ingestOffline(channelId: string): void;
  inputSwitched(channelId: string): void;
  report(restreamId: string, report: ActorReport | null): void;
  /** Before a restream actor's retry connects: whether the store still places it here. */
  mayRetry(restreamId: string): Promise<boolean>;
}

/** The ingest ports the listeners bound (config 0 picks a free one): start() returns them. */
export interface BoundPorts {
  readonly rtmp: number;
  readonly rtmps: number | null;
}

export class MediaNode {
  readonly registry: IngestRegistry;
  readonly host: ActorHost;
  private readonly servers: RtmpServer[] = [];
  private readonly srt: SrtIngests;
  readonly chains: ChainEnds;
  private readonly encoders: EncoderPool;

  constructor(
    private readonly deps: MediaNodeDeps,
    parent: MediaNodeParent,
  ) {
    const { config, catalog, store } = deps;
    const log = deps.log.child({ module: "media" });
    const ffmpeg = new FfmpegEngine({
      pidFile: MediaNode.pidFile(config.dataDir),
      log,
      bindHost: config.bindHost,
      caFile: config.caFile,
    });
    const engine = new PinnedTargets(
      new EngineChoice(
        { native: new NativeRtmpEngine({ caFile: config.caFile }), ffmpeg },
        config.restreamEngine,
      ),
      new TargetPolicy(config.srtPushAllow),
    );
    this.registry = new IngestRegistry(catalog, log, {
      // A chain-fed channel feeds this node's actors only: the mesh knows its real ingest.
      live: (channelId, codecs, protocol) => {
        const feed = this.registry.feed(channelId);
        void this.host.ingestChanged(channelId, feed);
        void this.chains.ingestChanged(channelId, feed);
        if (protocol !== "chain") parent.ingestLive(channelId, codecs, this.registry.localInputs(channelId));
      },
      offline: (channelId, protocol) => {
        void this.host.ingestChanged(channelId, null);
        void this.chains.ingestChanged(channelId, null);
        if (protocol !== "chain") parent.ingestOffline(channelId);
      },
      inputSwitched: (channelId) => parent.inputSwitched(channelId),
    });
    this.encoders = new EncoderPool({
      pids: new PidFile(MediaNode.encoderPidFile(config.dataDir), (error) =>
        log.warn({ err: error }, "encoder PID file"),
      ),
      log,
      changed: (restreamIds) => this.host.encoderChanged(restreamIds),
    });
    this.host = new ActorHost(engine, {
      nodeId: config.nodeId,
      log,
      report: (restreamId, report) => parent.report(restreamId, report),
      feed: (channelId) => this.registry.feed(channelId),
      mayRetry: (restreamId) => parent.mayRetry(restreamId),
      encoders: this.encoders,
      slates: deps.slates,
    });
    const { nodeId, bindHost, dataDir } = config;
    this.srt = new SrtIngests(
      catalog,
      store,
      { nodeId, bindHost, pidFile: join(dataDir, "srt-ingest.pids") },
      {
        session: tsSessions((caller) => this.registry.srtStarted(caller.channelId, caller.id, caller.drop)),
        inputSession: flvSessions(({ channelId, input, id, drop }) =>
          this.registry.srtInputStarted(channelId, input, { id, disconnect: drop }),
        ),
        log: deps.log.child({ module: "srt" }),
      },
    );
    const chainLog = deps.log.child({ module: "chain" });
    this.chains = new ChainEnds({
      nodeId,
      bindHost,
      engine,
      feed: (channelId) => this.registry.feed(channelId),
      registry: this.registry,
      listener: {
        log: chainLog,
        pids: new PidFile(MediaNode.chainPidFile(dataDir), (error) =>
          chainLog.warn({ err: error }, "chain listener PID file"),
        ),
      },
      log: chainLog,
      record: async (link) =>
        (await store.get<ChainRecord>(keys.chain(link.channelId, link.targetNodeId)))?.value,
    });
  }

  /** Path of the registry of chain listeners' PIDs, swept at start like the relays'. */
  static chainPidFile(dataDir: string): string {
    return join(dataDir, "srt-chain.pids");
  }

  /** Path of the registry of shared encoders' PIDs, swept at start like the relays'. */
  static encoderPidFile(dataDir: string): string {
    return join(dataDir, "encoders.pids");
  }

  /** Path of the registry of ffmpeg PIDs, swept at start so no relay outlives a killed node. */
  static pidFile(dataDir: string): string {
    return join(dataDir, "ffmpeg.pids");
  }

  async start(): Promise<BoundPorts> {
    const { config, log } = this.deps;
    await sweepStalePids(MediaNode.pidFile(config.dataDir));
    await sweepStalePids(MediaNode.chainPidFile(config.dataDir));
    await sweepStalePids(MediaNode.encoderPidFile(config.dataDir));
    const rtmp = await this.listen({ port: config.rtmpPort, host: config.bindHost });
    log.info({ event: "listening", protocol: "rtmp", port: rtmp }, "RTMP ingest listening");
    let rtmps: number | null = null;
    if (config.rtmpsCert && config.rtmpsKey) {
      const tls = {
        cert: readFileSync(config.rtmpsCert, "utf8"),
        key: readFileSync(config.rtmpsKey, "utf8"),
      };
      rtmps = await this.listen({ port: config.rtmpsPort, host: config.bindHost, tls });
      log.info({ event: "listening", protocol: "rtmps", port: rtmps }, "RTMPS ingest listening");
    }
    await this.srt.start();
    return { rtmp, rtmps };
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close())); // ends every publisher
    await this.srt.stop(); // ends every SRT caller
    await this.chains.stop();
    await this.host.stopAll();
    await this.encoders.stopAll();
  }

  private async listen(options: Parameters<RtmpServer["listen"]>[0]): Promise<number> {
    const server = new RtmpServer({
      handler: this.registry,
      log: this.deps.log.child({ module: "rtmp" }),
      limits: { maxConnectionsPerAddress: this.deps.config.rtmpMaxConnectionsPerAddress },
    });
    this.servers.push(server);
    return server.listen(options);
  }
}
