// "Add New": a restream of one of three kinds. A saved destination needs the stream key for this
// channel; SRT Push a full SRT URL; Remote Playback only how many callers it serves at once: the
// server hands out a URL to pull from, shown (with its passphrase) once it is made.
import { type FormEvent, useRef, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Destination, Restream, RestreamInput, RestreamKind } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Field } from "../../components/Field";
import { useFocusOnToggle } from "../../hooks/useFocusOnToggle";
import { CallersField, DEFAULT_MAX_CALLERS } from "./CallersField";
import { DestinationSelect } from "./DestinationSelect";
import { KindPicker } from "./KindPicker";
import { OutputFields } from "./OutputFields";
import { COPY, isCopy, type Output } from "./output-profiles";
import { PlaybackNotice } from "./PlaybackNotice";
import { DEFAULT_SOURCE_LOSS, SourceLossFields, sourceLossInput } from "./SourceLossFields";

interface AddRestreamFormProps {
  readonly channelId: string;
  readonly destinations: readonly Destination[];
  readonly onCreated: (restream: Restream) => void;
}

/** Fields the form shows; the API's `fields` use the same names. */
const SHOWN_FIELDS = [
  "name",
  "destinationId",
  "streamKey",
  "url",
  "output",
  "maxCallers",
  "onSourceLoss",
  "slateSeconds",
];

export function AddRestreamForm({ channelId, destinations, onCreated }: AddRestreamFormProps) {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<RestreamKind>("destination");
  const [name, setName] = useState("");
  const [destinationId, setDestinationId] = useState("");
  const [streamKey, setStreamKey] = useState("");
  const [url, setUrl] = useState("");
  const [output, setOutput] = useState<Output>(COPY);
  const [maxCallers, setMaxCallers] = useState(DEFAULT_MAX_CALLERS);
  const [sourceLoss, setSourceLoss] = useState(DEFAULT_SOURCE_LOSS);
  const [error, setError] = useState<ApiError>();
  const [playbackUrl, setPlaybackUrl] = useState<string>();
  const formRef = useRef<HTMLFormElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  useFocusOnToggle(
    open,
    () => formRef.current?.querySelector<HTMLInputElement>("input:checked"),
    () => openerRef.current,
  );

  const input = (): RestreamInput => {
    const named = name.trim() === "" ? {} : { name: name.trim() };
    const encoded = { ...(isCopy(output) ? {} : { output }), ...sourceLossInput(sourceLoss) };
    if (kind === "destination") return { kind, destinationId, streamKey, ...named, ...encoded };
    if (kind === "srt_push") return { kind, url, ...named, ...encoded };
    return { kind, ...named, maxCallers: Number(maxCallers) };
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const restream = await api.restreams.create(channelId, input());
      onCreated(restream);
      setError(undefined);
      setPlaybackUrl(restream.playbackUrl ?? undefined);
      setName("");
      setStreamKey("");
      setUrl("");
      if (restream.kind !== "remote_playback") setOpen(false);
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  const fields = error?.fields ?? {};

  const close = () => {
    setOpen(false);
    setPlaybackUrl(undefined);
    setError(undefined);
  };

  if (!open) {
    return (
      <button type="button" ref={openerRef} onClick={() => setOpen(true)} aria-expanded={false}>
        Add New
      </button>
    );
  }
  return (
    <form className="add-restream" ref={formRef} onSubmit={submit} aria-label="Add a restream">
      <KindPicker
        kind={kind}
        onChange={(next) => {
          setKind(next);
          setPlaybackUrl(undefined);
        }}
      />
      <Field
        label="Name (optional)"
        value={name}
        error={fields.name}
        onChange={(event) => setName(event.target.value)}
      />
      {kind === "destination" && (
        <>
          <DestinationSelect
            destinations={destinations}
            value={destinationId}
            error={fields.destinationId}
            onChange={setDestinationId}
          />
          <Field
            label="Stream key"
            type="password"
            autoComplete="off"
            required
            value={streamKey}
            error={fields.streamKey}
            hint="The key the destination gave you for this channel."
            onChange={(event) => setStreamKey(event.target.value)}
          />
        </>
      )}
      {kind === "srt_push" && (
        <Field
          label="SRT URL"
          required
          value={url}
          error={fields.url}
          placeholder="srt://host:port?passphrase=…"
          onChange={(event) => setUrl(event.target.value)}
        />
      )}
      {kind !== "remote_playback" && (
        <>
          <OutputFields value={output} error={fields.output} onChange={setOutput} />
          <SourceLossFields value={sourceLoss} errors={fields} onChange={setSourceLoss} />
        </>
      )}
      {kind === "remote_playback" && (
        <>
          <p className="hint">
            The server gives this restream its own SRT URL; any SRT caller can pull from it.
          </p>
          <CallersField value={maxCallers} error={fields.maxCallers} onChange={setMaxCallers} />
        </>
      )}
      {playbackUrl && <PlaybackNotice url={playbackUrl} />}
      <ErrorMessage error={error} shownFields={SHOWN_FIELDS} />
      <div className="actions">
        <button type="submit">Add restream</button>
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
    </form>
  );
}
