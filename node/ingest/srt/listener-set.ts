// One SrtListener per channel input (listenerKey: a channel's primary is keyed by its id, its
// backup by id + ":backup"), for the two owners of listeners: SrtIngests (a channel's SRT ingest,
// one or two inputs) and ChainEnds (a chain link's target end). Replacing a listener stops the old
// one, then starts the new one: two awaits apart. Calls for one key therefore run one at a time (a
// KeyedQueue), so two overlapping opens cannot both start a listener (the first would run on with no
// map holding it), and a close called after an open always wins.
import { isDeepStrictEqual } from "node:util";
import { KeyedQueue } from "../../kit/queue.js";
import { type ListenerParent, type ListenerSpec, SrtListener } from "./listener.js";

/** The key a listener is found by: the channel id, with ":backup" for a backup input's. */
export function listenerKey(spec: Pick<ListenerSpec, "channelId" | "input">): string {
  return spec.input === "backup" ? `${spec.channelId}:backup` : spec.channelId;
}

export class ListenerSet {
  private readonly listeners = new Map<string, SrtListener>();
  private readonly queue = new KeyedQueue<string>();
  private closed = false;

  /** `parent` gives a new listener its parent (a chain link's session depends on its container). */
  constructor(private readonly parent: (spec: ListenerSpec) => ListenerParent) {}

  /** Listens for the spec's channel input; a listener with another spec is stopped first. Idempotent. */
  open(spec: ListenerSpec): Promise<void> {
    const key = listenerKey(spec);
    return this.queue.run(key, async () => {
      const existing = this.listeners.get(key);
      if (existing && isDeepStrictEqual(existing.spec, spec)) return;
      await this.stop(key);
      if (!this.closed) this.listeners.set(key, new SrtListener(spec, this.parent(spec)));
    });
  }

  /** Stops the listener under `key` (listenerKey), if any; resolves once its ffmpeg has exited. */
  close(key: string): Promise<void> {
    return this.queue.run(key, () => this.stop(key));
  }

  /** The spec the listener under `key` listens with; undefined when there is none. */
  spec(key: string): ListenerSpec | undefined {
    return this.listeners.get(key)?.spec;
  }

  keys(): string[] {
    return [...this.listeners.keys()];
  }

  /** Stops every listener, those being opened too; later opens start nothing. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const keys = new Set([...this.listeners.keys(), ...this.queue.pending()]);
    await Promise.all([...keys].map((key) => this.close(key)));
  }

  private async stop(key: string): Promise<void> {
    const listener = this.listeners.get(key);
    this.listeners.delete(key);
    await listener?.stop();
  }
}
