// Backup ingest end to end: a real node, a primary encoder (ffmpeg, 1280x720, keyframe a second)
// and a backup encoder (GStreamer, 640x360, keyframe every half second) publishing to the same
// channel at once, restreamed by the native engine to a real nginx-rtmp that records every
// publish (`record all`) and reports on_publish / on_publish_done to a hook. Killing the primary
// must leave the destination with its one session, fed by the backup within 1 s; the primary
// coming back takes over after ~5 s; the recording has one continuous, decodable timeline.
// Then an SRT destination (ffmpeg engine) across the same kind of switch: one relay, one caller.
// And SRT ingest with a backup: two SRT callers (ffmpeg primary, GStreamer backup) switched the same way.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ffmpegProcess, type MediaProcess, publish, publishSrt, testClip } from "../support/media.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { decodeErrors, frameSizes, timelineSteps, videoTimestamps } from "../support/recording.js";
import { RestreamApi } from "../support/restreams.js";
import { killAll, run, type Tracked } from "../support/rtmp-processes.js";
import { freeUdpPort, freeUdpPorts } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

const DEST_KEY = "event-night";

interface ChannelWithKeys {
  id: string;
  streamKey: string;
  backupStreamKey: string | null;
  backup: boolean;
  input: "primary" | "backup" | null;
  ingest: { rtmp: string; rtmpBackup: string | null; srt: string | null; srtBackup: string | null };
}

let setup: NodeWithNginx;
const api = new RestreamApi(() => ({ admin: setup.admin, rtmpBase: setup.node.rtmpBase }));
const work = mkdtempSync(join(tmpdir(), "streamwell-backup-"));
const media: MediaProcess[] = [];

beforeAll(async () => {
  const srtPorts = await freeUdpPorts(4);
  setup = await startNodeWithNginx({
    nginx: { applications: [{ name: "live", watchPublishers: true, record: true }] },
    node: { env: { STREAMWELL_SRT_PORTS: srtPorts.env } },
  });
}, 60_000);

afterEach(async () => {
  await api.stopRestreams();
  await Promise.all(media.splice(0).map((process) => process.stop()));
  await killAll();
});

