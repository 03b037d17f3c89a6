// A scheduled restream in a 3-node mesh on a real nats-server: it starts by itself at its start
// time and stops at its stop time although the scheduler leader (n1, the lowest id) is SIGKILLed
// in between: the next leader applies the stop from the schedule in the shared store.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { waitFor } from "../support/wait.js";

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startMesh([{ id: "n1" }, { id: "n2" }, { id: "n3" }]);
}, 90_000);

afterAll(async () => {
  await mesh?.stop();
});

it("starts 5 s ahead by itself and stops at its stop time, also when the leader is killed in between", async () => {
  const admin = mesh.admin("n3");
  const channelId = (await admin.post("/channels", { name: "Scheduled" })).body.id;
  const startAt = new Date(Date.now() + 5_000).toISOString();
  const stopAt = new Date(Date.now() + 20_000).toISOString();
  const created = await admin.post(`/channels/${channelId}/restreams`, {
    kind: "srt_push",
    url: "srt://push.example:9001",
    schedule: { startAt, stopAt },
  });
  expect(created.status, created.text).toBe(201);
  const id = created.body.id as string;
  const state = async () => (await admin.get(`/restreams/${id}`)).body.state as string;

  const startedAt = await waitFor(
    "started",
    async () => (await state()) === "awaiting_stream" && Date.now(),
    15_000,
    100,
  );
  expect(startedAt).toBeGreaterThanOrEqual(Date.parse(startAt));
  expect(startedAt).toBeLessThan(Date.parse(startAt) + 3_000);

  await mesh.node("n1").stop("SIGKILL");
  const stoppedAt = await waitFor(
    "stopped",
    async () => (await state()) === "stopped" && Date.now(),
    30_000,
    100,
  );
  expect(stoppedAt).toBeGreaterThanOrEqual(Date.parse(stopAt));
  expect(stoppedAt).toBeLessThan(Date.parse(stopAt) + 3_000);
  expect((await admin.get(`/restreams/${id}`)).body.schedule).toBeNull();
}, 90_000);
