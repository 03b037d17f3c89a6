// Restreams with their destination and derived status, for the API and the metrics alike.
// The switches are read once per call, and each destination the restreams name once: a view of
// one restream reads its one destination, not the list of them (a KV list is a consumer created
// and deleted, several round trips on a mesh; docs/decisions.md).
import type { Catalog } from "../catalog/catalog.js";
import { requiredFeatures } from "../catalog/features.js";
import type { DestinationRecord, RestreamRecord } from "../catalog/records.js";
import { type ActorReport, deriveStatus, type RestreamStatus } from "../defs/restream-status.js";
import { mapBounded } from "../kit/bounded.js";

export interface RestreamWithStatus {
  readonly restream: RestreamRecord;
  readonly destination: DestinationRecord | undefined;
  readonly status: RestreamStatus;
}

/** Destination reads in flight at once (restreams name few destinations: an admin saves them). */
const DESTINATION_READS = 16;

export async function statusesOf(
  catalog: Catalog,
  restreams: readonly RestreamRecord[],
  reportOf: (restreamId: string) => ActorReport | undefined,
): Promise<RestreamWithStatus[]> {
  const named = [...new Set(restreams.flatMap((r) => (r.kind === "destination" ? [r.destinationId] : [])))];
  const [features, destinations] = await Promise.all([
    catalog.features.get(),
    mapBounded(named, DESTINATION_READS, (id) => catalog.destinations.find(id)),
  ]);
  const byId = new Map(named.map((id, i) => [id, destinations[i]]));
  // Whether the switches a restream needs are on depends on its kind and destination only: worked
  // out once for each (a destination's URL parsed once, not once per restream of a long list).
  const onFor = new Map<string, boolean>();
  return restreams.map((restream) => {
    const destination = restream.kind === "destination" ? byId.get(restream.destinationId) : undefined;
    const needs = restream.kind === "destination" ? restream.destinationId : restream.kind;
    let featuresOn = onFor.get(needs);
    if (featuresOn === undefined) {
      featuresOn = requiredFeatures(restream, destination).every((name) => features[name]);
      onFor.set(needs, featuresOn);
    }
    const status = deriveStatus({ desired: restream.desired, featuresOn, actor: reportOf(restream.id) });
    return { restream, destination, status };
  });
}

/**
 * A restream just created, with what its creation read: stopped (a creation never starts one), so
 * neither the switches nor an actor's report can change its status, and nothing is read for it.
 */
export function createdStatus(
  restream: RestreamRecord,
  destination: DestinationRecord | undefined,
): RestreamWithStatus {
  const status = deriveStatus({ desired: restream.desired, featuresOn: true, actor: undefined });
  return { restream, destination, status };
}
