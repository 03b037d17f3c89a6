// Server-sent events: a logged-in user receives restream and channel changes as they happen,
// with the same JSON as the list GETs and without secrets; others receive nothing of it, not
// even deletions. Streams are capped per user and per node and end when their session does.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import type { NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";
import { openEvents } from "../support/sse.js";
import { waitFor } from "../support/wait.js";

let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithAdmin | undefined;

beforeAll(async () => {
  setup = await startNodeWithAdmin({
    env: { STREAMWELL_SSE_MAX_PER_USER: "3", STREAMWELL_SSE_MAX_PER_NODE: "7" },
  });
  ({ node, admin } = setup);
});

afterAll(async () => {
  await setup?.stop();
});

it("refuses an anonymous listener", async () => {
  const response = await fetch(`${node.baseUrl}/api/v1/events`);
  expect(response.status).toBe(401);
  expect(((await response.json()) as any).error.code).toBe("unauthenticated");
});

it("pushes restream changes to their owner and not to another user", async () => {
  const owner = await user("owner");
  const other = await user("other");
  const ownerEvents = await listen(owner.token as string);
  const otherEvents = await listen(other.token as string);
  try {
    const channel = (await owner.post("/channels", { name: "Watched" })).body;
    const restream = (await owner.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" }))
      .body;
    await owner.post(`/restreams/${restream.id}/start`);

    const started = await waitFor("a restream event in awaiting_stream", () =>
      ownerEvents.events.find((e) => e.event === "restream" && e.data.state === "awaiting_stream"),
    );
    expect(started.data).toMatchObject({ id: restream.id, channelId: channel.id, kind: "remote_playback" });
    expect(started.data.playbackUrl).toContain("passphrase=***");
    expect(ownerEvents.events.some((e) => e.event === "channel" && e.data.id === channel.id)).toBe(true);
    expect(JSON.stringify(ownerEvents.events)).not.toContain(channel.streamKey);
    expect(otherEvents.events.filter((e) => e.data.id === restream.id || e.data.id === channel.id)).toEqual(
      [],
    );
  } finally {
    ownerEvents.close();
    otherEvents.close();
  }
});

it("sends a deletion only to the owner and admins, never to everyone", async () => {
  const owner = await user("deleter");
  const other = await user("bystander");
  const ownerEvents = await listen(owner.token as string);
  const otherEvents = await listen(other.token as string);
  const adminEvents = await listen(admin.token as string);
  try {
    const channel = (await owner.post("/channels", { name: "Short-lived" })).body;
    const restream = (await owner.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" }))
      .body;
    expect((await owner.delete(`/restreams/${restream.id}`)).status).toBe(204);
    expect((await owner.delete(`/channels/${channel.id}`)).status).toBe(204);
    for (const received of [ownerEvents, adminEvents]) {
      await waitFor("both deletions", () =>
        [restream.id, channel.id].every((id) =>
          received.events.some((e) => e.data.id === id && e.data.deleted),
        ),
      );
    }
    // A write the bystander hears of afterwards proves its stream was open all along.
    const mine = (await other.post("/channels", { name: "Bystander's" })).body;
    await waitFor("the bystander's own event", () => otherEvents.events.some((e) => e.data.id === mine.id));
    expect(otherEvents.events.filter((e) => e.data.deleted)).toEqual([]);
  } finally {
    for (const received of [ownerEvents, otherEvents, adminEvents]) received.close();
  }
});

it("ends a session's event stream when it logs out", async () => {
  const client = await user("leaver");
  const stream = await listen(client.token as string);
  const other = await listen(
    (await client.withToken(undefined).login("leaver", "leaver-password")).token as string,
  );
  try {
    expect((await client.post("/auth/logout")).status).toBeLessThan(300);
    await expect(within(stream.ended, 5_000)).resolves.toBe("ended");
    // Another session of the same user stays open.
    await expect(within(other.ended, 500)).resolves.toBe("open");
  } finally {
    stream.close();
    other.close();
  }
});

it("caps open streams per user (3 here) and per node (7 here) with 429", async () => {
  const capped = await user("tabs");
  const open = [];
  try {
    for (let i = 0; i < 3; i++) open.push(await listen(capped.token as string));
    const fourth = await openEvents(node.baseUrl, capped.token as string);
    expect(fourth.status).toBe(429);
    open.push(...(await Promise.all([1, 2, 3].map(() => listen(admin.token as string)))));
    const stranger = await user("stranger");
    open.push(await listen(stranger.token as string));
    const eighth = await openEvents(node.baseUrl, stranger.token as string);
    expect(eighth.status).toBe(429);
    // A closed stream frees its place.
    open.shift()?.close();
    await waitFor("a place freed", async () => {
      const again = await openEvents(node.baseUrl, capped.token as string);
      if (again.status === 200) open.push(again);
      return again.status === 200;
    });
  } finally {
    for (const stream of open) stream.close();
  }
});

async function user(name: string): Promise<ApiClient> {
  await admin.post("/users", { username: name, password: `${name}-password`, role: "user" });
  return new ApiClient(node.baseUrl).login(name, `${name}-password`);
}

async function listen(token: string) {
  const stream = await openEvents(node.baseUrl, token);
  expect(stream.status).toBe(200);
  return stream;
}

function within(ended: Promise<void>, ms: number): Promise<"ended" | "open"> {
  return Promise.race([
    ended.then(() => "ended" as const),
    new Promise<"open">((resolve) => setTimeout(() => resolve("open"), ms)),
  ]);
}
