// The three kinds of restream as one radio group.
import type { RestreamKind } from "../../api/types";

const KINDS: readonly { kind: RestreamKind; label: string }[] = [
  { kind: "destination", label: "Saved destination" },
  { kind: "srt_push", label: "SRT Push" },
  { kind: "remote_playback", label: "Remote Playback" },
];

export function KindPicker({
  kind,
  onChange,
}: {
  kind: RestreamKind;
  onChange: (kind: RestreamKind) => void;
}) {
  return (
    <fieldset className="kinds">
      <legend>Kind</legend>
      {KINDS.map((option) => (
        <label key={option.kind}>
          <input
            type="radio"
            name="kind"
            value={option.kind}
            checked={kind === option.kind}
            onChange={() => onChange(option.kind)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
