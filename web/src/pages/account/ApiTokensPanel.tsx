// API tokens for scripts and other services: make one (shown once, with a copy button), see your
// tokens by name and expiry, revoke one (asks first). A revoked token stops working at once.
import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { ApiToken, NewApiToken } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { CopyButton } from "../../components/CopyButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Field } from "../../components/Field";
import { useResource } from "../../hooks/useResource";

const day = (iso: string) => new Date(iso).toLocaleDateString();

function TokenItem({ token, onRevoked }: { readonly token: ApiToken; readonly onRevoked: () => void }) {
  const [error, setError] = useState<ApiError>();
  const revoke = async () => {
    try {
      await api.tokens.remove(token.id);
      onRevoked();
    } catch (reason) {
      setError(reason as ApiError);
    }
  };
  return (
    <li className="card" aria-labelledby={`${token.id}-name`}>
      <h3 id={`${token.id}-name`}>{token.name}</h3>
      <p>
        Made {day(token.createdAt)}, {token.expiresAt ? `expires ${day(token.expiresAt)}` : "never expires"}
      </p>
      <div className="actions">
        <ConfirmButton question={`Revoke token ${token.name}?`} confirmLabel="Revoke" onConfirm={revoke}>
          Revoke<span className="visually-hidden"> {token.name}</span>
        </ConfirmButton>
      </div>
      <ErrorMessage error={error} />
    </li>
  );
}

export function ApiTokensPanel() {
  const tokens = useResource(api.tokens.list, "tokens");
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [error, setError] = useState<ApiError>();
  const [made, setMade] = useState<NewApiToken>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const token = await api.tokens.create(days === "" ? { name } : { name, expiresInDays: Number(days) });
      setError(undefined);
      setMade(token);
      setName("");
      setDays("");
      tokens.reload();
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <section aria-labelledby="tokens-title" className="panel">
      <h2 id="tokens-title">API tokens</h2>
      <p>
        A token acts as you for scripts and other services: send it as <code>Authorization: Bearer</code>. It
        is shown once, when it is made.
      </p>
      <form onSubmit={submit}>
        <Field
          label="Token name"
          required
          maxLength={100}
          value={name}
          error={error?.fields.name}
          onChange={(event) => setName(event.target.value)}
        />
        <Field
          label="Expires in days"
          type="number"
          min={1}
          max={3650}
          value={days}
          hint="Leave empty for a token that never expires."
          error={error?.fields.expiresInDays}
          onChange={(event) => setDays(event.target.value)}
        />
        <ErrorMessage error={error} shownFields={["name", "expiresInDays"]} />
        <button type="submit">Make token</button>
      </form>
      {made && (
        <div role="status" className="new-token">
          <p>
            Token <strong>{made.name}</strong>: copy it now, it is not shown again.
          </p>
          <p>
            <code>{made.token}</code> <CopyButton value={made.token} label={`token ${made.name}`} />
          </p>
        </div>
      )}
      <ErrorMessage error={tokens.error} />
      {tokens.data && tokens.data.length === 0 && <p>No API tokens yet.</p>}
      <ul className="cards">
        {tokens.data?.map((token) => (
          <TokenItem key={token.id} token={token} onRevoked={tokens.reload} />
        ))}
      </ul>
    </section>
  );
}
