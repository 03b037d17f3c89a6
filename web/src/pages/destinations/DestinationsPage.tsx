// Destinations (admins): saved RTMP/RTMPS/SRT targets that any channel's restreams can use.
import { api } from "../../api/client";
import type { Destination } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { PageTitle } from "../../components/PageTitle";
import { useResource } from "../../hooks/useResource";
import { DestinationForm } from "./DestinationForm";
import { DestinationItem } from "./DestinationItem";

export function DestinationsPage() {
  const destinations = useResource(api.destinations.list, "destinations");
  const replace = (next: Destination) =>
    destinations.setData((items) => items?.map((item) => (item.id === next.id ? next : item)));

  return (
    <>
      <PageTitle title="Destinations">Destinations</PageTitle>
      <p className="hint">
        An RTMP or RTMPS server URL with its application (the stream key goes on each restream), or a full SRT
        listener URL.
      </p>
      <ErrorMessage error={destinations.error} />
      {destinations.data?.length === 0 && <p>No destinations yet.</p>}
      <ul className="cards">
        {destinations.data?.map((destination) => (
          <DestinationItem
            key={destination.id}
            destination={destination}
            onSaved={replace}
            onDeleted={() =>
              destinations.setData((items) => items?.filter((item) => item.id !== destination.id))
            }
          />
        ))}
      </ul>
      <section className="panel" aria-labelledby="new-destination-title">
        <h2 id="new-destination-title">Add destination</h2>
        <DestinationForm
          submitLabel="Add destination"
          save={api.destinations.create}
          onSaved={(created) => destinations.setData((items) => [...(items ?? []), created])}
        />
      </section>
    </>
  );
}
