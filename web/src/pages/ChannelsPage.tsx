// The channels the user may see, each with its live state, updated by server-sent events.
import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";
import { Field } from "../components/Field";
import { PageTitle } from "../components/PageTitle";
import { LiveBadge } from "../components/StateBadge";
import { useLiveList } from "../hooks/useLiveList";
import { useResource } from "../hooks/useResource";
import { Link, navigate } from "../router";

export function ChannelsPage() {
  const channels = useResource(api.channels.list, "channels");
  // Events reach a user only for channels they may see, so a new one belongs in the list.
  useLiveList("channel", channels, () => true);

  return (
    <>
      <PageTitle title="Channels">Channels</PageTitle>
      <ErrorMessage error={channels.error} />
      {channels.data?.length === 0 && <p>No channels yet. Create one to get an ingest URL and stream key.</p>}
      <ul className="cards">
        {channels.data?.map((channel) => (
          <li key={channel.id} className="card channel-card">
            <Link to={`/channels/${channel.id}`}>{channel.name}</Link>
            <LiveBadge live={channel.live} />
          </li>
        ))}
      </ul>
      <NewChannelForm />
    </>
  );
}

function NewChannelForm() {
  const [name, setName] = useState("");
  const [error, setError] = useState<ApiError>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const channel = await api.channels.create(name);
      navigate(`/channels/${channel.id}`);
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <section className="panel" aria-labelledby="new-channel-title">
      <h2 id="new-channel-title">New channel</h2>
      <form onSubmit={submit}>
        <Field
          label="Channel name"
          required
          value={name}
          error={error?.fields.name}
          onChange={(event) => setName(event.target.value)}
        />
        <ErrorMessage error={error} shownFields={["name"]} />
        <button type="submit">Create channel</button>
      </form>
    </section>
  );
}
