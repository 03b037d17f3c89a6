// Adds or edits a destination; the API's validation messages appear under their fields.
import { type FormEvent, useId, useState } from "react";
import type { ApiError } from "../../api/client";
import type { Destination, DestinationInput } from "../../api/types";

type PresetId = NonNullable<DestinationInput["preset"]>;

import { ErrorMessage } from "../../components/ErrorMessage";
import { Field } from "../../components/Field";
import { FieldError } from "../../components/FieldError";
import { PresetSelect } from "./PresetSelect";

interface DestinationFormProps {
  readonly initial?: Destination;
  readonly submitLabel: string;
  readonly save: (input: DestinationInput) => Promise<Destination>;
  readonly onSaved: (destination: Destination) => void;
  readonly onCancel?: () => void;
}

const SHOWN_FIELDS = ["name", "url", "insecureSkipVerify", "preset"];

export function DestinationForm({ initial, submitLabel, save, onSaved, onCancel }: DestinationFormProps) {
  const [name, setName] = useState(initial?.name ?? "");
  const [url, setUrl] = useState(initial?.url ?? "");
  const [insecure, setInsecure] = useState(initial?.insecureSkipVerify ?? false);
  const [preset, setPreset] = useState(initial?.preset ?? "");
  const [error, setError] = useState<ApiError>();
  const fields = error?.fields ?? {};
  const insecureErrorId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      onSaved(
        await save({
          name,
          url,
          insecureSkipVerify: insecure,
          preset: preset === "" ? null : (preset as PresetId),
        }),
      );
      setError(undefined);
      if (!initial) {
        setName("");
        setUrl("");
        setInsecure(false);
        setPreset("");
      }
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <form onSubmit={submit} aria-label={submitLabel}>
      <Field
        label="Name"
        required
        value={name}
        error={fields.name}
        onChange={(event) => setName(event.target.value)}
      />
      <PresetSelect
        value={preset}
        error={fields.preset}
        onChange={(chosen) => {
          setPreset(chosen?.id ?? "");
          if (chosen?.url) setUrl(chosen.url);
        }}
      />
      <Field
        label="URL"
        required
        value={url}
        error={fields.url}
        placeholder="rtmp://live.example.com/app"
        hint="rtmp://, rtmps:// or srt://. A changed SRT URL needs its passphrase again."
        onChange={(event) => setUrl(event.target.value)}
      />
      <label className="switch">
        <input
          type="checkbox"
          checked={insecure}
          aria-invalid={fields.insecureSkipVerify ? true : undefined}
          aria-describedby={fields.insecureSkipVerify ? insecureErrorId : undefined}
          onChange={(event) => setInsecure(event.target.checked)}
        />
        Accept an untrusted certificate (RTMPS only)
      </label>
      <FieldError id={insecureErrorId} error={fields.insecureSkipVerify} />
      <ErrorMessage error={error} shownFields={SHOWN_FIELDS} />
      <div className="actions">
        <button type="submit">{submitLabel}</button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
