// "Next retry in 12 s", ticking once a second.
import { useNow } from "../../hooks/useNow";

export function RetryCountdown({ at }: { readonly at: string }) {
  const now = useNow();
  const seconds = Math.max(0, Math.ceil((Date.parse(at) - now) / 1_000));
  return <span className="retry">{seconds > 0 ? ` Next retry in ${seconds} s.` : " Retrying now."}</span>;
}
