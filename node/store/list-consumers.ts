// The short-lived consumers NatsKvStore.list() reads through. JetStream places a one-replica
// consumer on one server of the stream, picked by the metadata leader among those it believes
// online; a server cut off from the rest stays "online" until its routes time out (minutes), and
// a create placed there is never answered. With the store's 2 s request timeout each such pick
// cost 2 s before the next try, so lists (and the scheduler's rounds made of them) waited many
// seconds after a cut (docs/reliability.md, bug 3). A create is a small request the metadata
// leader and the picked server answer in milliseconds, so it gets a short timeout of its own and
// is tried again (NatsLink retries timeouts within the call budget): a bad pick costs that much.
// A create that timed out may still be made on the cut server later; it reads nothing and the
// server drops it after its inactive threshold.
import { AckPolicy, DeliverPolicy, type JetStreamManager } from "nats";
import type { Logger } from "../kit/log.js";

/** Per create: answered in 1-218 ms (median 14 ms) on the lab mesh at load 13-15, 45 creates. */
export const CONSUMER_CREATE_TIMEOUT_MS = 500;
/** A create slower than this, or one that needed more than one try, is logged (bug 3's timeline). */
const LATE_MS = 1_000;
/** The server drops a consumer this long unused (ns): a list that died midway leaves nothing. */
const INACTIVE_THRESHOLD_NS = 30_000_000_000;

export type StoreCall = <T>(operation: () => Promise<T>) => Promise<T>;

export class ListConsumers {
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly call: StoreCall,
    private readonly log?: Logger,
  ) {}

  /** A new consumer of every message under `filter`, from the first; resolves with its name. */
  async create(filter: string): Promise<string> {
    const started = Date.now();
    let attempts = 0;
    const info = await this.call(() => {
      attempts++;
      return this.jsm.consumers.add(this.stream, {
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.All,
        filter_subject: filter,
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: INACTIVE_THRESHOLD_NS,
      });
    });
    const ms = Date.now() - started;
    if (attempts > 1 || ms > LATE_MS) {
      const server = info.cluster?.leader ?? "?";
      this.log?.warn(
        { event: "store.list", ms },
        `store NATS list consumer on ${server} after ${attempts} tries`,
      );
    }
    return info.name;
  }

  /** Deletes the consumer; a failure is left to the server's inactive threshold. */
  delete(name: string): void {
    this.jsm.consumers.delete(this.stream, name).catch(() => {});
  }
}
