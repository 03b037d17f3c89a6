// A webhook receiver on loopback for tests: records every POST (raw body, signature header) and
// answers with the statuses it is given in turn (then 200).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  readonly body: string;
  readonly signature: string | undefined;
  readonly json: { event: string; time: string; data: Record<string, unknown> };
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const signature = req.headers["x-streamwell-signature"];
      received.push({
        body,
        signature: typeof signature === "string" ? signature : undefined,
        json: JSON.parse(body),
      });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
