// Opens the TCP or TLS connection of a push and turns socket errors into push errors. TLS verifies
// the server's certificate and host name unless the destination was saved with insecureSkipVerify.
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { RtmpTarget } from "../defs/destination.js";
import { readCaFile } from "../kit/ca-file.js";
import { type PushError, PushTimeoutError, PushUnreachableError } from "./errors.js";

export interface SocketOptions {
  readonly target: RtmpTarget;
  readonly insecureSkipVerify: boolean;
  /** The CA certificates (PEM file) that verify an RTMPS server: the system's, as ffmpeg's (kit/ca-file.ts). */
  readonly caFile: string;
  readonly timeoutMs: number;
  /** Aborting it gives up the connect. */
  readonly signal: AbortSignal;
}

/** Resolves once connected (after the TLS handshake for rtmps); rejects with a PushError. */
export function openSocket(options: SocketOptions): Promise<Socket> {
  const { target, timeoutMs } = options;
  const where = `${target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    const socket =
      target.kind === "rtmps"
        ? tlsConnect({
            host: target.host,
            port: target.port,
            // SNI takes host names only; an IP is checked against the certificate's IP entries.
            ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
            rejectUnauthorized: !options.insecureSkipVerify,
            ...(options.insecureSkipVerify ? {} : { ca: readCaFile(options.caFile) }),
          })
        : tcpConnect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      options.signal.removeEventListener("abort", abort);
      socket.destroy();
      const step = target.kind === "rtmps" ? "TCP connect and TLS handshake" : "TCP connect";
      reject(new PushTimeoutError(`${step} to ${where} took longer than ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const abort = (): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new PushUnreachableError(`connect to ${where} given up`));
    };
    options.signal.addEventListener("abort", abort, { once: true });
    const fail = (error: Error): void => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", abort);
      socket.destroy();
      reject(socketError(error, where));
    };
    socket.once("error", fail);
    socket.once(target.kind === "rtmps" ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", abort);
      socket.off("error", fail);
      socket.setNoDelay(true); // writes are already batched (./pump.ts)
      resolve(socket);
    });
  });
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/;

/** A socket error as a push error, in words a user can act on. */
export function socketError(error: Error, where: string): PushError {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (TLS_CODES.test(code)) {
    return new PushUnreachableError(
      `TLS: the certificate of ${where} is not trusted (${error.message}); ` +
        "install a trusted certificate there or save the destination with insecureSkipVerify",
      { cause: error },
    );
  }
  switch (code) {
    case "ECONNREFUSED":
      return new PushUnreachableError(`connection to ${where} refused`, { cause: error });
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new PushUnreachableError(`host ${where} not found`, { cause: error });
    case "ECONNRESET":
    case "EPIPE":
      return new PushUnreachableError(`${where} reset the connection`, { cause: error });
    case "ETIMEDOUT":
      return new PushTimeoutError(`connection to ${where} timed out`, { cause: error });
    default:
      return new PushUnreachableError(`connection to ${where} failed: ${error.message}`, { cause: error });
  }
}
