// The SRT ingest listeners of this node follow the catalog: one per channel with SRT ingest on (two
// with a backup: one per input), while the `srt` feature is on and this node serves the port
// (home.ts). A channel's only listener hands MPEG-TS units to the hub; with a backup, each input's
// listener remuxes to FLV and joins the channel's inputs as an RTMP publisher does (the selector
// and the FLV splice make one stream of them: docs/decisions.md). A changed port or
// passphrase (a key reset) restarts the channel's listener with the new one; a channel deleted or
// turned off stops it. Reconciles run one at a time, on every store change under `channels.` and
// `features`, and coalesce; each channel's listener changes go through the set's queue.
import { isDeepStrictEqual } from "node:util";
import type { Catalog } from "../../catalog/catalog.js";
import { keys } from "../../catalog/records.js";
import { PidFile, sweepStalePids } from "../../ffmpeg/pidfile.js";
import { CoalescedRounds } from "../../kit/coalesced-rounds.js";
import type { Store, Unwatch } from "../../store/store.js";
import { srtInputsServed } from "./home.js";
import type { Caller, CallerSession, ListenerParent, ListenerSpec } from "./listener.js";
import { srtIngestExit } from "./listener-exit.js";
import { ListenerSet, listenerKey } from "./listener-set.js";

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
    parent: Omit<ListenerParent, "pids" | "exitReason"> & {
      /** The session of a caller that is one of the channel's two inputs (FLV on the listener's stdout). */
      inputSession(caller: Caller): CallerSession;
    },
  ) {
    const pids = new PidFile(options.pidFile, (error) =>
      parent.log.warn({ err: error }, "SRT ingest PID file"),
    );
    const { inputSession, ...common } = parent;
    const only = { ...common, pids, exitReason: srtIngestExit };
    const oneOfTwo = { ...only, session: inputSession };
    this.listeners = new ListenerSet((spec) => (spec.input === undefined ? only : oneOfTwo));
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
      const withBackup = Boolean(channel.srtBackup);
      for (const { input, listener } of srtInputsServed(channel, this.options.nodeId)) {
        const { port, passphrase } = listener;
        const spec = { channelId: channel.id, bindHost: this.options.bindHost, port, passphrase };
        const inputs = withBackup ? ({ output: "flv", input } as const) : {};
        const full: ListenerSpec = { ...spec, container: "mpegts", ...inputs };
        wanted.set(listenerKey(full), full);
      }
    }
    return wanted;
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const wanted = await this.wanted();
    const changed = this.listeners
      .keys()
      .filter((key) => !isDeepStrictEqual(this.listeners.spec(key), wanted.get(key)));
    // A port moves from one channel to another only after its old listener let go of it.
    await Promise.all(changed.map((key) => this.listeners.close(key)));
    await Promise.all([...wanted.values()].map((spec) => this.listeners.open(spec)));
  }
}
