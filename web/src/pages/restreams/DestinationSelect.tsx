// The saved destinations to push to, by name (users may read them; only admins define them).
import type { Destination } from "../../api/types";
import { SelectField } from "../../components/SelectField";

interface DestinationSelectProps {
  readonly destinations: readonly Destination[];
  readonly value: string;
  readonly error: string | undefined;
  readonly onChange: (destinationId: string) => void;
}

export function DestinationSelect({ destinations, value, error, onChange }: DestinationSelectProps) {
  return (
    <SelectField
      label="Destination"
      required
      value={value}
      error={error}
      onChange={(event) => onChange(event.target.value)}
      options={destinations.map((destination) => ({ value: destination.id, label: destination.name }))}
      placeholder={destinations.length === 0 ? "No destinations saved yet" : "Choose a destination"}
    />
  );
}
