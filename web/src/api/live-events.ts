// One EventSource for the whole app (GET /api/v1/events, authenticated by the session cookie).
// The browser retries a dropped stream by itself, but gives up for good when an answer is not an
// event stream (e.g. a 502 from a proxy while the node restarts): then this opens a new one after
// a capped backoff, and tells `onRefused` (a 401 looks the same: the app checks its session).
// Every (re)connection after the first tells subscribers to reload, since events sent while
// disconnected are lost.
import type { Channel, Deleted, Restream } from "./types";

export interface LiveEventData {
  readonly restream: Restream | Deleted;
  readonly channel: Channel | Deleted;
}
export type LiveEventKind = keyof LiveEventData;
export type ConnectionState = "connecting" | "open" | "reconnecting";

type Handler<K extends LiveEventKind> = (data: LiveEventData[K]) => void;

const KINDS: readonly LiveEventKind[] = ["restream", "channel"];
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000] as const;

export class LiveEvents {
  private source: EventSource | undefined;
  private opened = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private state: ConnectionState = "connecting";
  private readonly handlers = new Map<LiveEventKind, Set<Handler<LiveEventKind>>>();
  private readonly resyncListeners = new Set<() => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  constructor(
    private readonly onRefused: () => void = () => {},
    private readonly url = "/api/v1/events",
  ) {}

  start(): void {
    this.connect();
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
  }

  on<K extends LiveEventKind>(kind: K, handler: Handler<K>): () => void {
    let set = this.handlers.get(kind);
    if (!set) {
      set = new Set();
      this.handlers.set(kind, set);
    }
    set.add(handler as Handler<LiveEventKind>);
    return () => set.delete(handler as Handler<LiveEventKind>);
  }

  /** After a reconnection: whatever changed meanwhile was not sent, so reload. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  private connect(): void {
    const source = new EventSource(this.url, { withCredentials: true });
    this.source = source;
    source.onopen = () => {
      this.attempt = 0;
      this.setState("open");
      if (this.opened) for (const listener of this.resyncListeners) listener();
      this.opened = true;
    };
    source.onerror = () => {
      this.setState("reconnecting");
      if (source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      source.close();
      this.onRefused();
      const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      this.attempt += 1;
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
    for (const kind of KINDS) {
      source.addEventListener(kind, (event) => this.dispatch(kind, (event as MessageEvent<string>).data));
    }
  }

  private dispatch(kind: LiveEventKind, text: string): void {
    let data: LiveEventData[LiveEventKind];
    try {
      data = JSON.parse(text);
    } catch {
      return;
    }
    for (const handler of this.handlers.get(kind) ?? []) handler(data);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

export function isDeleted<T extends { id: string }>(data: T | Deleted): data is Deleted {
  return "deleted" in data && data.deleted === true;
}
