// A TCP proxy on loopback that forwards client -> target at a fixed byte rate (target -> client at
// full speed): a destination that cannot keep up. It reads from the client only as fast as it
// forwards, so the backlog stays in the client's socket (and its application), not in this test.
import { connect, createServer, type Socket } from "node:net";

const TICK_MS = 50;

export interface ThrottleProxy {
  readonly port: number;
  /** rtmp://127.0.0.1:PORT/app */
  url(app?: string): string;
  /** Bytes forwarded to the target so far. */
  forwarded(): number;
  connections(): number;
  stop(): Promise<void>;
}

export async function startThrottleProxy(options: {
  targetPort: number;
  bytesPerSecond: number;
}): Promise<ThrottleProxy> {
  const open = new Set<Socket>();
  let forwarded = 0;
  let accepted = 0;
  const perTick = Math.max(1, Math.round((options.bytesPerSecond * TICK_MS) / 1000));
  const server = createServer((client) => {
    accepted += 1;
    const upstream = connect(options.targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once("close", () => open.delete(socket));
      socket.on("error", () => {});
    }
    upstream.pipe(client);
    let backlog: Buffer[] = [];
    let queued = 0;
    client.on("data", (chunk: Buffer) => {
      backlog.push(chunk);
      queued += chunk.length;
      if (queued >= perTick) client.pause();
    });
    const timer = setInterval(() => {
      let budget = perTick;
      const out: Buffer[] = [];
      while (budget > 0 && backlog.length > 0) {
        const head = backlog[0] as Buffer;
        const take = Math.min(budget, head.length);
        out.push(head.subarray(0, take));
        if (take === head.length) backlog.shift();
        else backlog[0] = head.subarray(take);
        budget -= take;
      }
      const bytes = perTick - budget;
      queued -= bytes;
      forwarded += bytes;
      if (out.length > 0) upstream.write(Buffer.concat(out));
      if (queued < perTick) client.resume();
    }, TICK_MS);
    const end = (): void => {
      clearInterval(timer);
      backlog = [];
      client.destroy();
      upstream.destroy();
    };
    client.once("close", end);
    upstream.once("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: (app = "live") => `rtmp://127.0.0.1:${port}/${app}`,
    forwarded: () => forwarded,
    connections: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
