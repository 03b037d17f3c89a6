// "On source loss" of a push: wait (end the destination's session, today's behaviour) or hold it
// with the channel's slate for N seconds (1-3600), then end it.
import { Field } from "../../components/Field";
import { SelectField } from "../../components/SelectField";

export interface SourceLoss {
  /** "" is wait (the select's placeholder). */
  readonly mode: "" | "slate";
  readonly seconds: string;
}

export const DEFAULT_SOURCE_LOSS: SourceLoss = { mode: "", seconds: "300" };

/** The form's choice as the API takes it. */
export function sourceLossInput(value: SourceLoss): {
  onSourceLoss: "wait" | "slate";
  slateSeconds?: number;
} {
  if (value.mode === "") return { onSourceLoss: "wait" };
  return { onSourceLoss: "slate", slateSeconds: Number(value.seconds) };
}

interface SourceLossFieldsProps {
  readonly value: SourceLoss;
  readonly errors: Readonly<Record<string, string>>;
  readonly onChange: (value: SourceLoss) => void;
}

export function SourceLossFields({ value, errors, onChange }: SourceLossFieldsProps) {
  return (
    <>
      <SelectField
        label="On source loss"
        value={value.mode}
        error={errors.onSourceLoss}
        onChange={(event) => onChange({ ...value, mode: event.target.value === "slate" ? "slate" : "" })}
        options={[{ value: "slate", label: "Slate: keep the destination's session" }]}
        placeholder="Wait: end the destination's session"
      />
      {value.mode === "slate" && (
        <Field
          label="Slate for (seconds)"
          type="number"
          min={1}
          max={3600}
          required
          value={value.seconds}
          error={errors.slateSeconds}
          hint="Then the session ends and the restream waits for the stream."
          onChange={(event) => onChange({ ...value, seconds: event.target.value })}
        />
      )}
    </>
  );
}
