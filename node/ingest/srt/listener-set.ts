// One SrtListener per channel, for the two owners of listeners: SrtIngests (a channel's SRT ingest)
// and ChainEnds (a chain link's target end). Replacing a listener stops the old one, then starts the
// new one: two awaits apart. Calls for one channel therefore run one at a time (a KeyedQueue), so two
// overlapping opens cannot both start a listener (the first would run on with no map holding it), and
// a close called after an open always wins.
import { isDeepStrictEqual } from "node:util";
import { KeyedQueue } from "../../kit/queue.js";
import { type ListenerParent, type ListenerSpec, SrtListener } from "./listener.js";

export class ListenerSet {
  private readonly listeners = new Map<string, SrtListener>();
  private readonly queue = new KeyedQueue<string>();
  private closed = false;

  /** `parent` gives a new listener its parent (a chain link's session depends on its container). */
  constructor(private readonly parent: (spec: ListenerSpec) => ListenerParent) {}

  /** Listens for the spec's channel; a listener with another spec is stopped first. Idempotent. */
  open(spec: ListenerSpec): Promise<void> {
    return this.queue.run(spec.channelId, async () => {
      const existing = this.listeners.get(spec.channelId);
      if (existing && isDeepStrictEqual(existing.spec, spec)) return;
      await this.stop(spec.channelId);
      if (!this.closed) this.listeners.set(spec.channelId, new SrtListener(spec, this.parent(spec)));
    });
  }

  /** Stops the channel's listener, if any; resolves once its ffmpeg has exited. */
  close(channelId: string): Promise<void> {
    return this.queue.run(channelId, () => this.stop(channelId));
  }

  /** The spec a channel listens with; undefined when it has no listener. */
  spec(channelId: string): ListenerSpec | undefined {
    return this.listeners.get(channelId)?.spec;
  }

  channelIds(): string[] {
    return [...this.listeners.keys()];
  }

  /** Stops every listener, those being opened too; later opens start nothing. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const channelIds = new Set([...this.listeners.keys(), ...this.queue.pending()]);
    await Promise.all([...channelIds].map((channelId) => this.close(channelId)));
  }

  private async stop(channelId: string): Promise<void> {
    const listener = this.listeners.get(channelId);
    this.listeners.delete(channelId);
    await listener?.stop();
  }
}
