// A platform preset for a destination (GET /presets): picking one fills the URL with the
// platform's, its rules show under the choice (Kick's required path among them), and restreams to
// it are warned when their stream breaks them.
import { api } from "../../api/client";
import type { Preset } from "../../api/types";
import { SelectField } from "../../components/SelectField";
import { useResource } from "../../hooks/useResource";

interface PresetSelectProps {
  readonly value: string;
  readonly error: string | undefined;
  readonly onChange: (preset: Preset | undefined) => void;
}

/** What a user must know of a preset when making a destination from it. */
function presetRules(preset: Preset): string {
  const url =
    preset.url === null
      ? `${preset.name} makes a URL for each live event: paste it below.`
      : preset.requiredApp !== null
        ? `${preset.name} needs the path /${preset.requiredApp}/ in its URL (${preset.url}).`
        : "";
  const codecs = `${preset.videoCodecs.join(", ").toUpperCase()} + ${preset.audio.codec.toUpperCase()}`;
  const limits = `${codecs}, a keyframe every ${preset.keyframeSeconds} s or less, video up to ${preset.maxVideoBitrateKbps} kbps, audio at least ${preset.audio.minBitrateKbps} kbps; restreams that break these are warned.`;
  return `${url} ${limits}`.trim();
}

export function PresetSelect({ value, error, onChange }: PresetSelectProps) {
  const presets = useResource(api.destinations.presets, "presets").data ?? [];
  const chosen = presets.find((preset) => preset.id === value);
  return (
    <SelectField
      label="Platform (optional)"
      value={value}
      error={error}
      hint={chosen && presetRules(chosen)}
      onChange={(event) => onChange(presets.find((preset) => preset.id === event.target.value))}
      options={presets.map((preset) => ({ value: preset.id, label: preset.name }))}
      placeholder="None: any server"
    />
  );
}
