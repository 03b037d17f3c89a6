// Restreams with their destination and derived status, for the API and the metrics alike.
// The switches and the destinations are read once per call, not once per restream.
import type { Catalog } from "../catalog/catalog.js";
import { requiredFeatures } from "../catalog/features.js";
import type { DestinationRecord, RestreamRecord } from "../catalog/records.js";
import { type ActorReport, deriveStatus, type RestreamStatus } from "../defs/restream-status.js";

export interface RestreamWithStatus {
  readonly restream: RestreamRecord;
  readonly destination: DestinationRecord | undefined;
  readonly status: RestreamStatus;
}

export async function statusesOf(
  catalog: Catalog,
  restreams: readonly RestreamRecord[],
  reportOf: (restreamId: string) => ActorReport | undefined,
): Promise<RestreamWithStatus[]> {
  const [features, destinations] = await Promise.all([catalog.features.get(), catalog.destinations.list()]);
  const byId = new Map(destinations.map((destination) => [destination.id, destination]));
  return restreams.map((restream) => {
    const destination = restream.kind === "destination" ? byId.get(restream.destinationId) : undefined;
    const featuresOn = requiredFeatures(restream, destination).every((name) => features[name]);
    const status = deriveStatus({ desired: restream.desired, featuresOn, actor: reportOf(restream.id) });
    return { restream, destination, status };
  });
}
