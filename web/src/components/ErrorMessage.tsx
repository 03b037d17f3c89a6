// An error answer shown where the user acted; role=alert so it is announced at once.
import type { ApiError } from "../api/client";

export function ErrorMessage({ error }: { readonly error: ApiError | Error | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}
