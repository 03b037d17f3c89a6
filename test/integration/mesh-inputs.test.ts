// A channel with a backup whose two encoders publish to two nodes of a three-node mesh (one
// nats-server), restreamed to a real nginx-rtmp that records every publish and counts on_publish
// / on_publish_done. The backup encoder goes live first, on n2: the channel's hub and its restream
// are there. The primary then publishes to n1: n1 does not take the channel over (another input),
// the leader opens an input link n1 -> n2 (SRT), and n2's selector puts the primary on air once it
// has sent media for 5 s. Killing n1's process (SIGKILL, by PID) leaves n2 switching to its own
// backup: the destination keeps its one session, and the recording one continuous timeline. A
// primary publishing again, to n3, is pulled to n2 the same way and goes back on air.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { type MediaProcess, publish, publishEncoded } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { decodeErrors, frameSizes, timelineSteps, videoTimestamps } from "../support/recording.js";
import { waitFor } from "../support/wait.js";

const KEY = "two-nodes";

let mesh: TestMesh;
let nginx: NginxRtmp;
const media: MediaProcess[] = [];
let channel: { id: string; streamKey: string; backupStreamKey: string };

beforeAll(async () => {
  nginx = await startNginxRtmp({ applications: [{ name: "live", watchPublishers: true, record: true }] });
  mesh = await startMesh([{ id: "n1" }, { id: "n2" }, { id: "n3" }]);
  channel = (await admin("n3").post("/channels", { name: "Two nodes", backup: true })).body;
}, 90_000);

afterAll(async () => {
  await Promise.all(media.map((process) => process.stop()));
  await mesh?.stop();
  await nginx?.stop();
});

function admin(nodeId: string): ApiClient {
  return mesh.admin(nodeId);
}

interface ChannelView {
  input: "primary" | "backup" | null;
  node: string | null;
}

async function channelVia(nodeId: string): Promise<ChannelView> {
  return (await admin(nodeId).get(`/channels/${channel.id}`)).body;
}

/** Milliseconds until the channel (read through n3) has `input` on air on `node` (polled every 50 ms). */
async function timeUntilInput(input: "primary" | "backup", node: string, timeoutMs: number): Promise<number> {
  const from = Date.now();
  await waitFor(
    `input ${input} on ${node}`,
    async () => {
      const view = await channelVia("n3");
      return view.input === input && view.node === node;
    },
    timeoutMs,
    50,
  );
  return Date.now() - from;
}

function sessions(): { publish: number; done: number } {
  const events = nginx.publisherEvents().filter((event) => event.name === KEY);
  return {
    publish: events.filter((event) => event.call === "publish").length,
    done: events.filter((event) => event.call === "publish_done").length,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("pulls the other node's input over a link: the primary's node killed, the destination keeps one session", async () => {
  media.push(
    publishEncoded(`${mesh.node("n2").rtmpBase}/${channel.backupStreamKey}`, { gopSeconds: 1, fps: 30 }),
  );
  await timeUntilInput("backup", "n2", 30_000);
  const destination = (await admin("n3").post("/destinations", { name: "nginx", url: nginx.url("live") }))
    .body;
  const restreamId: string = (
    await admin("n3").post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: KEY,
    })
  ).body.id;
  expect((await admin("n3").post(`/restreams/${restreamId}/start`)).status).toBe(200);
  await waitFor("the restream streaming from n2", async () => {
    const body = (await admin("n3").get(`/restreams/${restreamId}`)).body;
    return body.state === "streaming" && body.node === "n2";
  });

  media.push(await publish(`${mesh.node("n1").rtmpBase}/${channel.streamKey}`));
  // 5 s of primary media through the link, then its next keyframe.
  const toPrimaryMs = await timeUntilInput("primary", "n2", 30_000);
  await sleep(3_000);
  expect(sessions()).toEqual({ publish: 1, done: 0 });

  const killedAt = Date.now();
  await mesh.node("n1").stop("SIGKILL");
  const toBackupMs = await timeUntilInput("backup", "n2", 15_000);
  // The link's caller dies silently: n2 sees no media for 2 s (the stall), then cuts to its backup.
  expect(toBackupMs).toBeLessThan(5_000);
  await sleep(4_000);
  expect(sessions()).toEqual({ publish: 1, done: 0 });
  const restream = (await admin("n3").get(`/restreams/${restreamId}`)).body;
  expect(restream).toMatchObject({ state: "streaming", node: "n2" });
  expect(restream.stats.restarts).toBe(0);

  // A primary on the third node is pulled to the hub the same way and goes back on air.
  media.push(await publish(`${mesh.node("n3").rtmpBase}/${channel.streamKey}`));
  const backFromN3Ms = await timeUntilInput("primary", "n2", 30_000);
  await sleep(2_000);
  expect(sessions()).toEqual({ publish: 1, done: 0 });
  console.log(
    `inputs on two nodes: primary (n1) on air ${toPrimaryMs} ms after its publish; n1 killed -> backup ${toBackupMs} ms ` +
      `(API poll, kill at ${new Date(killedAt).toISOString()}); primary (n3) back on air ${backFromN3Ms} ms after its publish`,
  );

  expect((await admin("n3").post(`/restreams/${restreamId}/stop`)).status).toBe(200);
  await waitFor("the recording closed", () => sessions().done === 1, 20_000);
  const files = nginx.recordings();
  expect(files).toHaveLength(1);
  const file = files[0] as string;
  const timestamps = await videoTimestamps(file);
  const { mostBack, largestGap } = timelineSteps(timestamps);
  console.log(`recording: ${timestamps.length} video packets, largest gap ${largestGap} ms`);
  expect(mostBack).toBe(0);
  expect(largestGap).toBeLessThan(1_000);
  expect(await decodeErrors(file)).toBe("");
  expect(await frameSizes(file)).toEqual(["320x180", "1280x720", "320x180", "1280x720"]);
}, 180_000);
