import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../api/client";
import type { Me } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { Field } from "../components/Field";

export function LoginPage({ onLogin }: { readonly onLogin: (me: Me) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      onLogin(await api.auth.login(username, password));
    } catch (reason) {
      setError(reason as ApiError);
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <h1>Streamwell</h1>
      <form onSubmit={submit} aria-label="Log in">
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
    </main>
  );
}
