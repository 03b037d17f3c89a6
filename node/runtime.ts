// Everything a node is built from: the frozen config, the logger, the store and the catalog over
// it. Built once at start (bin/streamwell.ts); the composition root (services/broker.ts) hands
// each service and the node facade only the parts they use.
import { join } from "node:path";
import { Catalog } from "./catalog/catalog.js";
import { MIGRATIONS } from "./catalog/migrations.js";
import { SECRET_FIELDS } from "./catalog/secret-fields.js";
import type { Config } from "./config/schema.js";
import { HistoryRecorder } from "./history/history-recorder.js";
import type { Logger } from "./kit/log.js";
import type { Sealer } from "./kit/sealer.js";
import { loadSealer } from "./kit/secret-key.js";
import { natsEndpointOf } from "./mesh/nats-endpoint.js";
import { SlateStore } from "./slate/slate-store.js";
import { ensureSchema } from "./store/schema.js";
import { checkSecretKey, sealStoredSecrets } from "./store/seal-at-rest.js";
import { SealedStore } from "./store/sealed-store.js";
import { SqliteStore } from "./store/sqlite-store.js";
import type { Store } from "./store/store.js";
import { TargetPolicy } from "./urls/target-policy.js";

export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  /** Seals secret fields on write and opens them on read (store/sealed-store.ts). */
  readonly store: Store;
  /** Seals what must not be stored plain; a new kind of secret record can use it directly. */
  readonly sealer: Sealer;
  readonly catalog: Catalog;
  /** Where this node records the state changes it sees (written in batches). */
  readonly history: HistoryRecorder;
  /** The channels' slate pictures and clips in this node's data dir (node/slate/). */
  readonly slates: SlateStore;
  readonly startedAt: number;
}

export function createRuntime(config: Config, log: Logger, opened: OpenedStore): Runtime {
  const { store, sealer } = opened;
  const catalog = new Catalog(store, {
    srtPorts: config.srtPorts,
    home: { nodeId: config.nodeId, host: config.publicHost },
    sessionTtlMs: config.sessionTtlHours * 3_600_000,
    quotas: {
      channels: config.quotaChannels,
      restreams: config.quotaRestreams,
      srtPorts: config.quotaSrtPorts,
    },
    targetPolicy: new TargetPolicy(config.srtPushAllow),
    streamKeyDigest: (streamKey) => sealer.digest("stream key index", streamKey),
  });
  return {
    config,
    log,
    store,
    sealer,
    catalog,
    history: new HistoryRecorder(catalog.history, config.nodeId, log.child({ module: "history" })),
    slates: new SlateStore(
      join(config.dataDir, "slates"),
      async (id) => (await catalog.channels.get(id)).name,
    ),
    startedAt: Date.now(),
  };
}

export interface OpenedStore {
  readonly store: Store;
  readonly sealer: Sealer;
}

/**
 * Opens the store with secrets sealed at rest: brings the store to this code's schema version
 * (refusing a newer one; store/schema.ts), loads the secret key, refuses a key that is not the
 * store's, and seals what an older version stored plain. Then the stream key index is made whole
 * (Catalog.channels.reindex, in createRuntime's caller).
 */
export async function openStore(config: Config, log: Logger): Promise<OpenedStore> {
  const { sealer, source } = loadSealer(config);
  const raw = await openRawStore(config, log);
  try {
    await ensureSchema(raw, MIGRATIONS, { nodeId: config.nodeId, log: log.child({ module: "schema" }) });
    const store = new SealedStore(raw, sealer, SECRET_FIELDS);
    await checkSecretKey(raw, sealer);
    const sealed = await sealStoredSecrets(raw, store);
    if (sealed > 0) {
      if (raw instanceof SqliteStore) raw.scrub();
      log.info(
        { records: sealed, keyId: sealer.keyId },
        "sealed secrets that were stored plain or with an old key",
      );
    }
    log.info({ keyId: sealer.keyId, source }, "secrets at rest sealed with AES-256-GCM");
    return { store, sealer };
  } catch (error) {
    await raw.close();
    throw error;
  }
}

/**
 * The one place that picks the store: JetStream KV shared by the mesh with NATS, else SQLite.
 * Raw: secrets as stored (sealed). openStore wraps it; `streamwell backup`/`restore` use it bare.
 */
export async function openRawStore(config: Config, log: Logger): Promise<Store> {
  const endpoint = natsEndpointOf(config);
  if (!endpoint) return SqliteStore.open(join(config.dataDir, "streamwell.db"));
  // Loaded only for a mesh: a single node never loads nats.js (docs/decisions.md).
  const { NatsKvStore } = await import("./store/nats-kv-store.js");
  return NatsKvStore.open({
    endpoint,
    bucket: `${config.namespace}-state`,
    replicas: config.natsReplicas,
    name: `streamwell-${config.nodeId}-store`,
    log: log.child({ module: "store" }),
  });
}
