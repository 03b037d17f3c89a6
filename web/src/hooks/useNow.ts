// The time now, updated once a second while the component shows a countdown.
import { useState } from "react";
import { useInterval } from "./useInterval";

export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useInterval(() => setNow(Date.now()), 1_000);
  return now;
}
