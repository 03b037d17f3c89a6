// The channel's slate: the picture a restream with "on source loss: slate" sends while every input
// is gone (a card with the channel's name until one is set). A chosen file is previewed before
// it is uploaded; the server checks it (PNG or JPEG, at most 2 MiB) and says what is wrong.
import { type ChangeEvent, type FormEvent, useEffect, useState } from "react";
import { type ApiError, api } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";

const MAX_BYTES = 2 * 1024 * 1024;

export function SlatePanel({ channelId }: { readonly channelId: string }) {
  const [file, setFile] = useState<File>();
  const [preview, setPreview] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();

  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const choose = (event: ChangeEvent<HTMLInputElement>) => {
    setFile(event.target.files?.[0]);
    setSaved(false);
    setError(undefined);
  };

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    try {
      await api.channels.setSlate(channelId, file);
      setSaved(true);
      setError(undefined);
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <section className="panel slate-panel" aria-label="Slate">
      <h2>Slate</h2>
      <p className="hint">
        Restreams set to "on source loss: slate" keep their destinations with this picture while the channel
        has no input. Without one, a card with the channel's name.
      </p>
      <form onSubmit={upload} aria-label="Slate picture">
        <div className="field">
          <label htmlFor={`${channelId}-slate`}>Picture (PNG or JPEG, at most 2 MiB)</label>
          <input id={`${channelId}-slate`} type="file" accept="image/png,image/jpeg" onChange={choose} />
        </div>
        {preview && <img className="slate-preview" src={preview} alt="Slate preview: the file chosen" />}
        {file && file.size > MAX_BYTES && (
          <p className="hint">This file is larger than 2 MiB: it will be refused.</p>
        )}
        <div className="actions">
          <button type="submit" className="small" disabled={!file}>
            Upload slate
          </button>
          {saved && <span role="status">Slate saved</span>}
        </div>
        <ErrorMessage error={error} />
      </form>
    </section>
  );
}
