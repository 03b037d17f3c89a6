// "Starts in 4 min 10 s (13:00) · Stops in 1 h 4 min (14:00)": a scheduled restream's times
// still to come, ticking once a second.
import type { Schedule } from "../../api/types";
import { formatDuration } from "../../format";
import { useNow } from "../../hooks/useNow";

function part(label: string, iso: string | undefined, now: number): string | undefined {
  if (iso === undefined) return undefined;
  const seconds = Math.max(0, Math.ceil((Date.parse(iso) - now) / 1_000));
  const clock = new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
  return seconds > 0 ? `${label} in ${formatDuration(seconds)} (${clock})` : `${label} now`;
}

export function ScheduleCountdown({ schedule }: { readonly schedule: Schedule }) {
  const now = useNow();
  const parts = [part("Starts", schedule.startAt, now), part("Stops", schedule.stopAt, now)];
  return <p className="schedule">Scheduled: {parts.filter(Boolean).join(" · ")}</p>;
}
