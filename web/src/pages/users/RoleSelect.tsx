// The two roles as a labelled select; the API's message for `role` shows under it.
import { type SelectHTMLAttributes, useId } from "react";
import type { Role } from "../../api/types";
import { FieldError } from "../../components/FieldError";

const ROLES: readonly { role: Role; label: string }[] = [
  { role: "user", label: "User" },
  { role: "admin", label: "Admin" },
];

interface RoleSelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "onChange"> {
  readonly value: Role;
  readonly onChange: (role: Role) => void;
  readonly error?: string | undefined;
}

export function RoleSelect({ value, onChange, error, ...select }: RoleSelectProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Role</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value as Role)}
        {...select}
      >
        {ROLES.map((option) => (
          <option key={option.role} value={option.role}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}
