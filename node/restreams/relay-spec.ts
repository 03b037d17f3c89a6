// From what a user saved to what a relay needs: the parsed target, the key, and the secrets
// every log line must be scrubbed of.
import type { RelaySpec } from "../actors/relay.js";
import type { DestinationRecord, RestreamRecord } from "../catalog/records.js";
import { parseDestinationUrl } from "../urls/destination-url.js";

/** The relay spec of a pushing restream; null for kinds that do not push (Remote Playback). */
export function relaySpecOf(
  restream: RestreamRecord,
  destination: DestinationRecord | undefined,
): RelaySpec | null {
  if (restream.kind === "remote_playback") return null;
  if (restream.kind === "srt_push") return withSecrets(parseDestinationUrl(restream.url), null, false);
  if (!destination) return null;
  return withSecrets(
    parseDestinationUrl(destination.url),
    restream.streamKey,
    destination.insecureSkipVerify,
  );
}

function withSecrets(
  target: RelaySpec["target"],
  streamKey: string | null,
  insecureSkipVerify: boolean,
): RelaySpec {
  const passphrase = target.kind === "srt" ? target.passphrase : undefined;
  const secrets = [streamKey, passphrase].filter((s): s is string => typeof s === "string" && s.length > 0);
  return { target, streamKey, insecureSkipVerify, secrets };
}
