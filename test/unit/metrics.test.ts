import { describe, expect, it } from "vitest";
import type { DestinationRecord, RestreamRecord } from "../../node/catalog/records.js";
import { IDLE_STATS, type RestreamState, type RestreamStatus } from "../../node/defs/restream-status.js";
import {
  exportedChannels,
  exportedRestreams,
  MetricsExporter,
  type MetricsSnapshot,
  type RestreamSample,
} from "../../node/metrics/index.js";

// Secrets fed into the records; none may reach the exposition text.
const SECRETS = {
  destinationKey: "dest-stream-key-SECRET-1",
  srtPushPassphrase: "srtpushpassphraseSECRET2",
  playbackPassphrase: "playbackpassphraseSECRET3",
  destinationUrlToken: "urltokenSECRET4",
};

const DESTINATION: DestinationRecord = {
  id: "ds_nginx",
  name: "YouTube main",
  url: `rtmp://a.example.net/live2?token=${SECRETS.destinationUrlToken}`,
  insecureSkipVerify: false,
  createdAt: "2030-01-01T00:00:00.000Z",
};

const base = { channelId: "ch_main", desired: "started" as const, createdAt: "2030-01-01T00:00:00.000Z" };

const RECORDS = {
  toDestination: {
    ...base,
    id: "rs_dest",
    name: "to YouTube",
    kind: "destination",
    destinationId: DESTINATION.id,
    streamKey: SECRETS.destinationKey,
  },
  srtPush: {
    ...base,
    id: "rs_srt",
    name: "SRT Push",
    kind: "srt_push",
    url: `srt://203.0.113.5:9000?passphrase=${SECRETS.srtPushPassphrase}&latency=200`,
  },
  playback: {
    ...base,
    id: "rs_play",
    name: "Remote Playback",
    kind: "remote_playback",
    nodeId: "node-a",
    host: "203.0.113.1",
    port: 9001,
    passphrase: SECRETS.playbackPassphrase,
  },
} satisfies Record<string, RestreamRecord>;

const STREAMING_STATS = {
  bitrateBps: 4_500_000,
  bytesSent: 1_234_567,
  uptimeSeconds: 42,
  restarts: 2,
  speed: 1,
};

function status(state: RestreamState, node: string | null = "node-a"): RestreamStatus {
  if (state === "error") {
    return {
      state,
      node,
      error: { code: "destination_unreachable", message: "refused", retryAt: "2030-01-01T00:00:10.000Z" },
      stats: { ...IDLE_STATS, restarts: 3 },
      holding: false,
    };
  }
  return {
    state,
    node,
    error: null,
    stats: state === "streaming" ? STREAMING_STATS : IDLE_STATS,
    holding: state === "streaming",
  };
}

function sample(restream: RestreamRecord, state: RestreamState, node?: string | null): RestreamSample {
  return {
    restream,
    destination: restream.kind === "destination" ? DESTINATION : undefined,
    status: status(state, node),
  };
}

function snapshot(restreams: RestreamSample[], extra: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    node: "node-a",
    restreams,
    channels: [
      {
        channelId: "ch_main",
        live: true,
        ingest: { protocol: "rtmp", bytesIn: 98_765, switches: { primary: 1, backup: 2 } },
      },
    ],
    actors: { restream: restreams.length, playback: 0, chain: 0 },
    capacityRestreams: 10,
    ...extra,
  };
}

