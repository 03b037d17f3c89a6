// One channel: where to publish (ingest URLs and key), what it is sending when live, and its
// restreams. The channel's live state arrives by server-sent events.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import { isDeleted } from "../../api/live-events";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { PageTitle } from "../../components/PageTitle";
import { LiveBadge } from "../../components/StateBadge";
import { useInterval } from "../../hooks/useInterval";
import { useLiveEvent } from "../../hooks/useLive";
import { useResource } from "../../hooks/useResource";
import { navigate } from "../../router";
import { RestreamPanel } from "../restreams/RestreamPanel";
import { IngestPanel } from "./IngestPanel";
import { LiveInfo } from "./LiveInfo";
import { SlatePanel } from "./SlatePanel";

const STATS_POLL_MS = 5_000;

export function ChannelPage({ id }: { readonly id: string }) {
  const channel = useResource(() => api.channels.get(id), `channel ${id}`);
  const [error, setError] = useState<ApiError>();
  // Events say when the channel goes live or offline; its bitrate is read while it is live.
  useInterval(channel.reload, STATS_POLL_MS, channel.data?.live === true);

  useLiveEvent("channel", (data) => {
    if (data.id !== id) return;
    if (isDeleted(data)) navigate("/channels");
    // Events leave the key and ingest URLs out: keep the ones loaded.
    else channel.setData((old) => old && { ...old, ...data });
  });

  const remove = async () => {
    try {
      await api.channels.remove(id);
      navigate("/channels");
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  if (!channel.data) {
    return (
      <>
        <PageTitle title="Channel">Channel</PageTitle>
        <ErrorMessage error={channel.error} />
      </>
    );
  }
  const { data } = channel;
  return (
    <>
      <div className="title-row">
        <PageTitle title={data.name}>{data.name}</PageTitle>
        <LiveBadge live={data.live} />
      </div>
      <div className="channel-grid">
        <IngestPanel channel={data} onChange={(next) => channel.setData(next)} />
        <LiveInfo channel={data} />
      </div>
      <RestreamPanel channelId={id} live={data.live} />
      <SlatePanel channelId={id} />
      <section className="panel danger-zone" aria-label="Delete channel">
        <ConfirmButton
          question={`Delete channel ${data.name} and its restreams?`}
          confirmLabel="Delete channel"
          onConfirm={remove}
        >
          Delete channel
        </ConfirmButton>
        <ErrorMessage error={error} />
      </section>
    </>
  );
}
