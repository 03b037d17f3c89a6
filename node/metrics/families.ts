// The metric families of GET /metrics (the contract in the README: names and labels exactly),
// registered once and refilled from a snapshot at every scrape. Refilling starts from reset(),
// so a restream or channel that left the snapshot leaves the exposition with it.
//
// Label values come only from ids, enums, the node id and a destination's name: never from a
// URL, a stream key or a passphrase, whatever the records in the snapshot hold.
import { Counter, Gauge, type Registry } from "prom-client";
import { INGEST_INPUTS } from "../defs/ingest-input.js";
import { ERROR_CODES, RESTREAM_STATES } from "../defs/restream-status.js";
import { ACTOR_KINDS, type MetricsSnapshot, type RestreamSample } from "./snapshot.js";

const RESTREAM_LABELS = ["restream_id", "channel_id", "destination", "node"] as const;

export interface Families {
  readonly state: Gauge<(typeof RESTREAM_LABELS)[number] | "state">;
  readonly error: Gauge<(typeof RESTREAM_LABELS)[number] | "code">;
  readonly bytesSent: Counter<(typeof RESTREAM_LABELS)[number]>;
  readonly bitrate: Gauge<(typeof RESTREAM_LABELS)[number]>;
  readonly restarts: Counter<(typeof RESTREAM_LABELS)[number]>;
  readonly uptime: Gauge<(typeof RESTREAM_LABELS)[number]>;
  readonly holding: Gauge<(typeof RESTREAM_LABELS)[number]>;
  readonly channelLive: Gauge<"channel_id" | "node">;
  readonly ingestBytes: Counter<"channel_id" | "node" | "protocol">;
  readonly inputSwitches: Counter<"channel_id" | "node" | "to">;
  readonly actors: Gauge<"node" | "kind">;
  readonly capacity: Gauge<"node">;
}

export function registerFamilies(registry: Registry): Families {
  const registers = [registry];
  const restream = [...RESTREAM_LABELS];
  return {
    state: new Gauge({
      name: "streamwell_restream_state",
      help: `Restream state, one-hot: 1 for the current state, 0 for the others (${RESTREAM_STATES.join(", ")})`,
      labelNames: [...restream, "state"],
      registers,
    }),
    error: new Gauge({
      name: "streamwell_restream_error",
      help: `1 while the restream is in error, labelled with why (${ERROR_CODES.join(", ")}); absent otherwise`,
      labelNames: [...restream, "code"],
      registers,
    }),
    bytesSent: new Counter({
      name: "streamwell_restream_bytes_sent_total",
      help: "Bytes the restream's actor sent to the destination (resets when the actor is recreated)",
      labelNames: restream,
      registers,
    }),
    bitrate: new Gauge({
      name: "streamwell_restream_bitrate_bits_per_second",
      help: "Outgoing bitrate of the restream while streaming (0 otherwise)",
      labelNames: restream,
      registers,
    }),
    restarts: new Counter({
      name: "streamwell_restream_restarts_total",
      help: "Times the restream's relay was started again after its first start",
      labelNames: restream,
      registers,
    }),
    uptime: new Gauge({
      name: "streamwell_restream_uptime_seconds",
      help: "Seconds since the restream last began streaming (0 when not streaming)",
      labelNames: restream,
      registers,
    }),
    holding: new Gauge({
      name: "streamwell_restream_holding",
      help: "1 while the restream holds its destination session with the slate (the channel lost every input), else 0",
      labelNames: restream,
      registers,
    }),
    channelLive: new Gauge({
      name: "streamwell_channel_live",
      help: "1 while the channel has a live ingest on this node; 0 (from the scheduler leader) when live nowhere",
      labelNames: ["channel_id", "node"],
      registers,
    }),
    ingestBytes: new Counter({
      name: "streamwell_channel_ingest_bytes_total",
      help: "Bytes received from the channel's publisher on this node since it went live",
      labelNames: ["channel_id", "node", "protocol"],
      registers,
    }),
    inputSwitches: new Counter({
      name: "streamwell_channel_input_switches_total",
      help: "Times the channel's feed switched to this input (primary or backup) since it went live on this node",
      labelNames: ["channel_id", "node", "to"],
      registers,
    }),
    actors: new Gauge({
      name: "streamwell_node_actors",
      help: "Actors this node hosts, by kind (restream, playback, chain)",
      labelNames: ["node", "kind"],
      registers,
    }),
    capacity: new Gauge({
      name: "streamwell_node_capacity_restreams",
      help: "Restream actors this node takes before placing them elsewhere (0: no limit)",
      labelNames: ["node"],
      registers,
    }),
  };
}

/** `destination`: the saved destination's name, or the kind for SRT Push and Remote Playback. */
export function destinationLabel(sample: Pick<RestreamSample, "restream" | "destination">): string {
  const { restream, destination } = sample;
  if (restream.kind !== "destination") return restream.kind;
  return destination?.name ?? restream.destinationId;
}

/** Replaces every family's series with the snapshot's. Synchronous: no scrape sees half of it. */
export function fillFamilies(families: Families, snapshot: MetricsSnapshot): void {
  for (const family of Object.values(families)) family.reset();
  const { node } = snapshot;
  for (const sample of snapshot.restreams) fillRestream(families, sample, node);
  for (const channel of snapshot.channels) {
    families.channelLive.set({ channel_id: channel.channelId, node }, channel.live ? 1 : 0);
    if (channel.ingest) {
      const labels = { channel_id: channel.channelId, node, protocol: channel.ingest.protocol };
      families.ingestBytes.inc(labels, channel.ingest.bytesIn);
      for (const to of INGEST_INPUTS)
        families.inputSwitches.inc({ channel_id: channel.channelId, node, to }, channel.ingest.switches[to]);
    }
  }
  for (const kind of ACTOR_KINDS) families.actors.set({ node, kind }, snapshot.actors[kind]);
  families.capacity.set({ node }, snapshot.capacityRestreams);
}

function fillRestream(families: Families, sample: RestreamSample, exporter: string): void {
  const { restream, status } = sample;
  const labels = {
    restream_id: restream.id,
    channel_id: restream.channelId,
    destination: destinationLabel(sample),
    node: status.node ?? exporter,
  };
  for (const state of RESTREAM_STATES)
    families.state.set({ ...labels, state }, state === status.state ? 1 : 0);
  if (status.state === "error" && status.error) families.error.set({ ...labels, code: status.error.code }, 1);
  families.bytesSent.inc(labels, status.stats.bytesSent);
  families.bitrate.set(labels, status.stats.bitrateBps);
  families.restarts.inc(labels, status.stats.restarts);
  families.uptime.set(labels, status.stats.uptimeSeconds);
  families.holding.set(labels, status.holding ? 1 : 0);
}
