// From what a user saved to what an actor needs: for a push, the parsed target, the key, and the
// secrets every log line must be scrubbed of; for Remote Playback, its port, passphrase and cap.

import type { Catalog } from "../catalog/catalog.js";
import { DEFAULT_SLATE_SECONDS, type DestinationRecord, type RestreamRecord } from "../catalog/records.js";
import type { ActorOrder } from "../defs/orders.js";
import { isCopy } from "../defs/output.js";
import { type ActorSpec, DEFAULT_MAX_CALLERS, type RelaySpec } from "../defs/relay.js";
import { parseDestinationUrl } from "../urls/destination-url.js";

/** What the restream's actor runs; null for a destination restream whose destination is gone. */
export function actorSpecOf(
  restream: RestreamRecord,
  destination: DestinationRecord | undefined,
): ActorSpec | null {
  if (restream.kind === "remote_playback") {
    const { port, passphrase, maxCallers = DEFAULT_MAX_CALLERS } = restream;
    return { kind: "playback", port, passphrase, maxCallers };
  }
  // A profile goes in the spec only when it encodes: `copy` keeps the spec (and placement) as before.
  const output = {
    ...(isCopy(restream.output) ? {} : { output: restream.output }),
    // Like the profile, the slate is in the spec only when it is on: "wait" keeps specs as before.
    ...(restream.onSourceLoss === "slate"
      ? { slate: { seconds: restream.slateSeconds ?? DEFAULT_SLATE_SECONDS } }
      : {}),
  };
  if (restream.kind === "srt_push") {
    return push(parseDestinationUrl(restream.url), null, {
      insecureSkipVerify: false,
      engine: null,
      pinTarget: true,
      ...output,
    });
  }
  if (!destination) return null;
  return push(parseDestinationUrl(destination.url), restream.streamKey, {
    insecureSkipVerify: destination.insecureSkipVerify,
    engine: destination.engine ?? null,
    ...output,
  });
}

function push(
  target: RelaySpec["target"],
  streamKey: string | null,
  options: Pick<RelaySpec, "insecureSkipVerify" | "engine" | "output" | "pinTarget" | "slate">,
): ActorSpec {
  const passphrase = target.kind === "srt" ? target.passphrase : undefined;
  const secrets = [streamKey, passphrase].filter((s): s is string => typeof s === "string" && s.length > 0);
  return { kind: "push", target, streamKey, secrets, ...options };
}

/** A restream's actor as the store has it now (what a node runs, whatever a call said); null: gone. */
export async function storedActorOrder(catalog: Catalog, restreamId: string): Promise<ActorOrder | null> {
  const restream = await catalog.restreams.get(restreamId).catch(() => undefined);
  if (!restream) return null;
  const destination =
    restream.kind === "destination"
      ? await catalog.destinations.get(restream.destinationId).catch(() => undefined)
      : undefined;
  const spec = actorSpecOf(restream, destination);
  return spec && { restreamId, channelId: restream.channelId, spec };
}
