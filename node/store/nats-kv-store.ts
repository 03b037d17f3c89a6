// NATS JetStream KV adapter of the store port: the mesh's shared state. One bucket per namespace,
// history 1, file storage. A revision is the stream sequence of the write, so it grows across all
// keys and compare-and-set is JetStream's expected-last-subject-sequence check. Deletes are KV
// delete markers (a revision of their own, never reused). Reads go to the stream leader (no direct
// get), so a write that resolved on one node is read back on every other.
import { randomUUID } from "node:crypto";
import {
  connect,
  Empty,
  type JetStreamClient,
  type JetStreamManager,
  type KV,
  type KvEntry,
  type MsgHdrs,
  type NatsConnection,
  headers as natsHeaders,
  StorageType,
} from "nats";
import type { Logger } from "../kit/log.js";
import { type NatsEndpoint, natsConnectHint, natsConnectOptions } from "../mesh/nats-endpoint.js";
import { CONSUMER_CREATE_TIMEOUT_MS, ListConsumers } from "./list-consumers.js";
import { KvChangeFeed } from "./nats-kv-feed.js";
import { NatsLink } from "./nats-link.js";
import {
  assertKey,
  assertPrefix,
  type Entry,
  encodeValue,
  KeyExistsError,
  RevisionMismatchError,
  type Store,
  StoreError,
  StoreUnavailableError,
  type Unwatch,
  type WatchEvent,
} from "./store.js";

export interface NatsKvStoreOptions {
  readonly endpoint: NatsEndpoint;
  /** KV bucket name ([A-Za-z0-9_-]): `<namespace>-state`. */
  readonly bucket: string;
  /** Replicas when this store creates the bucket; an existing bucket keeps its own. */
  readonly replicas?: number;
  /** Connection name shown by the server (e.g. the node ID). */
  readonly name?: string;
  readonly log?: Logger;
  /** Receives what a watcher threw; default: a warning in the log. */
  readonly onWatchError?: (error: unknown) => void;
}

// JetStream's "wrong last sequence": a compare-and-set lost.
const WRONG_LAST_SEQUENCE = 10071;
const LIST_BATCH = 1_000;
const LIST_TIMEOUT_MS = 10_000;
/** A list's pull that hears nothing from its server this long fails (and is tried again). */
const PULL_SILENCE_MS = 2_000;
const OPERATION_HEADER = "KV-Operation";
/** How long one store call keeps trying through a reconnect before it fails. */
const CALL_BUDGET_MS = 15_000;
/**
 * Per request. A request lost with a dead connection or a JetStream leader that died is only noticed
 * by its timeout; retries are safe (reads, message IDs on writes), so a short one recovers sooner
 * than nats.js's 5 s default.
 */
const REQUEST_TIMEOUT_MS = 2_000;
/** Readiness probes (Kubernetes' default timeout is 1 s) must not wait for JetStream's 5 s. */
const PING_TIMEOUT_MS = 1_000;

