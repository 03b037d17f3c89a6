// A platform preset for a destination (GET /presets): picking one fills the URL with the
// platform's, and restreams to it are warned when their stream breaks the platform's rules.
import { api } from "../../api/client";
import type { Preset } from "../../api/types";
import { SelectField } from "../../components/SelectField";
import { useResource } from "../../hooks/useResource";

interface PresetSelectProps {
  readonly value: string;
  readonly error: string | undefined;
  readonly onChange: (preset: Preset | undefined) => void;
}

export function PresetSelect({ value, error, onChange }: PresetSelectProps) {
  const presets = useResource(api.destinations.presets, "presets").data ?? [];
  return (
    <SelectField
      label="Platform (optional)"
      value={value}
      error={error}
      onChange={(event) => onChange(presets.find((preset) => preset.id === event.target.value))}
      options={presets.map((preset) => ({ value: preset.id, label: preset.name }))}
      placeholder="None: any server"
    />
  );
}
