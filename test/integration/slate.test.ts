// The slate end to end: a real node, one ffmpeg publisher (1280x720 30 fps H.264 + AAC), a native
// restream with `onSourceLoss: "slate"` to a real nginx-rtmp that records every publish (`record
// all`) and reports on_publish / on_publish_done. The channel's slate picture is a red PNG set
// through PUT /channels/:id/slate, so the slate's frames are known in the recording by colour.
// Killing the publisher must keep the destination's one session with the slate on air
// (`holding: true`); publishing again switches back in the same session; killing it again and
// waiting past slateSeconds ends the session (Awaiting Stream). The recording decodes without
// errors, its frames all have the live stream's size, its timeline never goes back. Also over
// SRT: an SRT destination (ffmpeg engine) of an RTMP channel, of an HEVC channel ingested over
// SRT (MPEG-TS through the hold, the slate encoded with libx265, the caller back in mid-stream at
// an open-GOP keyframe), and of an HEVC channel published over Enhanced RTMP (its hold's bytes are
// MPEG-TS too, as ffmpeg is told).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { publishEnhancedHevc } from "../support/enhanced-rtmp.js";
import {
  ffmpegProcess,
  ffprobeStreams,
  hevcLoopClip,
  type MediaProcess,
  publish,
  publishSrt,
} from "../support/media.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { pngPicture } from "../support/pictures.js";
import { decodeErrors, frameSizes, timelineSteps, videoTimestamps } from "../support/recording.js";
import { RestreamApi } from "../support/restreams.js";
import { freeUdpPort, freeUdpPorts } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

const DEST_KEY = "slate-night";
const SLATE_SECONDS = 20;

let setup: NodeWithNginx;
const api = new RestreamApi(() => ({ admin: setup.admin, rtmpBase: setup.node.rtmpBase }));
const work = mkdtempSync(join(tmpdir(), "streamwell-slate-"));
const media: MediaProcess[] = [];

beforeAll(async () => {
  const srtPorts = await freeUdpPorts(2);
  setup = await startNodeWithNginx({
    nginx: { applications: [{ name: "live", watchPublishers: true, record: true }] },
    node: { env: { STREAMWELL_SRT_PORTS: srtPorts.env } },
  });
}, 60_000);

afterEach(async () => {
  await api.stopRestreams();
  await Promise.all(media.splice(0).map((process) => process.stop()));
});

afterAll(async () => {
  await Promise.all(media.map((process) => process.stop()));
  await setup?.stop();
  rmSync(work, { recursive: true, force: true });
});

function putSlate(channelId: string, body: Uint8Array, type: string) {
  return setup.admin.request("PUT", `/api/v1/channels/${channelId}/slate`, undefined, {
    rawBody: body,
    headers: { "content-type": type },
  });
}

function slateDir(channelId: string): string {
  return join(setup.node.dataDir, "slates", channelId);
}

function destinationSessions(): { publish: number; done: number } {
  const events = setup.nginx.publisherEvents().filter((event) => event.name === DEST_KEY);
  return {
    publish: events.filter((event) => event.call === "publish").length,
    done: events.filter((event) => event.call === "publish_done").length,
  };
}

interface HoldingView {
  state: string;
  holding: boolean;
  onSourceLoss: string;
  slateSeconds: number;
  stats: { restarts: number };
}

async function view(id: string): Promise<HoldingView> {
  return (await setup.admin.get<HoldingView>(`/restreams/${id}`)).body;
}

/** How many decoded frames are (nearly) pure red: the slate's, in this test. */
async function redFrames(file: string): Promise<{ red: number; total: number }> {
  // biome-ignore format: one ffmpeg command
  const { stdout } = await execa("ffmpeg", ["-v", "error", "-i", file, "-an", "-vf", "scale=8:8,format=rgb24", "-f", "rawvideo", "-"], { encoding: "buffer", timeout: 120_000 });
  const frame = 8 * 8 * 3;
  let red = 0;
  const total = Math.floor(stdout.length / frame);
  for (let i = 0; i < total; i += 1) {
    const [r, g, b] = [0, 1, 2].map((c) => stdout[i * frame + 27 * 3 + c] as number);
    if ((r as number) > 200 && (g as number) < 60 && (b as number) < 60) red += 1;
  }
  return { red, total };
}