export class NatsKvStore implements Store {
  private closed = false;
  /** Highest revision this store wrote: a watcher added later must not see it. */
  private lastWrite = 0;
  private readonly subjectPrefix: string;
  private readonly stream: string;
  private readonly consumers: ListConsumers;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    lists: JetStreamManager,
    private readonly probe: JetStreamManager,
    private readonly kv: KV,
    private readonly feed: KvChangeFeed,
    private readonly link: NatsLink,
    bucket: string,
    log: Logger | undefined,
  ) {
    this.subjectPrefix = `$KV.${bucket}.`;
    this.stream = `KV_${bucket}`;
    this.consumers = new ListConsumers(lists, this.stream, (operation) => this.call(operation), log);
  }

  static async open(options: NatsKvStoreOptions): Promise<NatsKvStore> {
    const { endpoint, log } = options;
    let nc: NatsConnection;
    try {
      nc = await connect(natsConnectOptions(endpoint, options.name ?? "streamwell-store"));
    } catch (cause) {
      const reason = `${describe(cause)}${natsConnectHint(cause)}`;
      throw new StoreUnavailableError(`cannot connect to NATS at ${endpoint.redacted}: ${reason}`, { cause });
    }
    try {
      const js = nc.jetstream({ timeout: REQUEST_TIMEOUT_MS });
      const kv = await js.views.kv(options.bucket, {
        history: 1,
        replicas: options.replicas ?? 1,
        storage: StorageType.File,
        allow_direct: false,
      });
      const jsm = await nc.jetstreamManager({ timeout: REQUEST_TIMEOUT_MS });
      const probe = await nc.jetstreamManager({ timeout: PING_TIMEOUT_MS, checkAPI: false });
      const lists = await nc.jetstreamManager({ timeout: CONSUMER_CREATE_TIMEOUT_MS, checkAPI: false });
      const { state } = await jsm.streams.info(`KV_${options.bucket}`);
      const onWatchError =
        options.onWatchError ?? ((error: unknown) => log?.warn({ err: error }, "store watcher failed"));
      const feed = new KvChangeFeed(kv, state.last_seq, {
        onWatchError,
        onFeedError: (error) =>
          log?.warn({ error: describe(error) }, "store change feed interrupted, resuming"),
      });
      const link = new NatsLink(nc, CALL_BUDGET_MS, {
        onReconnect: () => feed.resume(),
        onStatus: (type, server) => log?.info({ event: `nats.${type}`, server }, `store NATS ${type}`),
      });
      return new NatsKvStore(nc, js, lists, probe, kv, feed, link, options.bucket, log);
    } catch (cause) {
      await nc.close();
      throw new StoreUnavailableError(`NATS JetStream KV at ${endpoint.redacted}: ${describe(cause)}`, {
        cause,
      });
    }
  }

  async get<T = unknown>(key: string): Promise<Entry<T> | undefined> {
    assertKey(key);
    const entry = await this.current(key);
    return entry?.operation === "PUT" ? toEntry<T>(key, entry.string(), entry.revision) : undefined;
  }

  async put(key: string, value: unknown): Promise<number> {
    assertKey(key);
    return this.publish(key, encodeValue(value));
  }

  async create(key: string, value: unknown): Promise<number> {
    assertKey(key);
    const text = encodeValue(value);
    try {
      return await this.publish(key, text, { expected: 0 });
    } catch (error) {
      if (!(error instanceof RevisionMismatchError)) throw error;
    }
    // The subject has a message: a live value, or the delete marker of a deleted key.
    const current = await this.current(key);
    if (current?.operation === "PUT" || !current)
      throw new KeyExistsError(`store key "${key}" already exists`);
    try {
      return await this.publish(key, text, { expected: current.revision });
    } catch (error) {
      if (error instanceof RevisionMismatchError)
        throw new KeyExistsError(`store key "${key}" already exists`);
      throw error;
    }
  }

  async update(key: string, value: unknown, revision: number): Promise<number> {
    assertKey(key);
    const text = encodeValue(value);
    // 0 would mean "the subject is empty" to JetStream, i.e. create.
    if (revision <= 0) throw new RevisionMismatchError(`store key "${key}" is not at revision ${revision}`);
    return this.publish(key, text, { expected: revision });
  }

  async delete(key: string, revision?: number): Promise<void> {
    assertKey(key);
    if (revision !== undefined) {
      await this.publish(key, undefined, { expected: revision });
      return;
    }
    // Only a live key gets a delete marker: deleting an absent key writes (and tells watchers) nothing.
    for (;;) {
      const current = await this.current(key);
      if (current?.operation !== "PUT") return;
      try {
        await this.publish(key, undefined, { expected: current.revision });
        return;
      } catch (error) {
        if (!(error instanceof RevisionMismatchError)) throw error;
      }
    }
  }

  async list<T = unknown>(prefix: string): Promise<Entry<T>[]> {
    assertPrefix(prefix);
    this.assertOpen();
    // Subjects filter by whole tokens: read the enclosing tokens, keep those that start with prefix.
    const dot = prefix.lastIndexOf(".");
    const filter = `${this.subjectPrefix}${dot < 0 ? "" : prefix.slice(0, dot + 1)}>`;
    const entries: Entry<T>[] = [];
    for (const [key, { text, revision }] of await this.readNewest(filter)) {
      if (key.startsWith(prefix)) entries.push(toEntry<T>(key, text, revision));
    }
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  watch(prefix: string, onEvent: (event: WatchEvent) => void): Unwatch {
    assertPrefix(prefix);
    this.assertOpen();
    return this.feed.add(prefix, this.lastWrite, onEvent);
  }

  /** One attempt, no waiting for a reconnect: /readyz must say "not ready" while NATS is away. */
  async ping(): Promise<void> {
    this.assertOpen();
    if (!this.link.isConnected) throw new StoreUnavailableError("NATS KV: disconnected, reconnecting");
    try {
      await this.probe.streams.info(this.stream);
    } catch (cause) {
      throw new StoreUnavailableError(`NATS KV: ${describe(cause)}`, { cause });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const feedStopped = this.feed.close();
    // Closed first, so that a watch request waiting on a dead connection ends now, not at its timeout.
    await this.nc.close();
    await feedStopped;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError("store is closed");
  }

  /** The key's last message, a delete marker included; undefined when the subject is empty. */
  private async current(key: string): Promise<KvEntry | undefined> {
    this.assertOpen();
    return (await this.call(() => this.kv.get(key))) ?? undefined;
  }

  /** One write: a value, or a delete marker when `text` is undefined; optionally compare-and-set. */
  private async publish(key: string, text: string | undefined, cas?: { expected: number }): Promise<number> {
    this.assertOpen();
    let headers: MsgHdrs | undefined;
    if (text === undefined) {
      headers = natsHeaders();
      headers.set(OPERATION_HEADER, "DEL");
    }
    const options = {
      // The same ID on every attempt: JetStream stores the write once however often it is retried.
      msgID: randomUUID(),
      ...(headers && { headers }),
      ...(cas && { expect: { lastSubjectSequence: cas.expected } }),
    };
    const subject = this.subjectPrefix + key;
    const data = text === undefined ? Empty : text;
    try {
      const ack = await this.call(() => this.js.publish(subject, data, options));
      this.lastWrite = Math.max(this.lastWrite, ack.seq);
      return ack.seq;
    } catch (error) {
      if (error instanceof StoreUnavailableError && isWrongLastSequence(error.cause)) {
        throw new RevisionMismatchError(`store key "${key}" is not at revision ${cas?.expected}`);
      }
      throw error;
    }
  }

  /**
   * The newest value of every key under `filter`, read through a short-lived consumer in stream
   * order until it has caught up. The bucket keeps one message per key, so that is the last message
   * of each key, then the writes made while it reads: a later message for a key replaces the earlier
   * one and a delete marker removes it, so each key appears once, as it was when the read caught up.
   * "Caught up" is a no-wait pull that comes back short: nats-server 2.9's pending counts were
   * found wrong while keys were rewritten (a read waited for a message that never came), and
   * DeliverPolicy.LastPerSubject lost keys rewritten during the read. nats.js marks this pull API
   * deprecated; its replacement (Consumer.fetch) has no no-wait pull.
   */
  private async readNewest(filter: string): Promise<Newest> {
    const deadline = Date.now() + LIST_TIMEOUT_MS;
    for (;;) {
      try {
        return await this.readThrough(await this.consumers.create(filter), deadline);
      } catch (error) {
        // A pull that failed midway may have lost messages in flight, which the consumer does not
        // deliver again: the read starts over with a new consumer.
        if (!(error instanceof PullFailedError)) throw error;
        if (Date.now() > deadline) throw new StoreUnavailableError("store list timed out", { cause: error });
      }
    }
  }

  /** Pulls `consumer` dry (see readNewest); deletes it after. */
  private async readThrough(consumer: string, deadline: number): Promise<Newest> {
    const newest: Newest = new Map();
    try {
      for (let received = LIST_BATCH; received === LIST_BATCH; ) {
        if (Date.now() > deadline) throw new StoreUnavailableError("store list timed out");
        received = await this.pull(consumer, newest);
      }
      return newest;
    } finally {
      this.consumers.delete(consumer);
    }
  }

  /** One no-wait pull of up to LIST_BATCH messages into `newest`; resolves with how many came. */
  private async pull(consumer: string, newest: Newest): Promise<number> {
    this.assertOpen();
    let count = 0;
    const batch = this.js.fetch(this.stream, consumer, { batch: LIST_BATCH, no_wait: true });
    // A pull with no wait has no timer of its own: one whose server never answers (a consumer on
    // a server cut off, a connection lost) would hang the list. Silence fails it.
    let silent = false;
    const silence = new Silence(PULL_SILENCE_MS, () => {
      silent = true;
      batch.stop();
    });
    try {
      for await (const message of batch) {
        silence.heard();
        count++;
        const key = message.subject.slice(this.subjectPrefix.length);
        const marker = message.headers?.get(OPERATION_HEADER); // DEL or PURGE
        if (marker) newest.delete(key);
        else newest.set(key, { text: message.string(), revision: message.seq });
      }
    } catch (cause) {
      throw new PullFailedError(`list pull failed: ${describe(cause)}`, { cause });
    } finally {
      silence.end();
    }
    if (silent) throw new PullFailedError(`list pull unanswered for ${PULL_SILENCE_MS} ms`);
    return count;
  }

  /** Runs a NATS call through reconnects; its failure becomes a StoreUnavailableError (closed: StoreError). */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await this.link.run(operation);
    } catch (cause) {
      this.assertOpen();
      throw new StoreUnavailableError(`NATS KV: ${describe(cause)}`, { cause });
    }
  }
}

/** Each key's newest value and revision, as a list read them. */
type Newest = Map<string, { text: string; revision: number }>;

/** A list's pull that failed or went unanswered: the list starts over with a new consumer. */
class PullFailedError extends Error {}

/** Calls `onSilence` once if `heard()` is not called for `ms`. */
class Silence {
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number, onSilence: () => void) {
    this.timer = setTimeout(onSilence, ms);
  }

  heard(): void {
    this.timer.refresh();
  }

  end(): void {
    clearTimeout(this.timer);
  }
}

function toEntry<T>(key: string, text: string, revision: number): Entry<T> {
  return { key, value: JSON.parse(text) as T, revision };
}

function isWrongLastSequence(error: unknown): boolean {
  return (
    (error as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code === WRONG_LAST_SEQUENCE
  );
}

/** The NATS error's code or message: never a URL with credentials (the servers carry none). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code !== error.message ? `${error.message} (${code})` : error.message;
}
