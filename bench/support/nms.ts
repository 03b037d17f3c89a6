// Node-Media-Server v4, a JavaScript RTMP server, as a baseline: installed with npm into the
// benchmark's own temp dir (never a dependency of this repository), run as its own process on a
// free loopback port, with one RTMP push relay task per key (its relay manager's addTask, mode
// "push": an in-process RTMP client per destination, like our native engine).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, freePort } from "./net.js";
import { type Proc, startProcess } from "./processes.js";
import { waitUntil } from "./wait.js";

const NMS_VERSION = "4";
/** Kept between runs: installing takes ~30 s. */
const INSTALL_DIR = join(tmpdir(), "streamwell-bench-nms");

export interface NmsServer {
  readonly proc: Proc;
  /** Where the source is published: rtmp://127.0.0.1:PORT/live/src */
  readonly sourceUrl: string;
  stop(): Promise<void>;
}

/** Installs node-media-server@4 into the temp dir once; returns its version. */
export function installNms(): string {
  const pkg = join(INSTALL_DIR, "node_modules", "node-media-server", "package.json");
  if (!existsSync(pkg)) {
    mkdirSync(INSTALL_DIR, { recursive: true });
    execFileSync(
      "npm",
      [
        "install",
        "--prefix",
        INSTALL_DIR,
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        `node-media-server@${NMS_VERSION}`,
      ],
      { stdio: "ignore", timeout: 300_000 },
    );
  }
  return (
    JSON.parse(
      execFileSync("node", ["-p", `JSON.stringify(require(${JSON.stringify(pkg)}))`]).toString(),
    ) as {
      version: string;
    }
  ).version;
}

/** What runs in the NMS process: the server, then a push task per destination URL. */
const RUNNER = `
const NodeMediaServer = require("node-media-server");
const [port, httpPort, dataDir, urls] = [process.argv[2], process.argv[3], process.argv[4], JSON.parse(process.argv[5])];
const nms = new NodeMediaServer({ bind: "127.0.0.1", rtmp: { port: Number(port) }, http: { port: Number(httpPort) },
  store: { path: dataDir }, auth: { play: false, publish: false }, webadmin: { enable: false } });
// A push task started before its source is published connects, publishes and gives up (v4.4.3's
// registerPush finds no broadcast): start them once the source is live.
let pushing = false;
nms.on("postPublish", (session) => {
  if (pushing || session.streamPath !== "/live/src") return;
  pushing = true;
  for (const url of urls) nms.relayServer.addTask({ url, mode: "push", streamPath: "/live/src" });
});
nms.run().then(() => console.log("nms-ready"));
process.on("SIGTERM", () => process.exit(0));
`;

/** Starts NMS with one push of /live/src to each of `urls`. */
export async function startNms(urls: readonly string[]): Promise<NmsServer> {
  const port = await freePort();
  const httpPort = await freePort();
  const dataDir = join(INSTALL_DIR, `data-${port}`);
  const runner = join(INSTALL_DIR, "runner.cjs");
  writeFileSync(runner, RUNNER);
  const proc = startProcess(
    "node-media-server",
    process.execPath,
    [runner, String(port), String(httpPort), dataDir, JSON.stringify(urls)],
    { cwd: INSTALL_DIR },
  );
  await waitUntil("node-media-server listening", () => !proc.running() || canConnect(port), 15_000, 100);
  if (!proc.running()) throw new Error(`node-media-server exited: ${proc.tail.join("\n")}`);
  return { proc, sourceUrl: `rtmp://127.0.0.1:${port}/live/src`, stop: () => proc.stop() };
}
