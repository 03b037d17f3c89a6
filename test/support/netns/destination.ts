// An nginx-rtmp destination in its own lab host, with its on_publish / on_publish_done hook: every
// publisher the destination sees is recorded with its source address and time. nginx drops a
// publisher that sends nothing for 3 s (drop_idle_publisher), as hosted ingest servers do: without
// it, a session whose node was cut off stays open for nginx's 60 s socket timeout and nobody could
// take over. Stopped by PID.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Proc, startProcess } from "../../../bench/support/processes.js";
import type { Lab, LabHost } from "./lab.js";

const RTMP_PORT = 1935;
const HOOK_PORT = 8081;
const HOOK = new URL("./hook.mjs", import.meta.url).pathname;

export interface PublisherEvent {
  readonly call: "publish" | "publish_done";
  readonly name: string;
  /** The publisher's address (which node pushed). */
  readonly addr: string;
  readonly at: number;
}

export class LabDestination {
  readonly events: PublisherEvent[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), "streamwell-netns-nginx-"));
  private procs: Proc[] = [];

  constructor(
    private readonly lab: Lab,
    readonly host: LabHost,
  ) {}

  /** rtmp://<host>:1935/live */
  get url(): string {
    return `rtmp://${this.host.ip}:${RTMP_PORT}/live`;
  }

  async start(): Promise<void> {
    const [command, ...prefix] = this.lab.exec(this.host.name);
    let ready: () => void = () => {};
    const hookReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const hook = startProcess(
      "hook",
      command as string,
      [...prefix, process.execPath, HOOK, String(HOOK_PORT)],
      {
        onStdoutLine: (line) => {
          if (line === "ready") ready();
          else this.events.push(JSON.parse(line) as PublisherEvent);
        },
      },
    );
    this.procs.push(hook);
    await hookReady;
    const conf = join(this.dir, "nginx.conf");
    writeFileSync(conf, nginxConfig(this.dir, this.host.ip));
    this.procs.push(
      startProcess("nginx", command as string, [
        ...prefix,
        "nginx",
        "-p",
        this.dir,
        "-c",
        conf,
        "-e",
        join(this.dir, "error.log"),
      ]),
    );
  }

  /** Publish attempts that came while another publisher of the same key was on (must stay empty). */
  overlaps(name: string): PublisherEvent[] {
    let active = 0;
    const overlapping: PublisherEvent[] = [];
    for (const event of this.events.filter((e) => e.name === name)) {
      if (event.call === "publish" && active > 0) overlapping.push(event);
      active = Math.max(0, active + (event.call === "publish" ? 1 : -1));
    }
    return overlapping;
  }

  publishes(name: string, since = 0): PublisherEvent[] {
    return this.events.filter((e) => e.name === name && e.call === "publish" && e.at >= since);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((proc) => proc.stop()));
    this.procs = [];
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function nginxConfig(dir: string, ip: string): string {
  // master_process off: one process, whose PID is the one started, so stop() by PID stops it all.
  return `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} info;
events { worker_connections 256; }
rtmp {
  server {
    listen ${ip}:${RTMP_PORT};
    drop_idle_publisher 3s;
    application live {
      live on; record off;
      on_publish http://127.0.0.1:${HOOK_PORT}/live;
      on_publish_done http://127.0.0.1:${HOOK_PORT}/live;
    }
  }
}
`;
}
