// How a node sees its peers die: Moleculer's Local discoverer, with its timers made precise. Moleculer
// checks every `heartbeatTimeout` seconds for a peer silent for more than that many *whole* seconds
// (it rounds process.uptime()), so with 1 s / 3 s a killed node was seen gone 4.1-5.7 s later (issue
// 14). Here each node beats every 500 ms (+/-100 ms, so nodes started together do not beat in
// lockstep) and checks every 250 ms, in milliseconds, for a peer silent for 2.5 s: a dead or
// cut-off peer is seen gone 1.9-2.75 s after it went silent. A node's event loop must stall for
// over 2 s to look dead.
import moleculer from "moleculer";

export const HEARTBEAT_INTERVAL_MS = 500;
const HEARTBEAT_JITTER_MS = 100;
export const HEARTBEAT_TIMEOUT_MS = 2_500;
const CHECK_INTERVAL_MS = 250;
const OFFLINE_CHECK_MS = 60_000;

/** The few registry members the check reads (Moleculer's typings do not declare them). */
interface Registry {
  readonly nodes: {
    toArray(): { readonly id: string; readonly local: boolean; readonly available: boolean }[];
    disconnected(nodeId: string, unexpected: boolean): void;
  };
}

export class PreciseDiscoverer extends moleculer.Discoverers.Local {
  /** When each peer was last heard (a heartbeat, or its first sight), by node id, in ms. */
  private readonly lastHeard = new Map<string, number>();

  override startHeartbeatTimers(): void {
    this.stopHeartbeatTimers();
    const jitter = Math.round((Math.random() * 2 - 1) * HEARTBEAT_JITTER_MS);
    this.heartbeatTimer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS + jitter);
    this.checkNodesTimer = setInterval(() => this.checkRemoteNodes(), CHECK_INTERVAL_MS);
    this.offlineTimer = setInterval(() => this.checkOfflineNodes(), OFFLINE_CHECK_MS);
    for (const timer of [this.heartbeatTimer, this.checkNodesTimer, this.offlineTimer]) timer.unref();
  }

  override heartbeatReceived(nodeId: string, payload: Record<string, unknown>): void {
    this.lastHeard.set(nodeId, Date.now());
    super.heartbeatReceived(nodeId, payload);
  }

  override checkRemoteNodes(): void {
    const now = Date.now();
    const registry = (this as unknown as { registry: Registry }).registry;
    for (const node of registry.nodes.toArray()) {
      if (node.local || !node.available) continue;
      const last = this.lastHeard.get(node.id);
      if (last === undefined)
        this.lastHeard.set(node.id, now); // (re)joined: its beats count from now
      else if (now - last > HEARTBEAT_TIMEOUT_MS) {
        this.lastHeard.delete(node.id);
        registry.nodes.disconnected(node.id, true);
      }
    }
  }
}
