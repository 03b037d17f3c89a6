// Readiness of a node's ingest: each bound listener accepts a TCP connection (closed at once, so
// the session logs nothing). GET /readyz asks it through the node facade.
import { connect } from "node:net";
import type { BoundPorts } from "../media-node.js";

const PROBE_TIMEOUT_MS = 1_000;

export async function ingestListening(bindHost: string, bound: BoundPorts | null): Promise<boolean> {
  if (!bound) return false;
  const ports = [bound.rtmp, ...(bound.rtmps === null ? [] : [bound.rtmps])];
  const results = await Promise.all(ports.map((port) => canConnect(probeHost(bindHost), port)));
  return results.every(Boolean);
}

/** Where a local client reaches a listener bound to `bindHost` (a wildcard means loopback). */
function probeHost(bindHost: string): string {
  if (bindHost === "0.0.0.0") return "127.0.0.1";
  if (bindHost === "::") return "::1";
  return bindHost;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}
