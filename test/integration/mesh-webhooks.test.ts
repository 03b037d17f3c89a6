// Webhooks in a 3-node mesh on a real nats-server: every node hears every event, but only the
// scheduler leader delivers, so the receiver gets each channel.live event once.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type MediaProcess, publish } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { waitFor } from "../support/wait.js";
import { startReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

let mesh: TestMesh;
let receiver: WebhookReceiver;
let publisher: MediaProcess | undefined;

beforeAll(async () => {
  receiver = await startReceiver();
  mesh = await startMesh([{ id: "n1" }, { id: "n2" }, { id: "n3" }]);
}, 90_000);

afterAll(async () => {
  await publisher?.stop();
  await mesh?.stop();
  await receiver?.close();
});

it("delivers each event once, whichever node saw it", async () => {
  const admin = mesh.admin("n3");
  const hook = await admin.post("/webhooks", {
    url: receiver.url,
    events: ["channel.live"],
    secret: "a-webhook-secret-for-the-mesh",
  });
  expect(hook.status, hook.text).toBe(201);
  const channel = (await admin.post("/channels", { name: "Hooked mesh" })).body;
  publisher = await publish(`${mesh.node("n2").rtmpBase}/${channel.streamKey}`, { loop: true });
  await waitFor("live delivered", () => receiver.received.some((m) => m.json.data.live === true), 20_000);
  await publisher.stop();
  publisher = undefined;
  await waitFor("offline delivered", () => receiver.received.some((m) => m.json.data.live === false), 20_000);
  // Any second copy would come from another node within the same second or two.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const events = receiver.received.map((m) => [
    m.json.event,
    m.json.data.channelId,
    m.json.data.live,
    m.json.data.node,
  ]);
  expect(events).toEqual([
    ["channel.live", channel.id, true, "n2"],
    ["channel.live", channel.id, false, "n2"],
  ]);
}, 90_000);
