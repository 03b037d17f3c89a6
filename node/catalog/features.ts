// Server feature switches (admin only). A restream needs `restreaming`, and `srt` too when it
// sends or serves SRT; turning a switch off stops the restreams that need it.

import type { Store } from "../store/store.js";
import { parseDestinationUrl } from "../urls/destination-url.js";
import { type DestinationRecord, type Features, keys, type RestreamRecord } from "./records.js";

export const DEFAULT_FEATURES: Features = { restreaming: true, srt: true };

export type FeatureName = keyof Features;

export class FeatureSwitches {
  constructor(private readonly store: Store) {}

  async get(): Promise<Features> {
    return { ...DEFAULT_FEATURES, ...(await this.store.get<Features>(keys.features))?.value };
  }

  async set(change: Partial<Features>): Promise<Features> {
    const features = { ...(await this.get()), ...change };
    await this.store.put(keys.features, features);
    return features;
  }
}

/** The switches a restream depends on, given its destination when it has one. */
export function requiredFeatures(
  restream: Pick<RestreamRecord, "kind">,
  destination?: Pick<DestinationRecord, "url">,
): FeatureName[] {
  const sendsSrt =
    restream.kind !== "destination" ||
    (destination !== undefined && parseDestinationUrl(destination.url).kind === "srt");
  return sendsSrt ? ["restreaming", "srt"] : ["restreaming"];
}
