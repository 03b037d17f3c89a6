// One user: name, role (changed at once from the select), quotas, a new password, delete. Your
// own password is changed on the Account page (it asks for the current one), so not here.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Role, User } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { PasswordResetForm } from "./PasswordResetForm";
import { RoleSelect } from "./RoleSelect";

interface UserItemProps {
  readonly user: User;
  /** The logged-in admin's own account. */
  readonly self: boolean;
  readonly onSaved: (user: User) => void;
  readonly onDeleted: () => void;
}

const limit = (value: number, noun: string) => (value === 0 ? `${noun}: no limit` : `${value} ${noun}`);

export function UserItem({ user, self, onSaved, onDeleted }: UserItemProps) {
  const [error, setError] = useState<ApiError>();
  const [resetting, setResetting] = useState(false);
  const [notice, setNotice] = useState("");
  const { username, quotas } = user;

  const act = async (work: () => Promise<void>, done: string) => {
    try {
      await work();
      setError(undefined);
      setNotice(done);
    } catch (reason) {
      setNotice("");
      setError(reason as ApiError);
    }
  };
  const changeRole = (role: Role) =>
    act(async () => onSaved(await api.users.update(user.id, { role })), `${username} is now ${role}.`);
  const remove = () =>
    act(async () => {
      await api.users.remove(user.id);
      onDeleted();
    }, "");

  return (
    <li className="card" aria-labelledby={`${user.id}-name`}>
      <h3 id={`${user.id}-name`}>{username}</h3>
      <p className="hint">
        {self ? "You · " : ""}added {new Date(user.createdAt).toLocaleDateString()} ·{" "}
        {limit(quotas.channels, "channels")}, {limit(quotas.restreams, "restreams")},{" "}
        {limit(quotas.srtPorts, "SRT ports")}
      </p>
      <RoleSelect value={user.role} onChange={changeRole} error={error?.fields.role} />
      {resetting ? (
        <PasswordResetForm
          user={user}
          onDone={(saved) => {
            setResetting(false);
            onSaved(saved);
            setNotice(`New password set for ${username}.`);
          }}
          onCancel={() => setResetting(false)}
        />
      ) : (
        <div className="actions">
          {!self && (
            <button type="button" className="small" onClick={() => setResetting(true)}>
              Reset password<span className="visually-hidden"> of {username}</span>
            </button>
          )}
          <ConfirmButton question={`Delete user ${username}?`} confirmLabel="Delete" onConfirm={remove}>
            Delete<span className="visually-hidden"> {username}</span>
          </ConfirmButton>
        </div>
      )}
      <p role="status" className="hint">
        {notice}
      </p>
      <ErrorMessage error={error} shownFields={["role"]} />
    </li>
  );
}
