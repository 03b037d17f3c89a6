// The SRT ingest listeners of this node follow the catalog: one per channel with SRT ingest on,
// while the `srt` feature is on and this node serves the channel (home.ts). A changed port or
// passphrase (a key reset) restarts the channel's listener with the new one; a channel deleted or
// turned off stops it. Reconciles run one at a time, on every store change under `channels.` and
// `features`, and coalesce; each channel's listener changes go through the set's queue.
import { isDeepStrictEqual } from "node:util";
import type { Catalog } from "../../catalog/catalog.js";
import { keys } from "../../catalog/records.js";
import { PidFile, sweepStalePids } from "../../ffmpeg/pidfile.js";
import { CoalescedRounds } from "../../kit/coalesced-rounds.js";
import type { Store, Unwatch } from "../../store/store.js";
import { servesSrtIngest } from "./home.js";
import type { ListenerParent, ListenerSpec } from "./listener.js";
import { srtIngestExit } from "./listener-exit.js";
import { ListenerSet } from "./listener-set.js";

export interface SrtIngestsOptions {
  readonly bindHost: string;
  /** This node: it listens for the channels whose SRT port is its own (home.ts). */
  readonly nodeId: string;
  /** The listeners' PID registry, swept at start so none outlives a killed node. */
  readonly pidFile: string;
}

export class SrtIngests {
  private readonly listeners: ListenerSet;
  private unwatch: Unwatch[] = [];
  private readonly rounds: CoalescedRounds;
  private closed = false;

  constructor(
    private readonly catalog: Catalog,
    private readonly store: Store,
    private readonly options: SrtIngestsOptions,
    parent: Omit<ListenerParent, "pids" | "exitReason">,
  ) {
    const pids = new PidFile(options.pidFile, (error) =>
      parent.log.warn({ err: error }, "SRT ingest PID file"),
    );
    const listenerParent = { ...parent, pids, exitReason: srtIngestExit };
    this.listeners = new ListenerSet(() => listenerParent);
    this.rounds = new CoalescedRounds(
      () => this.reconcile(),
      (error) => parent.log.warn({ err: error }, "SRT ingest: reconcile failed"),
    );
  }

  async start(): Promise<void> {
    await sweepStalePids(this.options.pidFile);
    this.unwatch = [keys.channels, keys.features].map((prefix) =>
      this.store.watch(prefix, () => void this.request()),
    );
    await this.request();
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const unwatch of this.unwatch) unwatch();
    await this.rounds.close();
    await this.listeners.closeAll();
  }

  /** Asks for a reconcile; calls while one runs coalesce into one more. */
  private request(): Promise<void> {
    return this.rounds.request();
  }

  private async wanted(): Promise<Map<string, ListenerSpec>> {
    const [channels, features] = await Promise.all([
      this.catalog.channels.list(),
      this.catalog.features.get(),
    ]);
    const wanted = new Map<string, ListenerSpec>();
    if (!features.srt) return wanted;
    for (const channel of channels) {
      if (!channel.srt || !servesSrtIngest(channel, this.options.nodeId)) continue;
      const { port, passphrase } = channel.srt;
      const spec = { channelId: channel.id, bindHost: this.options.bindHost, port, passphrase };
      wanted.set(channel.id, { ...spec, container: "mpegts" });
    }
    return wanted;
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const wanted = await this.wanted();
    const changed = this.listeners
      .channelIds()
      .filter((channelId) => !isDeepStrictEqual(this.listeners.spec(channelId), wanted.get(channelId)));
    // A port moves from one channel to another only after its old listener let go of it.
    await Promise.all(changed.map((channelId) => this.listeners.close(channelId)));
    await Promise.all([...wanted.values()].map((spec) => this.listeners.open(spec)));
  }
}