/** The series of one family as "labels value" lines, labels as written. */
function series(text: string, name: string): string[] {
  return text.split("\n").filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = series(text, name).find((l) =>
    Object.entries(labels).every(([key, v]) => l.includes(`${key}="${v}"`)),
  );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

const render = async (
  snap: MetricsSnapshot,
  exporter = new MetricsExporter({ node: "node-a", processMetrics: false }),
) => (await exporter.render(snap)).text;

describe("MetricsExporter", () => {
  it("exports the state one-hot over the four states", async () => {
    const text = await render(snapshot([sample(RECORDS.toDestination, "streaming")]));
    const states = series(text, "streamwell_restream_state");
    expect(states).toHaveLength(4);
    expect(value(text, "streamwell_restream_state", { restream_id: "rs_dest", state: "streaming" })).toBe(1);
    for (const state of ["stopped", "awaiting_stream", "error"]) {
      expect(value(text, "streamwell_restream_state", { restream_id: "rs_dest", state })).toBe(0);
    }
    expect(states[0]).toContain('channel_id="ch_main"');
    expect(states[0]).toContain('node="node-a"');
  });

  it("exports an error series only while in error, with its code", async () => {
    const exporter = new MetricsExporter({ node: "node-a", processMetrics: false });
    const failing = await render(snapshot([sample(RECORDS.toDestination, "error")]), exporter);
    expect(series(failing, "streamwell_restream_error")).toEqual([
      'streamwell_restream_error{restream_id="rs_dest",channel_id="ch_main",destination="YouTube main",node="node-a",code="destination_unreachable"} 1',
    ]);
    expect(value(failing, "streamwell_restream_state", { state: "error" })).toBe(1);
    expect(value(failing, "streamwell_restream_restarts_total", { restream_id: "rs_dest" })).toBe(3);

    const recovered = await render(snapshot([sample(RECORDS.toDestination, "streaming")]), exporter);
    expect(series(recovered, "streamwell_restream_error")).toEqual([]);
    expect(recovered).toContain("# TYPE streamwell_restream_error gauge");
  });

  it("labels the destination with its name, or srt_push / remote_playback", async () => {
    const text = await render(
      snapshot([
        sample(RECORDS.toDestination, "streaming"),
        sample(RECORDS.srtPush, "awaiting_stream"),
        sample(RECORDS.playback, "stopped", null),
      ]),
    );
    expect(value(text, "streamwell_restream_bitrate_bits_per_second", { restream_id: "rs_dest" })).toBe(
      4_500_000,
    );
    expect(series(text, "streamwell_restream_bitrate_bits_per_second").map(destinationOf)).toEqual([
      "YouTube main",
      "srt_push",
      "remote_playback",
    ]);
  });

  it("labels a restream with no actor with the exporting node", async () => {
    const text = await render(snapshot([sample(RECORDS.playback, "stopped", null)]));
    expect(
      value(text, "streamwell_restream_state", { restream_id: "rs_play", node: "node-a", state: "stopped" }),
    ).toBe(1);
  });

  it("exports stats, channels, actors and capacity", async () => {
    const text = await render(snapshot([sample(RECORDS.toDestination, "streaming")]));
    expect(value(text, "streamwell_restream_bytes_sent_total", { restream_id: "rs_dest" })).toBe(1_234_567);
    expect(value(text, "streamwell_restream_uptime_seconds", { restream_id: "rs_dest" })).toBe(42);
    expect(value(text, "streamwell_restream_restarts_total", { restream_id: "rs_dest" })).toBe(2);
    expect(value(text, "streamwell_restream_holding", { restream_id: "rs_dest" })).toBe(1);
    expect(text).toContain("# TYPE streamwell_restream_bytes_sent_total counter");
    expect(series(text, "streamwell_channel_live")).toEqual([
      'streamwell_channel_live{channel_id="ch_main",node="node-a"} 1',
    ]);
    expect(series(text, "streamwell_channel_ingest_bytes_total")).toEqual([
      'streamwell_channel_ingest_bytes_total{channel_id="ch_main",node="node-a",protocol="rtmp"} 98765',
    ]);
    expect(series(text, "streamwell_channel_input_switches_total")).toEqual([
      'streamwell_channel_input_switches_total{channel_id="ch_main",node="node-a",to="primary"} 1',
      'streamwell_channel_input_switches_total{channel_id="ch_main",node="node-a",to="backup"} 2',
    ]);
    expect(series(text, "streamwell_node_actors")).toEqual([
      'streamwell_node_actors{node="node-a",kind="restream"} 1',
      'streamwell_node_actors{node="node-a",kind="playback"} 0',
      'streamwell_node_actors{node="node-a",kind="chain"} 0',
    ]);
    expect(series(text, "streamwell_node_capacity_restreams")).toEqual([
      'streamwell_node_capacity_restreams{node="node-a"} 10',
    ]);
  });

  it("never puts a stream key, passphrase or URL in the text", async () => {
    const exporter = new MetricsExporter({ node: "node-a", processMetrics: true });
    const text = await render(
      snapshot([
        sample(RECORDS.toDestination, "error"),
        sample(RECORDS.srtPush, "streaming"),
        sample(RECORDS.playback, "awaiting_stream"),
      ]),
      exporter,
    );
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/rtmps?:\/\/|srt:\/\/|passphrase|\?/);
  });

  it("drops a restream's series once it leaves the snapshot", async () => {
    const exporter = new MetricsExporter({ node: "node-a", processMetrics: false });
    const both = await render(
      snapshot([sample(RECORDS.toDestination, "error"), sample(RECORDS.srtPush, "streaming")]),
      exporter,
    );
    expect(both).toContain('restream_id="rs_dest"');
    const after = await render(snapshot([sample(RECORDS.srtPush, "streaming")]), exporter);
    expect(after).not.toContain('restream_id="rs_dest"');
    expect(after).toContain('restream_id="rs_srt"');
    const none = await render(snapshot([], { channels: [] }), exporter);
    expect(none).not.toContain("restream_id=");
    expect(none).not.toContain("channel_id=");
  });

  it("adds Node's process metrics with the streamwell_ prefix and the node label", async () => {
    const text = await render(snapshot([]), new MetricsExporter({ node: "node-a", processMetrics: true }));
    expect(text).toMatch(/^streamwell_process_cpu_seconds_total\{node="node-a"\} /m);
    expect(text).toMatch(/^streamwell_nodejs_heap_size_used_bytes\{node="node-a"\} /m);
    const unprefixed = text
      .split("\n")
      .filter((line) => line && !line.startsWith("#") && !line.startsWith("streamwell_"));
    expect(unprefixed).toEqual([]);
  });
});

describe("who exports what", () => {
  const restreams = [{ id: "a" }, { id: "b" }, { id: "c" }];

  it("a node exports its actors' restreams; the leader adds those with no actor anywhere", () => {
    const actorsAnywhere = new Set(["a", "b"]);
    const leader = exportedRestreams(restreams, { hostedHere: new Set(["a"]), leader: true, actorsAnywhere });
    const other = exportedRestreams(restreams, { hostedHere: new Set(["b"]), leader: false });
    expect(leader.map((r) => r.id)).toEqual(["a", "c"]);
    expect(other.map((r) => r.id)).toEqual(["b"]);
  });

  it("live channels come from their ingest node; the leader exports the others as 0", () => {
    const switches = { primary: 0, backup: 0 };
    const ingestsHere = [{ channelId: "x", protocol: "rtmp" as const, bytesIn: 10, switches }];
    const all = ["x", "y", "z"];
    const liveAnywhere = new Set(["x", "y"]);
    expect(exportedChannels(all, { ingestsHere, leader: true, liveAnywhere })).toEqual([
      { channelId: "x", live: true, ingest: { protocol: "rtmp", bytesIn: 10, switches } },
      { channelId: "z", live: false, ingest: null },
    ]);
    expect(exportedChannels(all, { ingestsHere: [], leader: false })).toEqual([]);
  });
});

function destinationOf(line: string): string | undefined {
  return /destination="([^"]*)"/.exec(line)?.[1];
}
