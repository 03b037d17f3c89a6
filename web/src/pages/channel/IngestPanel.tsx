// Where the channel's publisher connects: the RTMP server and key (OBS asks for them apart), the
// full RTMP URL, the SRT URL when SRT ingest is on, the backup encoder's key and URL when the
// backup is on. Secrets stay hidden until asked.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { ChannelWithSecrets } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { PlainValue, SecretValue } from "../../components/SecretValue";

interface IngestPanelProps {
  readonly channel: ChannelWithSecrets;
  readonly onChange: (channel: ChannelWithSecrets) => void;
}

export function IngestPanel({ channel, onChange }: IngestPanelProps) {
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState("");

  /** Runs a change; on failure shows why and puts back `before` (what an optimistic switch changed). */
  const act = async (work: () => Promise<ChannelWithSecrets>, done: string, before = channel) => {
    try {
      onChange(await work());
      setError(undefined);
      setNotice(done);
    } catch (reason) {
      onChange(before);
      setError(reason as ApiError);
    }
  };

  const resetKey = () =>
    act(() => api.channels.resetStreamKey(channel.id), "New stream keys and passphrase made.");
  // The switch moves at once; the reloaded channel (with its SRT URL or backup key) confirms it.
  const toggle = (field: "srtIngest" | "backup", on: boolean, name: string) => {
    onChange({ ...channel, [field]: on });
    return act(
      async () => {
        await api.channels.update(channel.id, { [field]: on });
        return api.channels.get(channel.id);
      },
      `${name} ${on ? "on" : "off"}.`,
    );
  };

  return (
    <section className="panel" aria-labelledby="ingest-title">
      <h2 id="ingest-title">Ingest</h2>
      <PlainValue label="RTMP server" value={channel.ingest.rtmpServer} />
      <SecretValue label="Stream key" value={channel.streamKey} />
      <SecretValue label="RTMP URL with key" value={channel.ingest.rtmp} />
      {channel.ingest.srt && <SecretValue label="SRT URL" value={channel.ingest.srt} />}
      {channel.backupStreamKey && <SecretValue label="Backup stream key" value={channel.backupStreamKey} />}
      {channel.ingest.rtmpBackup && (
        <SecretValue label="Backup RTMP URL with key" value={channel.ingest.rtmpBackup} />
      )}
      {channel.ingest.srtBackup && <SecretValue label="Backup SRT URL" value={channel.ingest.srtBackup} />}
      <label className="switch">
        <input
          type="checkbox"
          checked={channel.srtIngest}
          onChange={(event) => toggle("srtIngest", event.target.checked, "SRT ingest")}
        />
        SRT ingest
      </label>
      <label className="switch">
        <input
          type="checkbox"
          checked={channel.backup}
          onChange={(event) => toggle("backup", event.target.checked, "Backup encoder")}
        />
        Backup encoder
      </label>
      <p className="hint">A second key: its encoder feeds the channel while the primary is down.</p>
      <div className="actions">
        <ConfirmButton
          question="Reset the stream key? The publisher must use the new one."
          confirmLabel="Reset key"
          onConfirm={resetKey}
        >
          Reset stream key
        </ConfirmButton>
      </div>
      <p role="status">{notice}</p>
      <ErrorMessage error={error} />
    </section>
  );
}
