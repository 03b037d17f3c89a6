// A labelled input with its validation message tied to it (aria-invalid + aria-describedby), so
// screen readers read the API's message for the field with the field.
import { type InputHTMLAttributes, useId } from "react";
import { FieldError } from "./FieldError";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: string;
}

export function Field({ label, error, hint, ...input }: FieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={described} {...input} />
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}