afterAll(async () => {
  await Promise.all(media.map((process) => process.stop()));
  await killAll();
  await setup?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** GStreamer as a backup encoder: a live test pattern, H.264 + AAC, over RTMP (FLV) or SRT (MPEG-TS), until killed. */
function gstreamerPublisher(url: string): Tracked {
  if (!url.startsWith("srt:")) {
    // latency: without it, flvmux stamps some frames of two live sources alike under load
    return gstreamer([
      "flvmux",
      "name=m",
      "streamable=true",
      "latency=200000000",
      "!",
      "rtmp2sink",
      `location=${url}`,
    ]);
  }
  const target = new URL(url);
  const passphrase = target.searchParams.get("passphrase") ?? "";
  // biome-ignore format: one sink, kept readable
  return gstreamer([
    "mpegtsmux", "name=m", "alignment=7", "latency=200000000", "!",
    "srtsink", `uri=srt://${target.hostname}:${target.port}?mode=caller`, `passphrase=${passphrase}`, "wait-for-connection=false",
  ]);
}

/** A gst-launch pipeline: a live 640x360 ball (a keyframe every half second) and a tone into `sink` (its muxer named m). */
function gstreamer(sink: string[]): Tracked {
  // biome-ignore format: one gst-launch pipeline, kept readable
  return run("gst-launch-1.0", [
    "-q",
    "videotestsrc", "is-live=true", "pattern=ball", "!",
    "video/x-raw,format=I420,width=640,height=360,framerate=30/1", "!",
    "x264enc", "key-int-max=15", "tune=zerolatency", "speed-preset=superfast", "bitrate=800", "!", "h264parse", "!",
    ...sink,
    "audiotestsrc", "is-live=true", "!", "audio/x-raw,rate=48000,channels=2", "!",
    "audioconvert", "!", "avenc_aac", "!", "aacparse", "!", "m.",
  ]);
}

async function channel(id: string): Promise<ChannelWithKeys> {
  return (await setup.admin.get<ChannelWithKeys>(`/channels/${id}`)).body;
}

/** Milliseconds until the channel's input is `input` (polled every 50 ms). */
async function timeUntilInput(id: string, input: "primary" | "backup", timeoutMs: number): Promise<number> {
  const from = Date.now();
  await waitFor(`input ${input}`, async () => (await channel(id)).input === input, timeoutMs, 50);
  return Date.now() - from;
}

function destinationSessions(key = DEST_KEY): { publish: number; done: number } {
  const events = setup.nginx.publisherEvents().filter((event) => event.name === key);
  return {
    publish: events.filter((event) => event.call === "publish").length,
    done: events.filter((event) => event.call === "publish_done").length,
  };
}

/** Waits for the node to have taken `count` publishers for the channel (both inputs connected). */
async function publishersLive(channelId: string, count: number): Promise<void> {
  const lines = () =>
    setup.node.output.filter((line) => line.includes(channelId) && line.includes('"msg":"publisher live"'));
  await waitFor(`${count} publishers live`, () => lines().length >= count, 20_000);
}

/** How many runs of the SRT ingest listener on `url`'s port began. */
function listening(url: string): number {
  const port = `"port":${new URL(url).port}`;
  return setup.node.output.filter((line) => line.includes(port) && line.includes("SRT ingest listening"))
    .length;
}

/** The one file nginx recorded for the destination stream key `key`. */
async function theRecording(key: string): Promise<string> {
  const files = setup.nginx.recordings().filter((file) => basename(file).startsWith(`${key}-`));
  expect(files).toHaveLength(1);
  return files[0] as string;
}

/** Video timestamps that never go back, no gap of a second, at least `packets` of them; decodes clean. */
async function expectOneTimeline(file: string, packets: number): Promise<void> {
  const timestamps = await videoTimestamps(file);
  expect(timestamps.length).toBeGreaterThan(packets);
  const { mostBack, largestGap } = timelineSteps(timestamps);
  console.log(`recording: ${timestamps.length} video packets, largest gap ${largestGap} ms`);
  expect(mostBack).toBe(0);
  expect(largestGap).toBeLessThan(1_000);
  expect(await decodeErrors(file)).toBe("");
}

describe("backup ingest", () => {
  it("has a second key, shown only in the channel's own GET, indexed for publishing", async () => {
    const created = (
      await setup.admin.post<ChannelWithKeys>("/channels", { name: "With backup", backup: true })
    ).body;
    expect(created.backup).toBe(true);
    expect(created.backupStreamKey).toEqual(expect.any(String));
    expect(created.backupStreamKey).not.toBe(created.streamKey);
    expect(created.ingest.rtmpBackup).toBe(`${setup.node.rtmpBase}/${created.backupStreamKey}`);
    const list = (await setup.admin.get<{ items: Record<string, unknown>[] }>("/channels")).body.items;
    const listed = list.find((item) => item.id === created.id);
    expect(listed).toMatchObject({ backup: true, input: null });
    expect(listed).not.toHaveProperty("backupStreamKey");
    const reset = (await setup.admin.post<ChannelWithKeys>(`/channels/${created.id}/stream-key`)).body;
    expect(reset.backupStreamKey).not.toBe(created.backupStreamKey);
    const off = await setup.admin.patch(`/channels/${created.id}`, { backup: false });
    expect(off.status, off.text).toBe(200);
    expect((await channel(created.id)).backupStreamKey).toBeNull();
    expect(setup.node.output.join("\n")).not.toContain(reset.backupStreamKey as string);
  });

  it("with SRT ingest, the backup has an SRT URL of its own: reset with the keys, gone with the backup", async () => {
    const created = (
      await setup.admin.post<ChannelWithKeys>("/channels", {
        name: "SRT keys",
        srtIngest: true,
        backup: true,
      })
    ).body;
    const { srt, srtBackup } = created.ingest;
    expect(srtBackup).toMatch(/^srt:\/\/.+:\d+\?passphrase=.{10,}$/);
    expect(new URL(srtBackup as string).port).not.toBe(new URL(srt as string).port);
    const list = (await setup.admin.get<{ items: Record<string, unknown>[] }>("/channels")).body.items;
    expect(JSON.stringify(list)).not.toContain(new URL(srtBackup as string).searchParams.get("passphrase"));
    const reset = (await setup.admin.post<ChannelWithKeys>(`/channels/${created.id}/stream-key`)).body;
    expect(reset.ingest.srtBackup).not.toBe(srtBackup);
    expect(new URL(reset.ingest.srtBackup as string).port).toBe(new URL(srtBackup as string).port);
    const off = await setup.admin.patch(`/channels/${created.id}`, { backup: false });
    expect(off.status, off.text).toBe(200);
    expect((await channel(created.id)).ingest).toMatchObject({ srtBackup: null, rtmpBackup: null });
    expect((await channel(created.id)).ingest.srt).toBe(reset.ingest.srt);
    const on = await setup.admin.patch(`/channels/${created.id}`, { backup: true });
    expect(on.status, on.text).toBe(200);
    expect((await channel(created.id)).ingest.srtBackup).toEqual(expect.any(String));
  });

  it("switches to the backup when the primary dies, and back; the destination keeps one session and one timeline", async () => {
    const ch = (await setup.admin.post<ChannelWithKeys>("/channels", { name: "Event", backup: true })).body;
    const primaryUrl = ch.ingest.rtmp;
    let primary = await publish(primaryUrl);
    media.push(primary);
    await waitFor("the channel live", async () => (await channel(ch.id)).input === "primary");
    gstreamerPublisher(ch.ingest.rtmpBackup as string);
    await publishersLive(ch.id, 2);
    const destination = await api.createDestination("nginx-record", setup.nginx.url("live"), {
      engine: "native",
    });
    const restream = await api.startRestream(ch.id, destination, DEST_KEY);
    await api.waitForState(restream, "streaming");
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    process.kill(primary.pid, "SIGKILL");
    const toBackupMs = await timeUntilInput(ch.id, "backup", 5_000);
    expect(toBackupMs).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(destinationSessions()).toEqual({ publish: 1, done: 0 });

    primary = await publish(primaryUrl);
    media.push(primary);
    await publishersLive(ch.id, 3);
    const toPrimaryMs = await timeUntilInput(ch.id, "primary", 15_000);
    // 5 s of primary media, then its next keyframe (a second apart), from its publish.
    expect(toPrimaryMs).toBeGreaterThan(4_500);
    expect(toPrimaryMs).toBeLessThan(8_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(destinationSessions()).toEqual({ publish: 1, done: 0 });
    expect((await api.restream(restream)).stats.restarts).toBe(0);
    console.log(`switch to backup ${toBackupMs} ms (API poll), back to primary ${toPrimaryMs} ms`);

    const metrics = await (await fetch(`${setup.node.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`input_switches_total\\{channel_id="${ch.id}",node="[^"]+",to="backup"\\} 1`),
    );
    expect(metrics).toMatch(
      new RegExp(`input_switches_total\\{channel_id="${ch.id}",node="[^"]+",to="primary"\\} 1`),
    );
    await api.stopRestreams();
    await waitFor("the recording closed", () => destinationSessions().done === 1);
    const file = await theRecording(DEST_KEY);
    await expectOneTimeline(file, 300);
    expect(await frameSizes(file)).toEqual(["1280x720", "640x360", "1280x720"]);
  }, 90_000);

  it("SRT ingest with a backup: two SRT callers, one on air; the destination keeps one session and one timeline", async () => {
    const key = "srt-event-night";
    const ch = (
      await setup.admin.post<ChannelWithKeys>("/channels", {
        name: "SRT event",
        srtIngest: true,
        backup: true,
      })
    ).body;
    expect(ch.ingest.srt).toMatch(/^srt:\/\/.+\?passphrase=/);
    expect(ch.ingest.srtBackup).toMatch(/^srt:\/\/.+\?passphrase=/);
    expect(ch.ingest.srtBackup).not.toBe(ch.ingest.srt);
    const primaryUrl = ch.ingest.srt as string;
    const primaryClip = await testClip();
    let primary = publishSrt(primaryUrl, primaryClip);
    media.push(primary);
    await waitFor("the channel live", async () => (await channel(ch.id)).input === "primary", 30_000);
    gstreamerPublisher(ch.ingest.srtBackup as string);
    await publishersLive(ch.id, 2);
    const destination = await api.createDestination("nginx-record-srt", setup.nginx.url("live"), {
      engine: "native",
    });
    const restream = await api.startRestream(ch.id, destination, key);
    await api.waitForState(restream, "streaming");
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    process.kill(primary.pid, "SIGKILL");
    // ffmpeg's SRT listener notices a silent caller only after its read timeout: the stall (2 s
    // without media) is what hands over, well before that.
    const toBackupMs = await timeUntilInput(ch.id, "backup", 8_000);
    expect(toBackupMs).toBeLessThan(4_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(destinationSessions(key)).toEqual({ publish: 1, done: 0 });

    // The listener takes one caller per run: the primary calls again once it listens anew.
    await waitFor("the primary's listener listening again", () => listening(primaryUrl) >= 2, 30_000);
    primary = publishSrt(primaryUrl, primaryClip);
    media.push(primary);
    const toPrimaryMs = await timeUntilInput(ch.id, "primary", 30_000);
    console.log(`SRT: switch to backup ${toBackupMs} ms (API poll), back to primary ${toPrimaryMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(destinationSessions(key)).toEqual({ publish: 1, done: 0 });
    expect((await api.restream(restream)).stats.restarts).toBe(0);
    expect(setup.node.output.join("\n")).not.toContain(new URL(primaryUrl).searchParams.get("passphrase"));

    await api.stopRestreams();
    await waitFor("the recording closed", () => destinationSessions(key).done === 1);
    const file = await theRecording(key);
    await expectOneTimeline(file, 200);
    expect(await frameSizes(file)).toEqual(["1280x720", "640x360", "1280x720"]);
  }, 120_000);

  it("an SRT destination (ffmpeg engine) is fed one continuous stream across a switch: one relay, one caller", async () => {
    const ch = (await setup.admin.post<ChannelWithKeys>("/channels", { name: "To SRT", backup: true })).body;
    const primary = await publish(ch.ingest.rtmp);
    media.push(primary);
    await waitFor("the channel live", async () => (await channel(ch.id)).input === "primary");
    const backup = await publish(ch.ingest.rtmpBackup as string);
    media.push(backup);
    await publishersLive(ch.id, 2);
    const port = await freeUdpPort();
    const received = join(work, "srt-received.ts");
    // one listener run takes one caller: a second connection would find nothing listening
    const listener = ffmpegProcess([
      ...["-i", `srt://127.0.0.1:${port}?mode=listener`, "-c", "copy", "-f", "mpegts", received],
    ]);
    media.push(listener);
    const destination = await api.createDestination("srt-receiver", `srt://127.0.0.1:${port}?latency=200`);
    const restream = await api.startRestream(ch.id, destination, "unused-for-srt");
    await api.waitForState(restream, "streaming");
    await waitFor("bytes at the receiver", () => existsSync(received) && statSync(received).size > 200_000);

    process.kill(primary.pid, "SIGKILL");
    expect(await timeUntilInput(ch.id, "backup", 5_000)).toBeLessThan(1_000);
    const size = statSync(received).size;
    await waitFor(
      "the receiver still growing after the switch",
      () => statSync(received).size > size + 200_000,
    );
    expect((await api.restream(restream)).stats.restarts).toBe(0);
    expect((await api.restream(restream)).state).toBe("streaming");

    await api.stopRestreams();
    expect(await listener.exited).toBe(0);
    const { mostBack, largestGap } = timelineSteps(await videoTimestamps(received));
    expect(mostBack).toBe(0);
    expect(largestGap).toBeLessThan(1_000);
    expect(await decodeErrors(received)).toBe("");
  }, 90_000);
});
