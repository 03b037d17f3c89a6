// No secret in a child process's arguments where ffmpeg 5.1 can take it another way: the SRT
// listeners (SRT ingest, the target end of a chain link) get their passphrase from an input script
// on a pipe, so an argv scan of every child of every node (/proc/<pid>/cmdline, what any local
// user can read) finds no stream key or passphrase in them. ffmpeg 5.1 has no such way for an
// output (SRT destinations, SRT Push, Remote Playback, the source end of a chain link, RTMP with
// the ffmpeg engine): those are left to a /proc mounted with hidepid, and the second test shows
// that there another user sees none of the node's processes, while root sees the secrets in them.
import { chownSync, existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { ffmpegProcess, type MediaProcess, publish } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import {
  ADMIN_PASSWORD,
  childPids,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { argvInNamespace, descendantArgv } from "../support/proc-argv.js";
import {
  createSecretResources,
  LOOPBACK_SRT_PUSH,
  type SecretResources,
} from "../support/secret-resources.js";
import { freeUdpPort } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

let nginx: NginxRtmp;
const media: MediaProcess[] = [];

beforeAll(async () => {
  nginx = await startNginxRtmp();
});

afterAll(async () => {
  await Promise.all(media.map((m) => m.stop()));
  await nginx?.stop();
});

/** A receiving SRT listener for the pushes, with the passphrase they use. */
function srtReceiver(port: number, passphrase: string): MediaProcess {
  const receiver = ffmpegProcess([
    ...["-passphrase", passphrase, "-i", `srt://127.0.0.1:${port}?mode=listener`],
    ...["-c", "copy", "-f", "null", "-"],
  ]);
  media.push(receiver);
  return receiver;
}

async function startAll(admin: ApiClient, made: SecretResources, rtmpBase: string): Promise<void> {
  for (const id of made.restreamIds) expect((await admin.post(`/restreams/${id}/start`)).status).toBe(200);
  media.push(await publish(`${rtmpBase}/${made.channel.streamKey}`, { loop: true }));
}

const holdsSecret = (argv: string, secrets: readonly string[]) => secrets.some((s) => argv.includes(s));

describe("children of a mesh's nodes", () => {
  let mesh: TestMesh;

  afterAll(async () => {
    await mesh?.stop();
  });

  it("keep every key and passphrase of their inputs off their command lines", async () => {
    mesh = await startMesh([
      { id: "n1", env: LOOPBACK_SRT_PUSH },
      { id: "n2", env: LOOPBACK_SRT_PUSH },
    ]);
    // Made on n2: its SRT ingest listener and the Remote Playback live there, and publishing to n1
    // opens a chain link n1 -> n2 whose listener (an input) runs on n2.
    const made = await createSecretResources(mesh.admin("n2"), {
      rtmpUrl: nginx.url("live"),
      srtPort: await freeUdpPort(),
      tag: "argv",
      rtmpEngine: "ffmpeg",
    });
    await startAll(mesh.admin("n1"), made, mesh.node("n1").rtmpBase);
    const children = () => [...descendantArgv(mesh.node("n1").pid), ...descendantArgv(mesh.node("n2").pid)];
    const inputs = () => children().filter((child) => child.argv.includes("-f concat"));
    // n2: the SRT ingest listener and the chain link's listener; n1: the relays (outputs).
    await waitFor(
      "SRT listeners and relays running",
      () => inputs().length >= 2 && children().length >= 5,
      30_000,
    );

    const all = children();
    for (const input of inputs()) {
      expect(input.argv, "an SRT listener's argv").not.toContain("passphrase");
      expect(holdsSecret(input.argv, made.secrets), "a secret in an SRT listener's argv").toBe(false);
    }
    // What still holds a secret is an output ffmpeg 5.1 can only be given on its command line.
    const exposed = all.filter((child) => holdsSecret(child.argv, made.secrets));
    for (const child of exposed)
      expect(child.argv).toMatch(/-rtmp_playpath|-passphrase \S+ (srt:\/\/|-f mpegts)/);
    expect(holdsSecret(all.map((c) => c.argv).join("\n"), [made.channel.streamKey])).toBe(false);
  }, 180_000);
});

/** The node's own unprivileged user, and another local user. */
const NODE_UID = 65534;
const OTHER_UID = 65533;

describe("a node run as its own user, where /proc hides other users' processes (hidepid)", () => {
  let node: NodeProcess | undefined;
  const dataDir = tempDataDir();

  afterAll(async () => {
    // The node (init of its PID namespace) is told to stop directly: unshare's --kill-child does not
    // reach it once setpriv has changed its user. The namespace's other processes end with it.
    const inner = node ? childPids(node.pid) : [];
    for (const pid of inner) process.kill(pid, "SIGTERM");
    await waitFor(
      "the node in the namespace gone",
      () => inner.every((pid) => !existsSync(`/proc/${pid}`)),
      20_000,
    );
    await node?.stop();
    removeDataDir(dataDir);
  });

  it("shows another user none of the node's children, whose outputs still carry secrets", async () => {
    // Set-up as root (a /proc with hidepid, the data dir's owner), then the node runs unprivileged.
    chownSync(dataDir, NODE_UID, NODE_UID);
    const drop = `setpriv --reuid ${NODE_UID} --regid ${NODE_UID} --clear-groups`;
    node = await startNode({
      dataDir,
      env: LOOPBACK_SRT_PUSH,
      wrapper: [
        ...["unshare", "--mount", "--pid", "--fork", "--propagation", "private"],
        ...["sh", "-c", `mount -t proc -o hidepid=invisible proc /proc && exec ${drop} "$@"`, "sh"],
      ],
    });
    const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    const srtPort = await freeUdpPort();
    const made = await createSecretResources(admin, {
      rtmpUrl: nginx.url("live"),
      srtPort,
      tag: "hidepid",
      rtmpEngine: "ffmpeg",
    });
    srtReceiver(srtPort, made.srtPassphrases[1] as string);
    await startAll(admin, made, node.rtmpBase);
    await waitFor(
      "the ffmpeg relay to nginx streaming",
      async () => (await admin.get(`/restreams/${made.rtmp.restreamId}`)).body.state === "streaming",
      30_000,
    );
    const nodePid = childPids(node.pid)[0] as number;

    const asRoot = await argvInNamespace(nodePid, 0);
    expect(asRoot.filter((argv) => holdsSecret(argv, made.secrets)).length).toBeGreaterThan(0);
    // The node's own user sees its children (relays come and go between two reads: no exact match).
    expect((await argvInNamespace(nodePid, NODE_UID)).some((argv) => holdsSecret(argv, made.secrets))).toBe(
      true,
    );
    const asOther = await argvInNamespace(nodePid, OTHER_UID);
    expect(asOther.join("\n")).not.toContain("ffmpeg");
    expect(holdsSecret(asOther.join("\n"), made.secrets)).toBe(false);
  }, 120_000);
});
