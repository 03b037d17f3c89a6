// The RTMP ingest listener: plain TCP, or RTMPS through node:tls with the very same session
// code. One instance may hold several listeners; `close` ends them and every session (each
// live publisher's sink gets its one `end("server_closing")`).
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { AddressSlots } from "./address-slots.js";
import type { IngestHandler } from "./handler.js";
import { DEFAULT_SESSION_LIMITS, type IngestLog, type SessionLimits } from "./options.js";
import { RtmpSession } from "./session.js";

export interface RtmpListenOptions {
  /** 0 picks a free port; listen() resolves with the bound one. */
  readonly port: number;
  readonly host?: string;
  /** PEM contents (not paths): given, the listener speaks RTMPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface RtmpServerOptions {
  readonly handler: IngestHandler;
  readonly log: IngestLog;
  readonly limits?: Partial<SessionLimits>;
}

export class RtmpServer {
  readonly limits: SessionLimits;
  private readonly servers = new Set<Server>();
  private readonly sessions = new Set<RtmpSession>();
  /** Every accepted socket, including those lingering after a graceful close. */
  private readonly sockets = new Set<Socket>();
  private closing = false;

  private readonly handler: IngestHandler;
  private readonly log: IngestLog;
  private readonly slots: AddressSlots;

  constructor(options: RtmpServerOptions) {
    this.handler = options.handler;
    this.log = options.log;
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...options.limits };
    this.slots = new AddressSlots(this.limits.maxConnectionsPerAddress);
  }

  /** Open sessions (handshaking, connected or publishing). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  async listen(options: RtmpListenOptions): Promise<number> {
    if (this.closing) throw new Error("RtmpServer is closed");
    const secure = options.tls !== undefined;
    const onSocket = (socket: Socket): void => this.accept(socket, secure);
    const server: Server = options.tls
      ? createTlsServer(
          { cert: options.tls.cert, key: options.tls.key, handshakeTimeout: this.limits.handshakeTimeoutMs },
          onSocket,
        ).on("tlsClientError", () => {
          // A failed TLS handshake never became a session: node destroys the socket.
        })
      : createTcpServer(onSocket);
    server.maxConnections = this.limits.maxConnections;
    // Before the session (and, for RTMPS, before the TLS handshake): a refused socket costs nothing.
    server.prependListener("connection", (socket: Socket) => this.admit(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (error) => this.log.warn({ error: error.name }, "rtmp listener error"));
    this.servers.add(server);
    const address = server.address();
    // The caller logs what it bound (it knows which configured listener this is).
    return typeof address === "object" && address ? address.port : options.port;
  }

  /** Stops listening and ends every session. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = [...this.servers].map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    this.servers.clear();
    for (const session of [...this.sessions]) session.close("server_closing");
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closed);
  }

  /** The per-address cap, on the raw TCP socket. */
  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? "unknown";
    const answer = this.slots.take(address);
    if (answer === "taken") {
      socket.once("close", () => this.slots.release(address));
      return;
    }
    if (answer === "full_first") {
      this.log.warn(
        { remoteAddress: address, maxConnectionsPerAddress: this.limits.maxConnectionsPerAddress },
        "rtmp connections refused: too many from one address",
      );
    }
    socket.destroy();
  }

  private accept(socket: Socket, secure: boolean): void {
    if (this.closing || socket.destroyed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    const session = new RtmpSession(socket, secure, {
      handler: this.handler,
      log: this.log,
      limits: this.limits,
      closed: (s) => this.sessions.delete(s),
    });
    this.sessions.add(session);
    session.start();
  }
}
