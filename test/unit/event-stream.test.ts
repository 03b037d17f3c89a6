// EventStream on a real HTTP server and a real (transport-less) broker whose view action serves
// 64 KiB views, so a few megabytes pass quickly: a client that stops reading is cut once the
// node holds 256 KiB for it, while a client that reads gets every event; a stream ends when its
// session is revoked; a deletion reaches only the owner and admins.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import moleculer from "moleculer";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Caller } from "../../node/auth/policy.js";
import { sha256Hex } from "../../node/kit/ids.js";
import { EventStream } from "../../services/api/event-stream.js";
import { serve, VIEW_CALLS } from "../../services/mesh-calls.js";
import { type EventClient, openEvents } from "../support/sse.js";
import { waitFor } from "../support/wait.js";

const VIEW_BYTES = 64 * 1024;
const USERS: Record<string, Caller> = {
  "admin-token": { id: "us_admin", username: "admin", role: "admin" },
  "owner-token": { id: "us_owner", username: "owner", role: "user" },
  "other-token": { id: "us_other", username: "other", role: "user" },
};

const broker = new moleculer.ServiceBroker({ nodeID: "events-unit", logger: false });
broker.createService({
  name: "streamwell.restreams",
  actions: {
    eventView: serve(VIEW_CALLS.restream, ({ id }) => ({
      ownerId: "us_owner",
      view: { id, padding: "x".repeat(VIEW_BYTES) },
    })),
  },
});
const events = new EventStream(
  broker,
  { perUser: 5, perNode: 20 },
  {
    viewer: async (token) => USERS[token],
  },
);
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  await broker.start();
  server = createServer((req, res) => {
    const token = /streamwell_session=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    void events.connect(req, res, token).then((opened) => {
      if (opened !== "open") res.writeHead(opened === "too_many" ? 429 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  events.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await broker.stop();
});

it("cuts a client that stops reading, while one that reads gets every event", async () => {
  const reader = await openEvents(baseUrl, "admin-token");
  const slow = connect({ host: "127.0.0.1", port: Number(new URL(baseUrl).port) });
  let received = 0;
  const closed = new Promise<void>((resolve) => slow.once("close", () => resolve()));
  slow.on("data", (chunk: Buffer) => {
    received += chunk.length;
  });
  slow.write("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: streamwell_session=admin-token\r\n\r\n");
  await waitFor("the slow client's stream open", () => received > 0);
  slow.pause(); // reads nothing more: the kernel's buffers fill, then the node's
  const SENT = 160; // 10 MiB: past the loopback socket buffers (4 MiB at most here) and the 256 KiB bound
  for (let sent = 1; sent <= SENT; sent++) {
    await events.publish("restream", "rs_big");
    await waitFor("the reader keeps up", () => reader.events.length >= sent, 10_000, 5);
  }
  slow.resume();
  await closed; // the node ended the slow stream; it would otherwise stay open
  expect(received).toBeLessThan((SENT * VIEW_BYTES) / 2);
  expect(reader.events).toHaveLength(SENT);
  reader.close();
}, 60_000);

it("ends a stream when its session ends, and no other", async () => {
  const mine = await openEvents(baseUrl, "owner-token");
  const theirs = await openEvents(baseUrl, "admin-token");
  events.revoked([sha256Hex("owner-token")]);
  await mine.ended;
  await events.publish("restream", "rs_after");
  await waitFor("the admin's stream still open", () => theirs.events.length === 1);
  theirs.close();
});

it("sends a deletion only to its owner and admins", async () => {
  const clients = await Promise.all(Object.keys(USERS).map((token) => openEvents(baseUrl, token)));
  events.deleted("restream", "rs_gone", "us_owner");
  await events.publish("restream", "rs_view");
  const [admin, owner, other] = clients as [EventClient, EventClient, EventClient];
  await waitFor(
    "views for the admin and the owner",
    () => admin.events.length === 2 && owner.events.length === 2,
  );
  expect(owner.events[0]).toEqual({ event: "restream", data: { id: "rs_gone", deleted: true } });
  expect(other.events).toEqual([]);
  for (const client of clients) client.close();
});
