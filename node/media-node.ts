// A node's media plane: the RTMP/RTMPS ingest listeners, the registry of live channels with
// their hubs, and the actors that push them on. streamwell.node wires it to the broker through
// the narrow parent below; nothing here knows Moleculer.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ChainEnds } from "./actors/chain-ends.js";
import { ActorHost } from "./actors/host.js";
import { keys } from "./catalog/records.js";
import type { ChannelCodecs } from "./defs/codecs.js";
import type { ChainRecord } from "./defs/orders.js";
import type { ActorReport } from "./defs/restream-status.js";
import { FfmpegEngine } from "./ffmpeg/engine.js";
import { PidFile, sweepStalePids } from "./ffmpeg/pidfile.js";
import { IngestRegistry } from "./ingest/registry.js";
import { RtmpServer } from "./ingest/rtmp/server.js";
import { SrtIngests } from "./ingest/srt/ingests.js";
import { tsSessions } from "./ingest/srt/session.js";
import { EngineChoice } from "./restreams/engine-choice.js";
import { NativeRtmpEngine } from "./rtmp-push/engine.js";
import type { Runtime } from "./runtime.js";

export interface MediaNodeParent {
  ingestLive(channelId: string, codecs: ChannelCodecs): void;
  ingestOffline(channelId: string): void;
  report(restreamId: string, report: ActorReport | null): void;
}

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

  constructor(
    private readonly runtime: Runtime,
    parent: MediaNodeParent,
  ) {
    const log = runtime.log.child({ module: "media" });
    const ffmpeg = new FfmpegEngine({
      pidFile: MediaNode.pidFile(runtime.config.dataDir),
      log,
      bindHost: runtime.config.bindHost,
      caFile: runtime.config.caFile,
    });
    const engine = new EngineChoice(
      { native: new NativeRtmpEngine(runtime.config.caFile), ffmpeg },
      runtime.config.restreamEngine,
    );
    this.registry = new IngestRegistry(runtime.catalog, log, {
      // A chain-fed channel feeds this node's actors only: the mesh knows its real ingest.
      live: (channelId, codecs, protocol) => {
        const feed = this.registry.feed(channelId);
        void this.host.ingestChanged(channelId, feed);
        void this.chains.ingestChanged(channelId, feed);
        if (protocol !== "chain") parent.ingestLive(channelId, codecs);
      },
      offline: (channelId, protocol) => {
        void this.host.ingestChanged(channelId, null);
        void this.chains.ingestChanged(channelId, null);
        if (protocol !== "chain") parent.ingestOffline(channelId);
      },
    });
    this.host = new ActorHost(engine, {
      nodeId: runtime.config.nodeId,
      log,
      report: (restreamId, report) => parent.report(restreamId, report),
      feed: (channelId) => this.registry.feed(channelId),
    });
    const { nodeId, bindHost, dataDir } = runtime.config;
    this.srt = new SrtIngests(
      runtime.catalog,
      runtime.store,
      { nodeId, bindHost, pidFile: join(dataDir, "srt-ingest.pids") },
      {
        session: tsSessions((caller) => this.registry.srtStarted(caller.channelId, caller.id, caller.drop)),
        log: runtime.log.child({ module: "srt" }),
      },
    );
    const chainLog = runtime.log.child({ module: "chain" });
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
        (await runtime.store.get<ChainRecord>(keys.chain(link.channelId, link.targetNodeId)))?.value,
    });
  }

  /** Path of the registry of chain listeners' PIDs, swept at start like the relays'. */
  static chainPidFile(dataDir: string): string {
    return join(dataDir, "srt-chain.pids");
  }

  /** Path of the registry of ffmpeg PIDs, swept at start so no relay outlives a killed node. */
  static pidFile(dataDir: string): string {
    return join(dataDir, "ffmpeg.pids");
  }

  async start(): Promise<BoundPorts> {
    const { config, log } = this.runtime;
    await sweepStalePids(MediaNode.pidFile(config.dataDir));
    await sweepStalePids(MediaNode.chainPidFile(config.dataDir));
    const rtmp = await this.listen({ port: config.rtmpPort, host: config.bindHost });
    this.runtime.endpoints.rtmpPort = rtmp;
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
  }

  private async listen(options: Parameters<RtmpServer["listen"]>[0]): Promise<number> {
    const server = new RtmpServer({
      handler: this.registry,
      log: this.runtime.log.child({ module: "rtmp" }),
      limits: { maxConnectionsPerAddress: this.runtime.config.rtmpMaxConnectionsPerAddress },
    });
    this.servers.push(server);
    return server.listen(options);
  }
}
