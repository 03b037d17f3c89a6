// Where a restream's live stream breaks its destination's platform preset (keyframe interval,
// bitrate, codec, audio bitrate); each message names the fix (often an output profile).
import type { Restream } from "../../api/types";

export function RestreamWarnings({ restream }: { readonly restream: Restream }) {
  if (restream.warnings.length === 0) return null;
  return (
    <ul className="restream-warnings" aria-label={`Warnings for ${restream.name}`}>
      {restream.warnings.map((warning) => (
        <li key={warning.code + warning.message} className="warning">
          {warning.message}
        </li>
      ))}
    </ul>
  );
}
