// A restream's schedule: start at `startAt`, stop at `stopAt` (ISO 8601, either or both). Each
// time is removed from the record when the scheduler leader applies it, in the same
// compare-and-set write that changes `desired`, so a time is applied once, whichever leader does
// it, and a user's own start or stop after it is never overridden by a leader that restarts.
import type { Desired } from "./records.js";

export interface Schedule {
  readonly startAt?: string;
  readonly stopAt?: string;
}

export interface ScheduleStep {
  /** What the restream is set to now; undefined: nothing is due. */
  readonly desired: Desired | undefined;
  /** What stays to be done later (null: nothing). */
  readonly rest: Schedule | null;
}

const at = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/** An empty schedule is no schedule. */
export function normalSchedule(schedule: Schedule | null | undefined): Schedule | null {
  if (!schedule || (schedule.startAt === undefined && schedule.stopAt === undefined)) return null;
  return schedule;
}

/**
 * What is due at `now`. A start time in the past starts now; when both times have passed (no
 * leader was up in between) the later one wins, so the restream ends as its schedule ends.
 */
export function dueStep(schedule: Schedule | null | undefined, now: number): ScheduleStep {
  const start = at(schedule?.startAt);
  const stop = at(schedule?.stopAt);
  const startDue = start !== undefined && start <= now;
  const stopDue = stop !== undefined && stop <= now;
  if (!startDue && !stopDue) return { desired: undefined, rest: normalSchedule(schedule) };
  const desired: Desired =
    stopDue && (!startDue || (stop as number) >= (start as number)) ? "stopped" : "started";
  const rest = normalSchedule({
    ...(startDue ? {} : { startAt: schedule?.startAt }),
    ...(stopDue ? {} : { stopAt: schedule?.stopAt }),
  });
  return { desired, rest };
}

/** The earliest time still to apply, in ms since the epoch. */
export function nextTime(schedule: Schedule | null | undefined): number | undefined {
  const times = [at(schedule?.startAt), at(schedule?.stopAt)].filter((t): t is number => t !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}
