// How many callers a Remote Playback serves at once (Add New and Edit); one more is refused until
// one leaves. The API's bounds: 1 to 64.
import { Field } from "../../components/Field";

interface CallersFieldProps {
  readonly value: string;
  readonly error: string | undefined;
  readonly onChange: (value: string) => void;
}

/** The API's default maxCallers, shown in Add New's field. */
export const DEFAULT_MAX_CALLERS = "4";

export function CallersField({ value, error, onChange }: CallersFieldProps) {
  return (
    <Field
      label="Callers at once"
      type="number"
      min={1}
      max={64}
      required
      value={value}
      error={error}
      hint="One more caller is refused until one leaves."
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
