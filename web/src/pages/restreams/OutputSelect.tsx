// The output profile of a push: copy (the channel as it comes), or a few H.264 sizes and bitrates
// with AAC 128k. Restreams of a channel with the same choice share one encoder on the server.
import type { RestreamInput } from "../../api/types";
import { SelectField } from "../../components/SelectField";

type Output = NonNullable<Extract<RestreamInput, { kind: "destination" }>["output"]>;

const AAC = { codec: "aac", bitrateKbps: 128 } as const;

export const OUTPUT_CHOICES: readonly { value: string; label: string; output: Output }[] = [
  {
    value: "1080p",
    label: "H.264 1080p, 6000 kbps",
    output: { video: { codec: "h264", bitrateKbps: 6000, maxHeight: 1080 }, audio: AAC },
  },
  {
    value: "720p",
    label: "H.264 720p, 3000 kbps",
    output: { video: { codec: "h264", bitrateKbps: 3000, maxHeight: 720 }, audio: AAC },
  },
  {
    value: "480p",
    label: "H.264 480p, 1500 kbps",
    output: { video: { codec: "h264", bitrateKbps: 1500, maxHeight: 480 }, audio: AAC },
  },
];

/** The profile of a choice; undefined: copy. */
export function outputOf(choice: string): Output | undefined {
  return OUTPUT_CHOICES.find((one) => one.value === choice)?.output;
}

interface OutputSelectProps {
  readonly value: string;
  readonly error: string | undefined;
  readonly onChange: (choice: string) => void;
}

export function OutputSelect({ value, error, onChange }: OutputSelectProps) {
  return (
    <SelectField
      label="Output"
      value={value}
      error={error}
      onChange={(event) => onChange(event.target.value)}
      options={OUTPUT_CHOICES.map(({ value: choice, label }) => ({ value: choice, label }))}
      placeholder="Copy: as the channel sends it"
    />
  );
}
