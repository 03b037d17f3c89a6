// Server-sent events at GET /api/v1/events: `event: restream` and `event: channel` with the same
// JSON as the list GETs (no secrets), only for what the connected user may see (owner or admin).
// Each event's view is built once, whatever the number of clients, and filtered per client by
// the owner it comes with. Streams are capped per user and per node, a client that does not read
// is cut (never buffered without bound), and a stream ends when its session does (logout).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceBroker } from "moleculer";
import type { Caller } from "../../node/auth/policy.js";
import { sha256Hex } from "../../node/kit/ids.js";
import { type EventView, meshCall, VIEW_CALLS } from "../mesh-calls.js";

const HEARTBEAT_MS = 15_000;
/** Bytes a client may leave unread before it is cut: a few hundred views, not a growing heap. */
const MAX_BUFFERED_BYTES = 256 * 1024;

export type ResourceKind = keyof typeof VIEW_CALLS;

export interface EventStreamLimits {
  readonly perUser: number;
  readonly perNode: number;
}

export interface EventStreamParent {
  /** The user behind a token, or undefined when it opens no session. */
  viewer(token: string): Promise<Caller | undefined>;
}

interface Client {
  readonly res: ServerResponse;
  /** sha256Hex of the session's token, as revocations name it. */
  readonly tokenHash: string;
  readonly viewer: Caller;
}

export type ConnectResult = "open" | "unauthenticated" | "too_many";

export class EventStream {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly broker: ServiceBroker,
    private readonly limits: EventStreamLimits,
    private readonly parent: EventStreamParent,
  ) {}

  /** Answers an EventSource request; on "open" the response stays open until either side ends it. */
  async connect(
    req: IncomingMessage,
    res: ServerResponse,
    token: string | undefined,
  ): Promise<ConnectResult> {
    const viewer = token ? await this.parent.viewer(token).catch(() => undefined) : undefined;
    if (!token || !viewer) return "unauthenticated";
    const own = [...this.clients].filter((client) => client.viewer.id === viewer.id).length;
    if (own >= this.limits.perUser || this.clients.size >= this.limits.perNode) return "too_many";
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    const client = { res, tokenHash: sha256Hex(token), viewer };
    this.clients.add(client);
    req.on("close", () => this.remove(client));
    this.write(client, ": connected\nretry: 2000\n\n");
    this.heartbeat ??= setInterval(() => this.broadcast(": heartbeat\n\n"), HEARTBEAT_MS);
    return "open";
  }

  /** Sends the resource's current view to every client allowed to see it: one view for all. */
  async publish(kind: ResourceKind, id: string): Promise<void> {
    if (this.clients.size === 0) return;
    let built: EventView;
    try {
      built = await meshCall(this.broker, VIEW_CALLS[kind], { id });
    } catch (error) {
      // Gone (its deletion has its own event, see deleted()) or unreadable now: nothing to send.
      if ((error as { code?: number }).code !== 404)
        this.broker.logger.warn(`no ${kind} view: ${String(error)}`);
      return;
    }
    this.send(kind, built.ownerId, built.view);
  }

  /** A deletion goes only to those who could see the resource: its owner and the admins. */
  deleted(kind: ResourceKind, id: string, ownerId: string): void {
    this.send(kind, ownerId, { id, deleted: true });
  }

  /** Sessions or API tokens ended anywhere in the mesh (logout, password change, deletion): their streams end. */
  revoked(tokenHashes: readonly string[]): void {
    const ended = new Set(tokenHashes);
    for (const client of this.clients) if (ended.has(client.tokenHash)) this.drop(client);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  private send(kind: ResourceKind, ownerId: string, data: unknown): void {
    const text = `event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of this.clients) {
      if (client.viewer.role === "admin" || client.viewer.id === ownerId) this.write(client, text);
    }
  }

  private broadcast(text: string): void {
    for (const client of this.clients) this.write(client, text);
  }

  /** Writes, or cuts a client whose unread bytes passed the bound (it reconnects and reloads). */
  private write(client: Client, text: string): void {
    client.res.write(text);
    if (client.res.writableLength > MAX_BUFFERED_BYTES) {
      this.remove(client);
      client.res.destroy();
    }
  }

  private drop(client: Client): void {
    this.remove(client);
    client.res.end();
  }

  /** A client gone; with none left the keep-alive stops (no timer runs for nobody). */
  private remove(client: Client): void {
    this.clients.delete(client);
    if (this.clients.size > 0) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
