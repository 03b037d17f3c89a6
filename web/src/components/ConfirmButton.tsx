// A destructive action asks once more in place (no modal): the confirm button takes the focus, and
// Cancel or Escape puts things back.
import { type ReactNode, useRef, useState } from "react";
import { useFocusOnToggle } from "../hooks/useFocusOnToggle";

interface ConfirmButtonProps {
  readonly children: ReactNode;
  /** The question, e.g. "Delete restream Twitch?" */
  readonly question: string;
  readonly confirmLabel: string;
  readonly onConfirm: () => void | Promise<void>;
  readonly disabled?: boolean;
}

export function ConfirmButton({ children, question, confirmLabel, onConfirm, disabled }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  useFocusOnToggle(
    asking,
    () => confirmRef.current,
    () => openerRef.current,
  );

  if (!asking) {
    return (
      <button
        type="button"
        className="small"
        ref={openerRef}
        onClick={() => setAsking(true)}
        disabled={disabled}
      >
        {children}
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would break the inline layout; the group is labelled
    <span
      className="confirm"
      role="group"
      aria-label={question}
      onKeyDown={(event) => event.key === "Escape" && setAsking(false)}
    >
      <span>{question}</span>
      <button
        type="button"
        className="small danger"
        ref={confirmRef}
        onClick={async () => {
          setAsking(false);
          await onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
