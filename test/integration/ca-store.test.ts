// Both restream engines trust the same CA store, the one STREAMWELL_CA_FILE names: a private CA
// (here the TLS terminator's own certificate) in a temp CA file makes an RTMPS destination in
// front of nginx-rtmp trusted by the native push and by ffmpeg alike. The native engine used to
// trust Node's bundled roots only, whatever the system's store said.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import type { NginxRtmp } from "../support/nginx-rtmp.js";
import type { NodeProcess } from "../support/node-process.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { codecsAt, RestreamApi } from "../support/restreams.js";
import { startTlsTerminator, type TlsTerminator } from "../support/tls-terminator.js";

let nginx: NginxRtmp;
let terminator: TlsTerminator;
let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithNginx | undefined;
const caDir = mkdtempSync(join(tmpdir(), "streamwell-ca-"));
const api = new RestreamApi(() => ({ admin, rtmpBase: node.rtmpBase }));

beforeAll(async () => {
  setup = await startNodeWithNginx({
    node: async (destination) => {
      terminator = await startTlsTerminator({ targetPort: destination.port });
      const caFile = join(caDir, "private-ca.pem");
      writeFileSync(caFile, terminator.certPem);
      return { env: { STREAMWELL_CA_FILE: caFile } };
    },
  });
  ({ nginx, node, admin } = setup);
}, 60_000);

afterAll(async () => {
  await api.stopPublishers();
  await setup?.stop();
  await terminator?.stop();
  rmSync(caDir, { recursive: true, force: true });
});

it("verifies an RTMPS destination against the configured CA file with either engine", async () => {
  const channel = await api.liveChannel("Private CA");
  for (const engine of ["native", "ffmpeg"] as const) {
    const destination = await api.createDestination(`private ${engine}`, terminator.url("live"), { engine });
    const key = `private-ca-${engine}`;
    const id = await api.startRestream(channel.id, destination, key);
    await api.waitForState(id, "streaming", 30_000);
    expect(await codecsAt(nginx.url("live", key))).toEqual(["aac", "h264"]);
    expect(await api.logText(id)).toContain(engine === "native" ? "native:" : "ffmpeg:");
  }
  expect(terminator.failedHandshakes()).toBe(0);
}, 120_000);
