// Adds a user: name, first password and role; the API's validation messages appear under their
// fields (a taken name, a short password).
import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Role, User } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Field } from "../../components/Field";
import { RoleSelect } from "./RoleSelect";

const SHOWN_FIELDS = ["username", "password", "role"];

export function NewUserForm({ onCreated }: { readonly onCreated: (user: User) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("user");
  const [error, setError] = useState<ApiError>();
  const fields = error?.fields ?? {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      onCreated(await api.users.create({ username, password, role }));
      setError(undefined);
      setUsername("");
      setPassword("");
      setRole("user");
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Add user">
      <Field
        label="Username"
        required
        autoComplete="off"
        value={username}
        error={fields.username}
        hint="Letters, digits, '_' or '-'."
        onChange={(event) => setUsername(event.target.value)}
      />
      <Field
        label="Password"
        type="password"
        required
        autoComplete="new-password"
        value={password}
        error={fields.password}
        hint="At least 8 characters. Tell it to the user; they can change it on their Account page."
        onChange={(event) => setPassword(event.target.value)}
      />
      <RoleSelect value={role} onChange={setRole} error={fields.role} />
      <ErrorMessage error={error} shownFields={SHOWN_FIELDS} />
      <button type="submit">Add user</button>
    </form>
  );
}
