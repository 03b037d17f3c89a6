// One restream: its name and state badge, the facts under it, start/stop/edit/delete, the
// playback URL of a Remote Playback, its preset warnings, and its engine log. Answers of
// start/stop/edit are shown at once; events keep the item current after that.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Destination, Restream } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { StateBadge } from "../../components/StateBadge";
import type { Output } from "./output-profiles";
import { PlaybackUrl } from "./PlaybackUrl";
import { RestreamEditForm } from "./RestreamEditForm";
import { RestreamFacts } from "./RestreamFacts";
import { RestreamHistory } from "./RestreamHistory";
import { RestreamLog } from "./RestreamLog";
import { RestreamWarnings } from "./RestreamWarnings";

interface RestreamItemProps {
  readonly restream: Restream;
  readonly destinations: readonly Destination[];
  readonly onChanged: (restream: Restream) => void;
  readonly onDeleted: () => void;
}

export function RestreamItem({ restream, destinations, onChanged, onDeleted }: RestreamItemProps) {
  const [error, setError] = useState<ApiError>();
  const [editing, setEditing] = useState(false);
  const { name } = restream;
  const destinationName = destinations.find((destination) => destination.id === restream.destinationId)?.name;

  const act = async (work: () => Promise<void>) => {
    try {
      await work();
      setError(undefined);
    } catch (reason) {
      setError(reason as ApiError);
    }
  };
  const start = () => act(async () => onChanged(await api.restreams.start(restream.id)));
  const stop = () => act(async () => onChanged(await api.restreams.stop(restream.id)));
  const applyOutput = (output: Output) =>
    act(async () => onChanged(await api.restreams.update(restream.id, { output })));
  const remove = () =>
    act(async () => {
      await api.restreams.remove(restream.id);
      onDeleted();
    });

  return (
    <li className={`card restream restream-${restream.state}`} aria-labelledby={`${restream.id}-name`}>
      <div className="restream-head">
        <h3 id={`${restream.id}-name`}>{name}</h3>
        {/* A live region: a screen reader hears "Primary: Streaming" when the state changes. */}
        <span role="status">
          <span className="visually-hidden">{name}: </span>
          <StateBadge state={restream.state} holding={restream.holding} />
        </span>
      </div>
      <RestreamFacts restream={restream} destinationName={destinationName} />
      <RestreamWarnings restream={restream} onApply={applyOutput} />
      {restream.kind === "remote_playback" && <PlaybackUrl restreamId={restream.id} />}
      {editing ? (
        <RestreamEditForm
          restream={restream}
          destinations={destinations}
          onSaved={(saved) => {
            setEditing(false);
            onChanged(saved);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div className="actions">
          <button type="button" className="small" onClick={restream.state === "stopped" ? start : stop}>
            {restream.state === "stopped" ? "Start" : "Stop"}
            <span className="visually-hidden"> {name}</span>
          </button>
          <button type="button" className="small" onClick={() => setEditing(true)}>
            Edit<span className="visually-hidden"> {name}</span>
          </button>
          <ConfirmButton question={`Delete restream ${name}?`} confirmLabel="Delete" onConfirm={remove}>
            Delete<span className="visually-hidden"> {name}</span>
          </ConfirmButton>
        </div>
      )}
      <ErrorMessage error={error} />
      <RestreamHistory restreamId={restream.id} />
      <RestreamLog restreamId={restream.id} />
    </li>
  );
}
