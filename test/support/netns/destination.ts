// An nginx-rtmp destination in its own lab host, with its on_publish / on_publish_done hook: every
// publisher the destination sees is recorded with its source address and time. nginx drops a
// publisher that sends nothing for 3 s (drop_idle_publisher), as hosted ingest servers do: without
// it, a session whose node was cut off stays open for nginx's 60 s socket timeout and nobody could
// take over. A publish that nginx refused because the key was already published (its error.log
// says `*<connection> live: already publishing`) is told apart from an accepted one by the hook's
// clientid, nginx's connection number. Stopped by PID.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Proc, startProcess } from "../../../bench/support/processes.js";
import type { Lab, LabHost } from "./lab.js";

const RTMP_PORT = 1935;
const HOOK_PORT = 8081;
/** nginx-rtmp's statistics (rtmp_stat) over HTTP, on the destination's address. */
export const STAT_PORT = 8082;
const HOOK = new URL("./hook.mjs", import.meta.url).pathname;

export interface PublisherEvent {
  readonly call: "publish" | "publish_done";
  readonly name: string;
  /** The publisher's address (which node pushed). */
  readonly addr: string;
  /** nginx's connection number: one per RTMP connection, as error.log's `*<N>` names it. */
  readonly clientId: number;
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

  /**
   * Accepted publishes that came while another accepted publisher of the same key was on: two
   * sessions streaming one key (must stay empty). Refused attempts (`refused()`) are left out.
   */
  overlaps(name: string): PublisherEvent[] {
    const refused = this.refusedConnections();
    const on = new Set<number>();
    const overlapping: PublisherEvent[] = [];
    for (const event of this.events.filter((e) => e.name === name && !refused.has(e.clientId))) {
      if (event.call === "publish_done") on.delete(event.clientId);
      else {
        if (on.size > 0) overlapping.push(event);
        on.add(event.clientId);
      }
    }
    return overlapping;
  }

  /** Publishes of `name` since `since` that nginx refused: the key was already being published. */
  refused(name: string, since = 0): PublisherEvent[] {
    const refused = this.refusedConnections();
    return this.publishes(name, since).filter((e) => refused.has(e.clientId));
  }

  /** The connections nginx refused a publish on, from its error.log. */
  private refusedConnections(): Set<number> {
    const log = join(this.dir, "error.log");
    const text = existsSync(log) ? readFileSync(log, "utf8") : "";
    return new Set([...text.matchAll(/\*(\d+) live: already publishing/g)].map((m) => Number(m[1])));
  }

  /** Bytes nginx has received for `name`'s current session (0 without one), read through a loopback port reaching STAT_PORT. */
  async bytesIn(name: string, statPort: number): Promise<number> {
    const xml = await (await fetch(`http://127.0.0.1:${statPort}/stat`)).text();
    const stream = xml.split("<stream>").find((part) => part.trimStart().startsWith(`<name>${name}</name>`));
    return Number(stream?.match(/<bytes_in>(\d+)<\/bytes_in>/)?.[1] ?? 0);
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
http {
  access_log off;
  client_body_temp_path ${join(dir, "body")};
  proxy_temp_path ${join(dir, "proxy")};
  fastcgi_temp_path ${join(dir, "fastcgi")};
  uwsgi_temp_path ${join(dir, "uwsgi")};
  scgi_temp_path ${join(dir, "scgi")};
  server {
    listen ${ip}:${STAT_PORT};
    location /stat { rtmp_stat all; }
  }
}
`;
}
