// Copies a value without showing it. The Clipboard API needs a secure context (https or
// localhost); over plain http elsewhere the old execCommand path still works.
import { useState } from "react";

async function copyText(text: string): Promise<void> {
  if (window.isSecureContext && navigator.clipboard) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("copy refused");
}

export function CopyButton({ value, label }: { readonly value: string; readonly label: string }) {
  const [status, setStatus] = useState<"idle" | "copied" | "failed">("idle");
  const copy = () =>
    copyText(value).then(
      () => setStatus("copied"),
      () => setStatus("failed"),
    );
  return (
    <>
      <button type="button" className="small" onClick={copy} aria-label={`Copy ${label}`}>
        Copy
      </button>
      <span className="copy-status" role="status">
        {status === "copied" ? "Copied" : status === "failed" ? "Copy failed: select and copy by hand" : ""}
      </span>
    </>
  );
}
