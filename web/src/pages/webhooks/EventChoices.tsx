// Which events a webhook gets, as a group of checkboxes.
import { useId } from "react";
import type { WebhookEvent } from "../../api/types";
import { FieldError } from "../../components/FieldError";

const EVENTS: readonly { event: WebhookEvent; label: string }[] = [
  { event: "restream.state", label: "Restream state changes (restream.state)" },
  { event: "channel.live", label: "Channel live and offline (channel.live)" },
];

interface EventChoicesProps {
  readonly events: readonly WebhookEvent[];
  readonly onChange: (events: WebhookEvent[]) => void;
  readonly error?: string | undefined;
}

export function EventChoices({ events, onChange, error }: EventChoicesProps) {
  const errorId = useId();
  const toggle = (event: WebhookEvent, on: boolean) =>
    onChange(EVENTS.map((option) => option.event).filter((e) => (e === event ? on : events.includes(e))));
  return (
    <fieldset
      className="kinds"
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? errorId : undefined}
    >
      <legend>Events</legend>
      {EVENTS.map((option) => (
        <label key={option.event}>
          <input
            type="checkbox"
            checked={events.includes(option.event)}
            onChange={(change) => toggle(option.event, change.target.checked)}
          />
          {option.label}
        </label>
      ))}
      <FieldError id={errorId} error={error} />
    </fieldset>
  );
}
