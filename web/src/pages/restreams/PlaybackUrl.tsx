// A Remote Playback's URL carries its passphrase, so lists leave it out: it is fetched on demand.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { PlainValue } from "../../components/SecretValue";

export function PlaybackUrl({ restreamId }: { readonly restreamId: string }) {
  const [url, setUrl] = useState<string | null>();
  const [error, setError] = useState<ApiError>();

  if (url) return <PlainValue label="Playback URL" value={url} />;
  const load = () =>
    api.restreams.get(restreamId).then(
      (restream) => setUrl(restream.playbackUrl),
      (reason: ApiError) => setError(reason),
    );
  return (
    <>
      <button type="button" className="small" onClick={load}>
        Show playback URL
      </button>
      <ErrorMessage error={error} />
    </>
  );
}
