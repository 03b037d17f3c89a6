// An error answer shown where the user acted; role=alert so it is announced at once. A form passes
// the fields it shows messages under, so a validation error is not said twice.
import type { ApiError } from "../api/client";

interface ErrorMessageProps {
  readonly error: ApiError | Error | undefined;
  /** Field names whose messages appear under their fields. */
  readonly shownFields?: readonly string[];
}

export function ErrorMessage({ error, shownFields = [] }: ErrorMessageProps) {
  if (!error) return null;
  const fields = "fields" in error ? error.fields : {};
  if (shownFields.some((field) => field in fields)) return null;
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}
