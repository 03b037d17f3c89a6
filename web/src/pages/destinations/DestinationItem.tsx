// One destination: name, kind and (redacted) URL, which restreams use it, edit and delete. A
// delete refused because restreams use it (409) shows the API's message and the users.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Destination } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { DestinationForm } from "./DestinationForm";
import { UsedBy } from "./UsedBy";

interface DestinationItemProps {
  readonly destination: Destination;
  readonly onSaved: (destination: Destination) => void;
  readonly onDeleted: () => void;
}

export function DestinationItem({ destination, onSaved, onDeleted }: DestinationItemProps) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError>();

  const remove = async () => {
    try {
      await api.destinations.remove(destination.id);
      onDeleted();
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <li className="card" aria-labelledby={`${destination.id}-name`}>
      <h3 id={`${destination.id}-name`}>{destination.name}</h3>
      <p>
        <span className="kind">{destination.kind.toUpperCase()}</span> <code>{destination.url}</code>
      </p>
      <UsedBy ids={destination.usedBy} />
      {editing ? (
        <DestinationForm
          initial={destination}
          submitLabel="Save destination"
          save={({ url, ...rest }) =>
            // The URL came back redacted (an SRT passphrase is ***): sent only when changed.
            api.destinations.update(destination.id, url === destination.url ? rest : { url, ...rest })
          }
          onSaved={(saved) => {
            setEditing(false);
            onSaved(saved);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div className="actions">
          <button type="button" className="small" onClick={() => setEditing(true)}>
            Edit<span className="visually-hidden"> {destination.name}</span>
          </button>
          <ConfirmButton
            question={`Delete destination ${destination.name}?`}
            confirmLabel="Delete"
            onConfirm={remove}
          >
            Delete<span className="visually-hidden"> {destination.name}</span>
          </ConfirmButton>
        </div>
      )}
      <ErrorMessage error={error} />
    </li>
  );
}
