// Prometheus metrics of a node, built at scrape time from a snapshot (see snapshot.ts).
export { type Exposition, METRIC_PREFIX, MetricsExporter } from "./exporter.js";
export { destinationLabel, type Families, fillFamilies, registerFamilies } from "./families.js";
export {
  ACTOR_KINDS,
  type ActorKind,
  type ChannelSample,
  exportedChannels,
  exportedRestreams,
  type MetricsSnapshot,
  type RestreamSample,
} from "./snapshot.js";
