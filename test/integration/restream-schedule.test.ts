// Scheduled restreams on one node, through the API: the schedule is shown, a start time in the past
// starts at once, a near one starts and stops by itself (and the applied times leave the
// schedule), a user can clear it, and bad times answer 422 naming the field.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";
import { waitFor } from "../support/wait.js";

let admin: ApiClient;
let setup: NodeWithAdmin | undefined;
let channelId: string;

beforeAll(async () => {
  setup = await startNodeWithAdmin();
  ({ admin } = setup);
  channelId = (await admin.post("/channels", { name: "Scheduled" })).body.id;
}, 30_000);

afterAll(async () => {
  await setup?.stop();
});

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

async function scheduled(schedule: unknown) {
  const response = await admin.post(`/channels/${channelId}/restreams`, {
    kind: "srt_push",
    url: "srt://push.example:9001",
    schedule,
  });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; state: string; schedule: unknown };
}

const restream = async (id: string) => (await admin.get(`/restreams/${id}`)).body;

it("starts at once when the start time has passed", async () => {
  const created = await scheduled({ startAt: inSeconds(-60) });
  await waitFor("started", async () => (await restream(created.id)).state === "awaiting_stream", 5_000);
  expect((await restream(created.id)).schedule).toBeNull();
});

it("starts and stops by itself at its times; the times applied leave the schedule", async () => {
  const startAt = inSeconds(2);
  const stopAt = inSeconds(5);
  const created = await scheduled({ startAt, stopAt });
  expect(created.schedule).toEqual({ startAt, stopAt });
  expect(created.state).toBe("stopped");
  const startedAt = await waitFor(
    "started",
    async () => (await restream(created.id)).state === "awaiting_stream" && Date.now(),
    10_000,
    100,
  );
  expect(startedAt).toBeGreaterThanOrEqual(Date.parse(startAt));
  expect((await restream(created.id)).schedule).toEqual({ stopAt });
  const stoppedAt = await waitFor(
    "stopped",
    async () => (await restream(created.id)).state === "stopped" && Date.now(),
    10_000,
    100,
  );
  expect(stoppedAt).toBeGreaterThanOrEqual(Date.parse(stopAt));
  expect(stoppedAt).toBeLessThan(Date.parse(stopAt) + 3_000);
  expect((await restream(created.id)).schedule).toBeNull();
  // The history is written in batches of about a second.
  await waitFor("stopped in the history", async () => {
    const items = (await admin.get(`/restreams/${created.id}/history`)).body.items;
    const states = items.map((item: { state: string }) => item.state);
    return states[0] === "stopped" && states[1] === "awaiting_stream";
  });
}, 30_000);

it("PATCH sets and clears a schedule; nothing happens after it is cleared", async () => {
  const created = await scheduled(null);
  const startAt = inSeconds(2);
  const patched = await admin.patch(`/restreams/${created.id}`, { schedule: { startAt } });
  expect(patched.status, patched.text).toBe(200);
  expect(patched.body.schedule).toEqual({ startAt });
  expect((await admin.patch(`/restreams/${created.id}`, { schedule: null })).body.schedule).toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect((await restream(created.id)).state).toBe("stopped");
});

it("answers 422 for a stop before the start, a stop in the past, or a time that is not ISO 8601", async () => {
  const cases = [
    [{ startAt: inSeconds(60), stopAt: inSeconds(30) }, "schedule.stopAt"],
    [{ stopAt: inSeconds(-5) }, "schedule.stopAt"],
    [{ startAt: "tomorrow" }, "schedule.startAt"],
    [{ startAt: inSeconds(5), at: inSeconds(6) }, "schedule.at"],
  ] as const;
  for (const [schedule, field] of cases) {
    const response = await admin.post(`/channels/${channelId}/restreams`, {
      kind: "srt_push",
      url: "srt://push.example:9001",
      schedule,
    });
    expect(response.status, response.text).toBe(422);
    expect(Object.keys(response.body.error.fields)).toContain(field);
  }
});
