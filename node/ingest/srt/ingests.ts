// The SRT ingest listeners of this node follow the catalog: one per channel with SRT ingest on,
// while the `srt` feature is on and this node serves the channel (home.ts). A changed port or
// passphrase (a key reset) restarts the channel's listener with the new one; a channel deleted or
// turned off stops it. Reconciles run one at a time, on every store change under `channels.` and
// `features`, and coalesce.
import type { Catalog } from "../../catalog/catalog.js";
import { keys } from "../../catalog/records.js";
import { PidFile, sweepStalePids } from "../../ffmpeg/pidfile.js";
import { CoalescedRounds } from "../../kit/coalesced-rounds.js";
import type { Store, Unwatch } from "../../store/store.js";
import { servesSrtIngest } from "./home.js";
import { type ListenerParent, type ListenerSpec, SrtListener } from "./listener.js";

export interface SrtIngestsOptions {
  readonly bindHost: string;
  /** This node: it listens for the channels whose SRT port is its own (home.ts). */
  readonly nodeId: string;
  /** The listeners' PID registry, swept at start so none outlives a killed node. */
  readonly pidFile: string;
}

export class SrtIngests {
  private readonly listeners = new Map<string, SrtListener>();
  private unwatch: Unwatch[] = [];
  private readonly rounds: CoalescedRounds;
  private closed = false;
  private readonly parent: ListenerParent;

  constructor(
    private readonly catalog: Catalog,
    private readonly store: Store,
    private readonly options: SrtIngestsOptions,
    parent: Omit<ListenerParent, "pids">,
  ) {
    const pids = new PidFile(options.pidFile, (error) =>
      parent.log.warn({ err: error }, "SRT ingest PID file"),
    );
    this.parent = { ...parent, pids };
    this.rounds = new CoalescedRounds(
      () => this.reconcile(),
      (error) => this.parent.log.warn({ err: error }, "SRT ingest: reconcile failed"),
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
    await Promise.all([...this.listeners.values()].map((listener) => listener.stop()));
    this.listeners.clear();
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
    const stops: Promise<void>[] = [];
    for (const [channelId, listener] of this.listeners) {
      const want = wanted.get(channelId);
      if (want && want.port === listener.spec.port && want.passphrase === listener.spec.passphrase) continue;
      this.listeners.delete(channelId);
      stops.push(listener.stop());
    }
    // A port moves from one channel to another only after its old listener let go of it.
    await Promise.all(stops);
    for (const [channelId, spec] of wanted) {
      if (!this.listeners.has(channelId) && !this.closed)
        this.listeners.set(channelId, new SrtListener(spec, this.parent));
    }
  }
}
