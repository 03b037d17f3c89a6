// A value that carries a secret (stream key, passphrase): hidden until asked, copyable while hidden.
import { useState } from "react";
import { CopyButton } from "./CopyButton";

export function SecretValue({ label, value }: { readonly label: string; readonly value: string }) {
  const [shown, setShown] = useState(false);
  return (
    <div className="value-row">
      <span className="value-label">{label}</span>
      <code className="value">{shown ? value : "•".repeat(12)}</code>
      <span className="actions">
        <button type="button" className="small" onClick={() => setShown(!shown)} aria-pressed={shown}>
          {shown ? "Hide" : "Show"}
          <span className="visually-hidden"> {label}</span>
        </button>
        <CopyButton value={value} label={label} />
      </span>
    </div>
  );
}

export function PlainValue({ label, value }: { readonly label: string; readonly value: string }) {
  return (
    <div className="value-row">
      <span className="value-label">{label}</span>
      <code className="value">{value}</code>
      <span className="actions">
        <CopyButton value={value} label={label} />
      </span>
    </div>
  );
}
