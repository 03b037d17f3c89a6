// Where a restream's live stream breaks its destination's platform preset (keyframe interval,
// bitrate, codec, audio bitrate), and the output profile that clears them, applied in one click
// (a PATCH of `output`: a running push restarts with it).
import type { Restream } from "../../api/types";
import { describeOutput, type Output, suggestedOutput } from "./output-profiles";

interface RestreamWarningsProps {
  readonly restream: Restream;
  readonly onApply: (output: Output) => void;
}

export function RestreamWarnings({ restream, onApply }: RestreamWarningsProps) {
  if (restream.warnings.length === 0) return null;
  const suggestion = suggestedOutput(restream);
  return (
    <div className="restream-warnings">
      <ul className="warning-list" aria-label={`Warnings for ${restream.name}`}>
        {restream.warnings.map((warning) => (
          <li key={warning.code + warning.message} className="warning">
            {warning.message}
          </li>
        ))}
      </ul>
      {suggestion && (
        <p className="suggestion">
          Suggested output: {describeOutput(suggestion)}{" "}
          <button type="button" className="small" onClick={() => onApply(suggestion)}>
            Apply<span className="visually-hidden"> the suggested output to {restream.name}</span>
          </button>
        </p>
      )}
    </div>
  );
}
