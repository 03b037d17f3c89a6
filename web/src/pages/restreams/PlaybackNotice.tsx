// Shown once a Remote Playback is made: the URL to pull from, with its passphrase.
import { PlainValue } from "../../components/SecretValue";

export function PlaybackNotice({ url }: { readonly url: string }) {
  return (
    <div className="notice" role="status">
      <p>Remote Playback ready. Pull the channel from:</p>
      <PlainValue label="Playback URL" value={url} />
    </div>
  );
}
