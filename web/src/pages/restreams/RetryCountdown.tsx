// "Next retry in 12 s", ticking once a second.
import { useState } from "react";
import { useInterval } from "../../hooks/useInterval";

export function RetryCountdown({ at }: { readonly at: string }) {
  const [now, setNow] = useState(Date.now);
  useInterval(() => setNow(Date.now()), 1_000);
  const seconds = Math.max(0, Math.ceil((Date.parse(at) - now) / 1_000));
  return <span className="retry">{seconds > 0 ? ` Next retry in ${seconds} s.` : " Retrying now."}</span>;
}
