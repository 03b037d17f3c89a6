// A TLS terminator for tests: a node:tls server in this process with a self-signed certificate
// (made by `openssl req -x509` in a temp dir) that forwards each connection's plain bytes to a TCP
// port on loopback, e.g. nginx-rtmp's. In front of nginx-rtmp it makes an RTMPS destination whose
// certificate does not verify. No child process outlives start(): openssl runs once, bounded.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type TLSSocket } from "node:tls";
import { execa } from "execa";

const OPENSSL_TIMEOUT_MS = 30_000;

export interface TlsTerminator {
  readonly port: number;
  /** rtmps://127.0.0.1:PORT/app[/key] */
  url(app?: string, key?: string): string;
  /** The self-signed certificate (PEM): what a client would have to trust. */
  readonly certPem: string;
  /** TCP connections accepted so far. */
  connections(): number;
  /** TLS handshakes that completed (then forwarded to the target). */
  handshakes(): number;
  /** TLS handshakes that failed (e.g. the client did not trust the certificate). */
  failedHandshakes(): number;
  /** Closes the listener and every open connection; resolves when closed. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startTlsTerminator(options: {
  targetPort: number;
  targetHost?: string;
}): Promise<TlsTerminator> {
  const targetHost = options.targetHost ?? "127.0.0.1";
  const dir = mkdtempSync(join(tmpdir(), "streamwell-tls-"));
  let cert: string;
  let key: string;
  try {
    await execa(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
        ...["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      ],
      { timeout: OPENSSL_TIMEOUT_MS },
    );
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    key = readFileSync(join(dir, "key.pem"), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const open = new Set<Socket>();
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  };
  let accepted = 0;
  let completed = 0;
  let failed = 0;
  const server = createServer({ cert, key }, (client: TLSSocket) => {
    completed += 1;
    const upstream = connect(options.targetPort, targetHost);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  server.on("connection", (socket: Socket) => {
    accepted += 1;
    track(socket);
  });
  server.on("tlsClientError", (_error, socket) => {
    failed += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  let stopping: Promise<void> | undefined;
  return {
    port,
    url: (app = "live", key?: string) =>
      `rtmps://127.0.0.1:${port}/${app}${key === undefined ? "" : `/${key}`}`,
    certPem: cert,
    connections: () => accepted,
    handshakes: () => completed,
    failedHandshakes: () => failed,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      });
      return stopping;
    },
  };
}
