// The data dir's disk full during writes (issue 14, faults): one node on SQLite, the embedded
// default, whose data dir is a small tmpfs this test mounts. A native and an ffmpeg restream push
// to a real nginx-rtmp; then the tmpfs is filled and the API is asked to write (create a channel,
// a destination, a restream; PATCH them; set a slate picture). Each write must answer 507
// `storage_full` with a message that names the disk (no stack, no secret), the store must hold
// exactly what it held (no record lost, none half-written), reads must go on, and so must the
// pushes; once the space is freed, writes work again. Needs root (mount); skipped otherwise.
import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLUSH_MS } from "../../node/history/history-recorder.js";
import { records } from "../support/netns/observe.js";
import { childPids } from "../support/node-process.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { pngPicture } from "../support/pictures.js";
import { codecsAt, RestreamApi } from "../support/restreams.js";
import { dumpStore } from "../support/store-dump.js";
import { waitFor } from "../support/wait.js";

const TMPFS_SIZE = "16m";
const KEYS = { native: "full-native", ffmpeg: "full-ffmpeg" } as const;

/** Why the test cannot run here, or null: it mounts a tmpfs, which needs root. */
function mountUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "needs root to mount a tmpfs";
  const probe = mkdtempSync(join(tmpdir(), "streamwell-tmpfs-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe], { stdio: "pipe" });
    execFileSync("umount", [probe], { stdio: "pipe" });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs: ${String(error).split("\n")[0]}`;
  } finally {
    rmdirSync(probe);
  }
}

const unavailable = mountUnavailable();
let mountPoint = "";
let setup: NodeWithNginx | undefined;
let api: RestreamApi;
const restreams: Record<keyof typeof KEYS, string> = { native: "", ffmpeg: "" };
let channel: { id: string; streamKey: string };
let destinationId = "";

/** Fills the tmpfs with one file until the disk refuses a byte; returns its path. */
function fillDisk(): string {
  const file = join(mountPoint, "filler");
  const fd = openSync(file, "w");
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x55);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

describe.skipIf(unavailable !== null)(
  `the data dir full${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    beforeAll(async () => {
      mountPoint = mkdtempSync(join(tmpdir(), "streamwell-full-"));
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_SIZE},mode=0700`, "tmpfs", mountPoint]);
      // A dir inside the mount: the node helper removes its data dir, and a mount point cannot go.
      const dataDir = join(mountPoint, "data");
      mkdirSync(dataDir, { mode: 0o700 });
      setup = await startNodeWithNginx({
        nginx: { applications: [{ name: "live", watchPublishers: true }] },
        node: { dataDir },
      });
      const node = setup;
      api = new RestreamApi(() => ({ admin: node.admin, rtmpBase: node.node.rtmpBase }));
      const native = await api.createDestination("nginx native", node.nginx.url("live"), {
        engine: "native",
      });
      const ffmpeg = await api.createDestination("nginx ffmpeg", node.nginx.url("live"), {
        engine: "ffmpeg",
      });
      destinationId = native;
      channel = await api.liveChannel("Full disk");
      restreams.native = await api.startRestream(channel.id, native, KEYS.native);
      restreams.ffmpeg = await api.startRestream(channel.id, ffmpeg, KEYS.ffmpeg);
      for (const id of Object.values(restreams)) await api.waitForState(id, "streaming", 30_000);
    }, 90_000);

    afterAll(async () => {
      await api?.stopPublishers();
      await setup?.stop();
      if (mountPoint) {
        execFileSync("umount", [mountPoint]);
        rmdirSync(mountPoint);
      }
    }, 30_000);

    it("refuses writes with 507 storage_full, loses nothing, keeps reads and pushes, and writes again once freed", async () => {
      const node = setup as NodeWithNginx;
      const { admin } = node;
      // The history's batch of the states so far (written every FLUSH_MS) lands before the dump.
      await new Promise((resolve) => setTimeout(resolve, 2 * FLUSH_MS));
      const before = await records(admin);
      const storeBefore = dumpStore(node.node.dataDir);
      const sentBefore = await bytesSent();

      const filledAt = new Date().toISOString();
      const filler = fillDisk();
      const refusals = {
        "create a channel": await admin.post("/channels", { name: "Not stored" }),
        "create a destination": await admin.post("/destinations", {
          name: "Not stored",
          url: "rtmp://127.0.0.1:1/live",
        }),
        "create a restream": await admin.post(`/channels/${channel.id}/restreams`, {
          kind: "destination",
          destinationId,
          streamKey: "secret-key-never-stored",
        }),
        "rename a channel": await admin.patch(`/channels/${channel.id}`, { name: "Renamed" }),
        "change a restream's key": await admin.patch(`/restreams/${restreams.native}`, {
          streamKey: "secret-key-never-stored",
        }),
        "stop a restream": await admin.post(`/restreams/${restreams.ffmpeg}/stop`),
        "set a slate picture": await admin.request("PUT", `/api/v1/channels/${channel.id}/slate`, undefined, {
          rawBody: pngPicture("red"),
          headers: { "content-type": "image/png" },
        }),
      };
      for (const [what, response] of Object.entries(refusals)) {
        expect({ what, status: response.status, code: response.body?.error?.code }).toEqual({
          what,
          status: 507,
          code: "storage_full",
        });
        const message = String(response.body.error.message);
        expect(message).toMatch(/data dir is full/);
        expect(response.text).not.toMatch(/secret-key-never-stored|\n\s+at |SqliteError/);
      }
      console.info(`data dir full: ${refusals["create a channel"].body.error.message}`);

      // Nothing lost, nothing half-written; reads answer; both pushes go on.
      expect(dumpStore(node.node.dataDir)).toBe(storeBefore);
      expect(await records(admin)).toEqual(before);
      for (const id of Object.values(restreams)) expect((await api.restream(id)).state).toBe("streaming");
      await waitFor("both pushes sending more", async () => {
        const sent = await bytesSent();
        return sent.native > sentBefore.native && sent.ffmpeg > sentBefore.ffmpeg;
      });
      expect(await codecsAt(node.nginx.url("live", KEYS.native))).toEqual(["aac", "h264"]);
      // A relay that dies now starts again. (Its PID file is rewritten, not grown: the empty file that
      // replaces the old one frees a page for the next, so it may well be written.)
      const restarts = (await api.restream(restreams.ffmpeg)).stats.restarts;
      const [relay, ...others] = relayPids(node.node.pid);
      expect(others, "one ffmpeg relay").toEqual([]);
      const killedAt = Date.now();
      process.kill(relay as number, "SIGKILL");
      await waitFor(
        "the ffmpeg push streaming again",
        async () => {
          const view = await api.restream(restreams.ffmpeg);
          return view.state === "streaming" && view.stats.restarts > restarts;
        },
        30_000,
      );
      console.info(`data dir full: the killed relay streamed again after ${Date.now() - killedAt} ms`);
      expect(await codecsAt(node.nginx.url("live", KEYS.ffmpeg))).toEqual(["aac", "h264"]);
      for (const key of Object.values(KEYS)) expect(node.nginx.maxConcurrentPublishers(key)).toBe(1);
      expect((await fetch(`${node.node.baseUrl}/healthz`)).status).toBe(200);

      console.info(`data dir full: the node's warnings meanwhile: ${warnings(node.node.output, filledAt)}`);

      // Space again: the same writes go through.
      rmSync(filler);
      const created = await admin.post("/channels", { name: "Stored" });
      expect(created.status, created.text).toBe(201);
      const renamed = await admin.patch(`/channels/${channel.id}`, { name: "Renamed" });
      expect(renamed.status, renamed.text).toBe(200);
      const stopped = await admin.post(`/restreams/${restreams.ffmpeg}/stop`);
      expect(stopped.status, stopped.text).toBe(200);
      const channels = (await admin.get("/channels")).body.items.map((c: { name: string }) => c.name).sort();
      expect(channels).toEqual(["Renamed", "Stored"]);
      expect((await api.restream(restreams.native)).state).toBe("streaming");
      const secrets = new RegExp(
        `secret-key-never-stored|${KEYS.native}|${KEYS.ffmpeg}|${channel.streamKey}`,
      );
      expect(node.node.output.join("\n")).not.toMatch(secrets);
    }, 120_000);
  },
);

/** The node's ffmpeg children (setpriv execs ffmpeg in place). */
function relayPids(nodePid: number): number[] {
  return childPids(nodePid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "ffmpeg";
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** The node's distinct warning and error messages since `since` (an ISO time), each with its count. */
function warnings(output: readonly string[], since: string): string {
  const counts = new Map<string, number>();
  for (const line of output) {
    const entry = logEntry(line);
    if (!entry || (entry.level ?? 0) < 40 || (entry.time ?? "") < since) continue;
    counts.set(entry.msg ?? "", (counts.get(entry.msg ?? "") ?? 0) + 1);
  }
  return [...counts].map(([msg, n]) => `"${msg}" x${n}`).join(", ") || "none";
}

function logEntry(line: string): { level?: number; time?: string; msg?: string } | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined; // not a log line (ffmpeg's or the runtime's own output)
  }
}

async function bytesSent(): Promise<Record<keyof typeof KEYS, number>> {
  return {
    native: (await api.restream(restreams.native)).stats.bytesSent,
    ffmpeg: (await api.restream(restreams.ffmpeg)).stats.bytesSent,
  };
}
