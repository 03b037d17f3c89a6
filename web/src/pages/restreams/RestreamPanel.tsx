// The channel's Restreaming panel: "Add New" and the restreams with their live states.
import { api } from "../../api/client";
import { newerList } from "../../api/newer-view";
import { ErrorMessage } from "../../components/ErrorMessage";
import { useInterval } from "../../hooks/useInterval";
import { useLiveList } from "../../hooks/useLiveList";
import { useResource } from "../../hooks/useResource";
import { AddRestreamForm } from "./AddRestreamForm";
import { BulkActions } from "./BulkActions";
import { RestreamItem } from "./RestreamItem";

const STATS_POLL_MS = 5_000;

interface RestreamPanelProps {
  readonly channelId: string;
  /** The channel is live: warnings (and a streaming restream's counters) follow its stream. */
  readonly live: boolean;
}

export function RestreamPanel({ channelId, live }: RestreamPanelProps) {
  const restreams = useResource(() => api.restreams.list(channelId), `restreams ${channelId}`, newerList);
  const destinations = useResource(api.destinations.list, "destinations");
  const list = useLiveList("restream", restreams, (restream) => restream.channelId === channelId);
  // States arrive as events; while the channel is live, the counters of streaming restreams and
  // the warnings its stream gives (computed on every read) are read every few seconds.
  useInterval(restreams.reload, STATS_POLL_MS, live);

  return (
    <section className="panel" aria-labelledby="restreams-title">
      <h2 id="restreams-title">Restreaming</h2>
      <ErrorMessage error={restreams.error} />
      <AddRestreamForm channelId={channelId} destinations={destinations.data ?? []} onCreated={list.upsert} />
      {restreams.data?.length === 0 && <p>No restreams yet.</p>}
      <BulkActions channelId={channelId} restreams={restreams.data ?? []} onChanged={list.upsert} />
      <ul className="restreams">
        {restreams.data?.map((restream) => (
          <RestreamItem
            key={restream.id}
            restream={restream}
            destinations={destinations.data ?? []}
            onChanged={list.upsert}
            onDeleted={() => list.remove(restream.id)}
          />
        ))}
      </ul>
    </section>
  );
}
