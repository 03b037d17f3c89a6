// Everything a node's services share: the frozen config, the logger, the store and the catalog
// over it. Built once at start (bin/streamwell.ts) and handed to the services.
import { join } from "node:path";
import { Catalog } from "./catalog/catalog.js";
import type { Config } from "./config/schema.js";
import type { Logger } from "./kit/log.js";
import { natsEndpoint } from "./mesh/nats-endpoint.js";
import { NatsKvStore } from "./store/nats-kv-store.js";
import { SqliteStore } from "./store/sqlite-store.js";
import type { Store } from "./store/store.js";

export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly catalog: Catalog;
  /** Host and ports in the URLs users see. The media plane writes the RTMP port it bound (config 0). */
  readonly endpoints: { host: string; rtmpPort: number };
  readonly startedAt: number;
}

export function createRuntime(config: Config, log: Logger, store: Store): Runtime {
  const catalog = new Catalog(store, {
    srtPorts: config.srtPorts,
    home: { nodeId: config.nodeId, host: config.publicHost },
    sessionTtlMs: config.sessionTtlHours * 3_600_000,
  });
  return {
    config,
    log,
    store,
    catalog,
    endpoints: { host: config.publicHost, rtmpPort: config.rtmpPort },
    startedAt: Date.now(),
  };
}

/** The one place that picks the store: JetStream KV shared by the mesh with NATS, else SQLite. */
export async function openStore(config: Config, log: Logger): Promise<Store> {
  if (!config.natsUrl) return SqliteStore.open(join(config.dataDir, "streamwell.db"));
  return NatsKvStore.open({
    endpoint: natsEndpoint(config.natsUrl, config.natsToken),
    bucket: `${config.namespace}-state`,
    replicas: config.natsReplicas,
    name: `streamwell-${config.nodeId}-store`,
    log: log.child({ module: "store" }),
  });
}
