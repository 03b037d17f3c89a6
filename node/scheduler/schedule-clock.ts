// Applies restreams' schedules on time. Every node keeps the next due time of each scheduled
// restream, fed by the store's change feed (no reads of its own), and a timer for the earliest;
// only the scheduler leader applies what is due. A new leader applies at once what fell due
// while there was none (its services call `request()` when a node leaves or joins), and a start
// time already past when it is set is due at once. Applying is one compare-and-set write per
// restream (Catalog.applySchedule), so two leaders for a moment still apply each time once.
import type { RestreamRecord } from "../catalog/records.js";
import { nextTime } from "../catalog/schedule.js";
import { CoalescedRounds } from "../kit/coalesced-rounds.js";

export interface ClockParent {
  isLeader(): boolean;
  /** Applies what is due at `now` for one restream (store write, events, history). */
  apply(restreamId: string, now: number): Promise<void>;
  warn(details: Record<string, unknown>, message: string): void;
}

/** setTimeout's limit is ~24.8 days; a later time is waited for in steps. */
const MAX_WAIT_MS = 86_400_000;
/** A write that failed (the store away) is tried again this soon. */
const RETRY_MS = 1_000;

export class ScheduleClock {
  /** restreamId -> the earliest time still to apply (ms since the epoch). */
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly rounds: CoalescedRounds;

  constructor(private readonly parent: ClockParent) {
    this.rounds = new CoalescedRounds(
      () => this.tick(),
      (error) => this.parent.warn({ err: error }, "schedule round failed"),
    );
  }

  /** A restream was written (or read at start): its schedule as it is now. */
  set(restream: Pick<RestreamRecord, "id" | "schedule">): void {
    const at = nextTime(restream.schedule);
    if (at === undefined) {
      if (this.due.delete(restream.id)) void this.request();
      return;
    }
    if (this.due.get(restream.id) === at) return;
    this.due.set(restream.id, at);
    void this.request();
  }

  delete(restreamId: string): void {
    this.due.delete(restreamId);
  }

  /** Applies what is due (if leader) and sets the timer for the next time. */
  request(): Promise<void> {
    return this.rounds.request();
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.rounds.close();
  }

  private async tick(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    const leader = this.parent.isLeader();
    let next = Number.POSITIVE_INFINITY;
    for (const [restreamId, at] of this.due) {
      if (at > now) next = Math.min(next, at);
      else if (leader) {
        // Its new schedule comes back through the change feed (set()); until then it is not due again.
        this.due.delete(restreamId);
        const applied = await this.parent.apply(restreamId, now).then(
          () => true,
          (error: unknown) => {
            this.parent.warn({ err: error, restreamId }, "could not apply a restream's schedule; retrying");
            return false;
          },
        );
        if (!applied) {
          this.due.set(restreamId, at);
          next = Math.min(next, now + RETRY_MS);
        }
      }
    }
    if (Number.isFinite(next)) {
      const wait = Math.min(next - now, MAX_WAIT_MS);
      this.timer = setTimeout(() => void this.request(), wait).unref();
    }
  }
}
