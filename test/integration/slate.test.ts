// The slate end to end: a real node, one ffmpeg publisher (1280x720 30 fps H.264 + AAC), a native
// restream with `onSourceLoss: "slate"` to a real nginx-rtmp that records every publish (`record
// all`) and reports on_publish / on_publish_done. The channel's slate picture is a red PNG set
// through PUT /channels/:id/slate, so the slate's frames are known in the recording by colour.
// Killing the publisher must keep the destination's one session with the slate on air
// (`holding: true`); publishing again switches back in the same session; killing it again and
// waiting past slateSeconds ends the session (Awaiting Stream). The recording decodes without
// errors, its frames all have the live stream's size, its timeline never goes back.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ffmpegProcess, type MediaProcess, publish } from "../support/media.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { pngPicture } from "../support/pictures.js";
import { decodeErrors, frameSizes, timelineSteps, videoTimestamps } from "../support/recording.js";
import { RestreamApi } from "../support/restreams.js";
import { freeUdpPort } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

const DEST_KEY = "slate-night";
const SLATE_SECONDS = 20;

let setup: NodeWithNginx;
const api = new RestreamApi(() => ({ admin: setup.admin, rtmpBase: setup.node.rtmpBase }));
const work = mkdtempSync(join(tmpdir(), "streamwell-slate-"));
const media: MediaProcess[] = [];

beforeAll(async () => {
  setup = await startNodeWithNginx({
    nginx: { applications: [{ name: "live", watchPublishers: true, record: true }] },
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
    const url = `${setup.node.rtmpBase}/${ch.streamKey}`;
    const publisher = await publish(url);
    media.push(publisher);
    await waitFor("channel live", async () => (await setup.admin.get(`/channels/${ch.id}`)).body.live);
    const port = await freeUdpPort();
    const received = join(work, "slate-srt.ts");
    // one listener run takes one caller: a second connection would find nothing listening
    const listener = ffmpegProcess([
      "-i",
      `srt://127.0.0.1:${port}?mode=listener`,
      "-c",
      "copy",
      "-f",
      "mpegts",
      received,
    ]);
    media.push(listener);
    const destination = await api.createDestination("srt-slate", `srt://127.0.0.1:${port}?latency=200`);
    const created = await setup.admin.post<{ id: string }>(`/channels/${ch.id}/restreams`, {
      kind: "destination",
      destinationId: destination,
      streamKey: "unused-for-srt",
      onSourceLoss: "slate",
      slateSeconds: 60,
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    api.started.push(id);
    expect((await setup.admin.post(`/restreams/${id}/start`)).status).toBe(200);
    await api.waitForState(id, "streaming");
    const made = () =>
      existsSync(slateDir(ch.id)) && readdirSync(slateDir(ch.id)).some((f) => f.endsWith(".flv"));
    await waitFor("the slate clip made", made, 60_000);
    await waitFor("bytes at the receiver", () => existsSync(received) && statSync(received).size > 200_000);

    process.kill(publisher.pid, "SIGKILL");
    await waitFor("holding", async () => (await view(id)).holding, 10_000);
    const size = statSync(received).size;
    await waitFor(
      "the receiver growing with the slate",
      () => statSync(received).size > size + 50_000,
      20_000,
    );
    expect(await view(id)).toMatchObject({ state: "streaming", holding: true, stats: { restarts: 0 } });

    await api.stopRestreams();
    expect(await listener.exited).toBe(0);
    expect(await decodeErrors(received)).toBe("");
    const { mostBack, largestGap } = timelineSteps(await videoTimestamps(received));
    expect(mostBack).toBe(0);
    expect(largestGap).toBeLessThan(1_000);
    expect((await redFrames(received)).red).toBeGreaterThan(30);
  }, 120_000);
});
