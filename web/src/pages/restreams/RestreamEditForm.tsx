// Changes a restream in place (PATCH): its name; a saved destination and a new stream key; an SRT
// Push URL; a push's output profile; a Remote Playback's callers at once. Keys and passphrases come
// back redacted, so empty secret fields keep the stored ones.
// A running push restarts with the change at once; a Remote Playback its listener (callers call again).
import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Destination, Restream, RestreamChange } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Field } from "../../components/Field";
import { CallersField, DEFAULT_MAX_CALLERS } from "./CallersField";
import { DestinationSelect } from "./DestinationSelect";
import { OutputFields } from "./OutputFields";
import { type Output, sameOutput } from "./output-profiles";
import { type SourceLoss, SourceLossFields, sourceLossInput } from "./SourceLossFields";

interface RestreamEditFormProps {
  readonly restream: Restream;
  readonly destinations: readonly Destination[];
  readonly onSaved: (restream: Restream) => void;
  readonly onCancel: () => void;
}

const SHOWN_FIELDS = [
  "name",
  "destinationId",
  "streamKey",
  "url",
  "output",
  "maxCallers",
  "schedule.startAt",
  "schedule.stopAt",
  "onSourceLoss",
  "slateSeconds",
];

/** An ISO time as a datetime-local input shows it (local time, to the minute), and back. */
const toLocalInput = (iso: string | undefined) =>
  iso === undefined
    ? ""
    : new Date(Date.parse(iso) - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromLocalInput = (value: string) => (value === "" ? undefined : new Date(value).toISOString());

export function RestreamEditForm({ restream, destinations, onSaved, onCancel }: RestreamEditFormProps) {
  const [name, setName] = useState(restream.name);
  const [destinationId, setDestinationId] = useState(restream.destinationId ?? "");
  const [streamKey, setStreamKey] = useState("");
  const [url, setUrl] = useState("");
  const [startAt, setStartAt] = useState(toLocalInput(restream.schedule?.startAt));
  const [stopAt, setStopAt] = useState(toLocalInput(restream.schedule?.stopAt));
  const [output, setOutput] = useState<Output>(restream.output);
  const [maxCallers, setMaxCallers] = useState(String(restream.maxCallers ?? DEFAULT_MAX_CALLERS));
  const [sourceLoss, setSourceLoss] = useState<SourceLoss>({
    mode: restream.onSourceLoss === "slate" ? "slate" : "",
    seconds: String(restream.slateSeconds),
  });
  const [error, setError] = useState<ApiError>();
  const fields = error?.fields ?? {};

  const change = (): RestreamChange => ({
    ...(name !== restream.name ? { name } : {}),
    ...(restream.kind === "destination" && destinationId !== restream.destinationId ? { destinationId } : {}),
    ...(streamKey !== "" ? { streamKey } : {}),
    ...(url !== "" ? { url } : {}),
    ...outputChange(),
    ...callersChange(),
    ...scheduleChange(),
    ...sourceLossChange(),
  });

  const outputChange = (): Pick<RestreamChange, "output"> =>
    sameOutput(output, restream.output) ? {} : { output };
  const callersChange = (): Pick<RestreamChange, "maxCallers"> =>
    restream.kind === "remote_playback" && Number(maxCallers) !== restream.maxCallers
      ? { maxCallers: Number(maxCallers) }
      : {};
  /** On source loss, when it was changed. */
  const sourceLossChange = (): Pick<RestreamChange, "onSourceLoss" | "slateSeconds"> => {
    const input = sourceLossInput(sourceLoss);
    const same =
      input.onSourceLoss === restream.onSourceLoss &&
      (input.slateSeconds === undefined || input.slateSeconds === restream.slateSeconds);
    return same ? {} : input;
  };

  /** The schedule, when either time was changed; both empty: no schedule. */
  const scheduleChange = (): Pick<RestreamChange, "schedule"> => {
    const before = restream.schedule ?? {};
    if (startAt === toLocalInput(before.startAt) && stopAt === toLocalInput(before.stopAt)) return {};
    const schedule = { startAt: fromLocalInput(startAt), stopAt: fromLocalInput(stopAt) };
    return { schedule: schedule.startAt || schedule.stopAt ? schedule : null };
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      onSaved(await api.restreams.update(restream.id, change()));
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <form onSubmit={submit} aria-label={`Edit ${restream.name}`}>
      <Field
        label="Name"
        required
        value={name}
        error={fields.name}
        onChange={(e) => setName(e.target.value)}
      />
      {restream.kind === "destination" && (
        <>
          <DestinationSelect
            destinations={destinations}
            value={destinationId}
            error={fields.destinationId}
            onChange={setDestinationId}
          />
          <Field
            label="New stream key"
            type="password"
            autoComplete="off"
            value={streamKey}
            error={fields.streamKey}
            hint="Leave empty to keep the current key."
            onChange={(event) => setStreamKey(event.target.value)}
          />
        </>
      )}
      {restream.kind === "srt_push" && (
        <Field
          label="New SRT URL"
          value={url}
          error={fields.url}
          placeholder={restream.url ?? ""}
          hint="Leave empty to keep the current URL (and its passphrase)."
          onChange={(event) => setUrl(event.target.value)}
        />
      )}
      {restream.kind !== "remote_playback" && (
        <>
          <OutputFields value={output} error={fields.output} onChange={setOutput} />
          <SourceLossFields value={sourceLoss} errors={fields} onChange={setSourceLoss} />
        </>
      )}
      {restream.kind === "remote_playback" && (
        <CallersField value={maxCallers} error={fields.maxCallers} onChange={setMaxCallers} />
      )}
      <Field
        label="Start at"
        type="datetime-local"
        value={startAt}
        error={fields["schedule.startAt"]}
        hint="Optional: it starts by itself then (a time past: at once)."
        onChange={(event) => setStartAt(event.target.value)}
      />
      <Field
        label="Stop at"
        type="datetime-local"
        value={stopAt}
        error={fields["schedule.stopAt"]}
        hint="Optional: it stops by itself then."
        onChange={(event) => setStopAt(event.target.value)}
      />
      <ErrorMessage error={error} shownFields={SHOWN_FIELDS} />
      <div className="actions">
        <button type="submit" className="small">
          Save
        </button>
        <button type="button" className="small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
