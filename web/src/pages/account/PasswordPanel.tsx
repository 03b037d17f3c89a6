// Changing your own password: the current one first (a stolen session is not enough); your other
// sessions end.
import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Me } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Field } from "../../components/Field";

export function PasswordPanel({ me }: { readonly me: Me }) {
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  const mismatch = repeat !== "" && repeat !== password ? "The two passwords differ." : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setSaved(false);
    try {
      await api.users.changePassword(me.id, current, password);
      setError(undefined);
      setSaved(true);
      setCurrent("");
      setPassword("");
      setRepeat("");
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <section aria-labelledby="password-title" className="panel">
      <h2 id="password-title">Change password</h2>
      <form onSubmit={submit}>
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          error={error?.fields.currentPassword}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          value={password}
          error={error?.fields.password}
          hint="At least 8 characters. Your other sessions will be logged out."
          onChange={(event) => setPassword(event.target.value)}
        />
        <Field
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          error={mismatch}
          onChange={(event) => setRepeat(event.target.value)}
        />
        <ErrorMessage error={error} shownFields={["password", "currentPassword"]} />
        <p role="status">{saved ? "Password changed." : ""}</p>
        <button type="submit">Change password</button>
      </form>
    </section>
  );
}