/** An ffmpeg SRT listener that records one caller (a second connection finds nothing listening), and its destination. */
async function srtReceiver(
  name: string,
): Promise<{ received: string; listener: MediaProcess; destination: string }> {
  const port = await freeUdpPort();
  const received = join(work, `${name}.ts`);
  const listener = ffmpegProcess([
    ...["-i", `srt://127.0.0.1:${port}?mode=listener`, "-c", "copy", "-f", "mpegts", received],
  ]);
  media.push(listener);
  const destination = await api.createDestination(name, `srt://127.0.0.1:${port}?latency=200`);
  return { received, listener, destination };
}

/** A restream with the slate to an SRT destination, started and streaming, once the clip is made. */
async function slateRestream(
  channelId: string,
  destinationId: string,
  slateSeconds: number,
): Promise<string> {
  const created = await setup.admin.post<{ id: string }>(`/channels/${channelId}/restreams`, {
    kind: "destination",
    destinationId,
    streamKey: "unused-for-srt",
    onSourceLoss: "slate",
    slateSeconds,
  });
  expect(created.status, created.text).toBe(201);
  const id = created.body.id;
  api.started.push(id);
  expect((await setup.admin.post(`/restreams/${id}/start`)).status).toBe(200);
  await api.waitForState(id, "streaming");
  // The clip is made while the channel is live: FLV for FLV feeds, MPEG-TS for MPEG-TS ones.
  const made = () => existsSync(slateDir(channelId)) && readdirSync(slateDir(channelId)).some(isClip);
  await waitFor("the slate clip made", made, 90_000);
  return id;
}

const isClip = (file: string) => file.endsWith(".flv") || file.endsWith(".ts");

/** The caller's source is gone: the restream holds, and the receiver keeps growing with the slate. */
async function expectHolding(id: string, received: string, within: number): Promise<number> {
  const since = Date.now();
  await waitFor("holding", async () => (await view(id)).holding, within);
  const holdingMs = Date.now() - since;
  const size = statSync(received).size;
  await waitFor("the receiver growing with the slate", () => statSync(received).size > size + 30_000, 20_000);
  expect(await view(id)).toMatchObject({ state: "streaming", holding: true, stats: { restarts: 0 } });
  return holdingMs;
}

/** Stops the restreams; the one caller's recording ended cleanly, decodes clean, never goes back, shows the slate. */
async function expectCleanRecording(received: string, listener: MediaProcess) {
  await api.stopRestreams();
  expect(await listener.exited).toBe(0);
  expect(await decodeErrors(received)).toBe("");
  const { mostBack, largestGap } = timelineSteps(await videoTimestamps(received));
  expect(mostBack).toBe(0);
  expect(largestGap).toBeLessThan(1_000);
  const frames = await redFrames(received);
  expect(frames.red).toBeGreaterThan(30);
  return frames;
}

describe("slate picture", () => {
  it("takes a PNG; a text file and a body over 2 MiB are 422 and store nothing", async () => {
    const ch = (await setup.admin.post<{ id: string }>("/channels", { name: "Pictures" })).body;
    const text = await putSlate(ch.id, Buffer.from("just some text, not a picture\n"), "image/png");
    expect(text.status, text.text).toBe(422);
    expect(text.body.error.code).toBe("validation_failed");
    const fake = await putSlate(
      ch.id,
      Buffer.concat([pngPicture("blue", "320x240").subarray(0, 40)]),
      "image/png",
    );
    expect(fake.status, fake.text).toBe(422);
    const large = await putSlate(ch.id, Buffer.alloc(2 * 1024 * 1024 + 1, 0x89), "image/png");
    expect(large.status, large.text).toBe(422);
    expect(existsSync(join(slateDir(ch.id), "picture"))).toBe(false);
    const ok = await putSlate(ch.id, pngPicture("green", "320x240"), "image/png");
    expect(ok.status, ok.text).toBe(204);
    expect(readFileSync(join(slateDir(ch.id), "picture"))).toEqual(pngPicture("green", "320x240"));
    const anonymous = await setup.admin
      .withToken(undefined)
      .request("PUT", `/api/v1/channels/${ch.id}/slate`, undefined, {
        rawBody: pngPicture("green", "320x240"),
        headers: { "content-type": "image/png" },
      });
    expect(anonymous.status).toBe(401);
  }, 60_000);
});

