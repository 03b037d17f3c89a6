// Server-sent events at GET /api/v1/events: `event: restream` and `event: channel` with the same
// JSON as the list GETs (no secrets), only for what the connected user may see. Each client is
// authorised once at connect and then per event, by calling the summary actions with its token.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceBroker } from "moleculer";

const HEARTBEAT_MS = 15_000;

interface Client {
  readonly res: ServerResponse;
  readonly token: string;
}

export type ResourceKind = "restream" | "channel";

const SUMMARY_ACTION: Record<ResourceKind, string> = {
  restream: "streamwell.restreams.summary",
  channel: "streamwell.channels.summary",
};

export class EventStream {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly broker: ServiceBroker) {}

  /** Answers an EventSource request: 401 without a valid session, else keeps the response open. */
  async connect(req: IncomingMessage, res: ServerResponse, token: string | undefined): Promise<boolean> {
    if (!token) return false;
    try {
      await this.broker.call("streamwell.users.me", {}, { meta: { token } });
    } catch {
      return false;
    }
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write(": connected\nretry: 2000\n\n");
    const client = { res, token };
    this.clients.add(client);
    req.on("close", () => this.clients.delete(client));
    this.heartbeat ??= setInterval(() => this.broadcast(": heartbeat\n\n"), HEARTBEAT_MS);
    return true;
  }

  /** Sends the resource's current view to every client allowed to see it. */
  async publish(kind: ResourceKind, id: string): Promise<void> {
    await Promise.all(
      [...this.clients].map(async (client) => {
        try {
          const view = await this.broker.call(
            SUMMARY_ACTION[kind],
            { id },
            { meta: { token: client.token } },
          );
          client.res.write(`event: ${kind}\ndata: ${JSON.stringify(view)}\n\n`);
        } catch (error) {
          // Gone, or not this client's: a deletion is sent as {id, deleted}, anything else skipped.
          if ((error as { code?: number }).code === 404) {
            client.res.write(`event: ${kind}\ndata: ${JSON.stringify({ id, deleted: true })}\n\n`);
          }
        }
      }),
    );
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  private broadcast(text: string): void {
    for (const client of this.clients) client.res.write(text);
  }
}
