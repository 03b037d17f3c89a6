// An admin sets another user's password (the user's sessions end with it).
import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { User } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Field } from "../../components/Field";

interface PasswordResetFormProps {
  readonly user: User;
  readonly onDone: (saved: User) => void;
  readonly onCancel: () => void;
}

export function PasswordResetForm({ user, onDone, onCancel }: PasswordResetFormProps) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      onDone(await api.users.update(user.id, { password }));
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <form onSubmit={submit} aria-label={`New password for ${user.username}`}>
      <Field
        label="New password"
        type="password"
        required
        autoComplete="new-password"
        value={password}
        error={error?.fields.password}
        hint="Logs the user out everywhere."
        onChange={(event) => setPassword(event.target.value)}
      />
      <ErrorMessage error={error} shownFields={["password"]} />
      <div className="actions">
        <button type="submit">Set password</button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