describe("slate on source loss", () => {
  it("holds the destination's session with the slate, switches back, and ends after slateSeconds", async () => {
    const ch = (await setup.admin.post<{ id: string; streamKey: string }>("/channels", { name: "Slate" }))
      .body;
    const red = await putSlate(ch.id, pngPicture("red", "320x240"), "image/png");
    expect(red.status, red.text).toBe(204);
    const url = `${setup.node.rtmpBase}/${ch.streamKey}`;
    let publisher = await publish(url);
    media.push(publisher);
    await waitFor("channel live", async () => (await setup.admin.get(`/channels/${ch.id}`)).body.live);
    const destination = await api.createDestination("nginx-slate", setup.nginx.url("live"), {
      engine: "native",
    });
    const created = await setup.admin.post<{ id: string }>(`/channels/${ch.id}/restreams`, {
      kind: "destination",
      destinationId: destination,
      streamKey: DEST_KEY,
      onSourceLoss: "slate",
      slateSeconds: SLATE_SECONDS,
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    api.started.push(id);
    expect(await view(id)).toMatchObject({
      onSourceLoss: "slate",
      slateSeconds: SLATE_SECONDS,
      holding: false,
    });
    expect((await setup.admin.post(`/restreams/${id}/start`)).status).toBe(200);
    await api.waitForState(id, "streaming");
    // The clip is made while the channel is live (once ~30 frames told its frame rate).
    const made = () =>
      existsSync(slateDir(ch.id)) && readdirSync(slateDir(ch.id)).some((f) => f.endsWith(".flv"));
    await waitFor("the slate clip made", made, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    process.kill(publisher.pid, "SIGKILL");
    await waitFor("holding", async () => (await view(id)).holding, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await view(id)).toMatchObject({ state: "streaming", holding: true });
    expect(destinationSessions()).toEqual({ publish: 1, done: 0 });
    const metrics = await (await fetch(`${setup.node.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`streamwell_restream_holding\\{restream_id="${id}"[^}]*\\} 1`));

    publisher = await publish(url);
    media.push(publisher);
    await waitFor("back live", async () => !(await view(id)).holding, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await view(id)).toMatchObject({ state: "streaming", holding: false, stats: { restarts: 0 } });
    expect(destinationSessions()).toEqual({ publish: 1, done: 0 });
    const logs = await api.logText(id);
    expect(logs).toContain("slate on air");
    expect(logs).toContain("slate off air");

    process.kill(publisher.pid, "SIGKILL");
    await waitFor("holding again", async () => (await view(id)).holding, 10_000);
    const heldFrom = Date.now();
    await api.waitForState(id, "awaiting_stream", (SLATE_SECONDS + 20) * 1000);
    const heldMs = Date.now() - heldFrom;
    expect(heldMs).toBeGreaterThan((SLATE_SECONDS - 2) * 1000);
    expect((await view(id)).holding).toBe(false);
    await waitFor("the session ended", () => destinationSessions().done === 1, 10_000);
    expect(destinationSessions()).toEqual({ publish: 1, done: 1 });

    const recordings = setup.nginx.recordings();
    expect(recordings).toHaveLength(1);
    const file = recordings[0] as string;
    expect(await decodeErrors(file)).toBe("");
    expect(await frameSizes(file)).toEqual(["1280x720"]);
    const { mostBack, largestGap } = timelineSteps(await videoTimestamps(file));
    expect(mostBack).toBe(0);
    expect(largestGap).toBeLessThan(1_000);
    const frames = await redFrames(file);
    console.log(
      `recording: ${frames.total} frames, ${frames.red} of the slate; held ${heldMs} ms at the end`,
    );
    // Two holds: ~6 s and ~20 s of slate at 30 fps; live frames around them.
    expect(frames.red).toBeGreaterThan(20 * 30);
    expect(frames.total - frames.red).toBeGreaterThan(5 * 30);
  }, 150_000);

  it("an SRT destination (ffmpeg engine) gets the slate in its one continuous stream: one caller", async () => {
    const ch = (await setup.admin.post<{ id: string; streamKey: string }>("/channels", { name: "Slate SRT" }))
      .body;
    expect((await putSlate(ch.id, pngPicture("red", "320x240"), "image/png")).status).toBe(204);
    const publisher = await publish(`${setup.node.rtmpBase}/${ch.streamKey}`);
    media.push(publisher);
    await waitFor("channel live", async () => (await setup.admin.get(`/channels/${ch.id}`)).body.live);
    const { received, listener, destination } = await srtReceiver("srt-slate");
    const id = await slateRestream(ch.id, destination, 60);
    await waitFor("bytes at the receiver", () => existsSync(received) && statSync(received).size > 200_000);

    process.kill(publisher.pid, "SIGKILL");
    await expectHolding(id, received, 10_000);
    await expectCleanRecording(received, listener);
  }, 120_000);

  it("an HEVC channel over SRT to an SRT destination: the slate in HEVC, spliced into its MPEG-TS, one caller", async () => {
    const ch = (
      await setup.admin.post<{ id: string; ingest: { srt: string } }>("/channels", {
        name: "Slate HEVC",
        srtIngest: true,
      })
    ).body;
    expect((await putSlate(ch.id, pngPicture("red", "320x240"), "image/png")).status).toBe(204);
    const clip = await hevcLoopClip();
    let publisher = publishSrt(ch.ingest.srt, clip);
    media.push(publisher);
    await waitFor(
      "channel live with HEVC",
      async () => (await setup.admin.get(`/channels/${ch.id}`)).body.codecs?.video === "hevc",
      30_000,
    );
    const { received, listener, destination } = await srtReceiver("srt-slate-hevc");
    // The SRT caller comes back once its listener has restarted: tens of seconds under load.
    const id = await slateRestream(ch.id, destination, 60);
    await waitFor("bytes at the receiver", () => existsSync(received) && statSync(received).size > 100_000);

    const listening = () =>
      setup.node.output.filter(
        (line) =>
          line.includes(`"port":${new URL(ch.ingest.srt).port}`) && line.includes("SRT ingest listening"),
      ).length;
    const runs = listening();
    process.kill(publisher.pid, "SIGKILL");
    // A caller that dies silently is seen by libsrt after its peer idle timeout (~5 s).
    const holdingMs = await expectHolding(id, received, 20_000);

    await waitFor("the SRT ingest listening again", () => listening() > runs, 30_000);
    publisher = publishSrt(ch.ingest.srt, clip);
    media.push(publisher);
    await waitFor("back live", async () => !(await view(id)).holding, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await view(id)).toMatchObject({ state: "streaming", holding: false, stats: { restarts: 0 } });

    const frames = await expectCleanRecording(received, listener);
    expect((await ffprobeStreams(received)).map((stream) => stream.codec_name).sort()).toEqual([
      "aac",
      "hevc",
    ]);
    expect(await frameSizes(received)).toEqual(["640x360"]);
    console.log(
      `HEVC over SRT: holding ${holdingMs} ms after the caller was killed; ${frames.total} frames, ${frames.red} of the slate`,
    );
    expect(frames.total - frames.red).toBeGreaterThan(30);
  }, 180_000);

  it("an Enhanced RTMP HEVC channel to an SRT destination: the slate in HEVC, MPEG-TS bytes, one caller", async () => {
    const ch = (
      await setup.admin.post<{ id: string; streamKey: string; ingest: { rtmp: string } }>("/channels", {
        name: "Slate Enhanced RTMP",
      })
    ).body;
    expect((await putSlate(ch.id, pngPicture("red", "320x240"), "image/png")).status).toBe(204);
    // Stopping it closes its socket (idempotent): the channel goes offline at once.
    const publisher = await publishEnhancedHevc(Number(new URL(ch.ingest.rtmp).port), ch.streamKey);
    try {
      await waitFor(
        "channel live with HEVC",
        async () => (await setup.admin.get(`/channels/${ch.id}`)).body.codecs?.video === "hevc",
      );
      const { received, listener, destination } = await srtReceiver("srt-slate-ertmp");
      const id = await slateRestream(ch.id, destination, 60);
      await waitFor("bytes at the receiver", () => existsSync(received) && statSync(received).size > 50_000);

      publisher.stop();
      await expectHolding(id, received, 10_000);
      await expectCleanRecording(received, listener);
      expect((await ffprobeStreams(received)).map((stream) => stream.codec_name).sort()).toEqual([
        "aac",
        "hevc",
      ]);
    } finally {
      publisher.stop();
    }
  }, 150_000);
});
