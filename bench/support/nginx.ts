// Debian's nginx with its RTMP module on a free loopback port, one process (master_process off) so
// it is stopped by PID, everything in a temp dir. As the benchmark's destination: one application,
// "live", where players may connect before the publisher and receive from a keyframe on; its
// rtmp_stat page tells how many bytes each stream received (so a run can prove media flowed). As the
// "nginx-rtmp push" baseline: also an application "src" that pushes what it gets to every target.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, freePort } from "./net.js";
import { type Proc, startProcess } from "./processes.js";
import { waitUntil } from "./wait.js";

export interface Nginx {
  readonly proc: Proc;
  url(key?: string, app?: string): string;
  /** How many of the keys the info log shows in a `<command>: name='<key>'` line. */
  seen(command: "play" | "publish", keys: readonly string[]): number;
  /** Bytes each stream of application "live" has received so far, by name, from the rtmp_stat page. */
  bytesIn(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

export interface PushTargets {
  /** rtmp://host:port/app of the destination. */
  readonly url: string;
  /** One push per key: the stream name at the destination. */
  readonly keys: readonly string[];
}

export async function startNginx(options: { push?: PushTargets } = {}): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-bench-nginx-"));
  const port = await freePort();
  const statPort = await freePort();
  const log = join(dir, "error.log");
  writeFileSync(
    join(dir, "nginx.conf"),
    `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
pid ${join(dir, "nginx.pid")};
error_log ${log} info;
worker_rlimit_nofile 20000;
events { worker_connections 16384; }
http {
  access_log off;
  server { listen 127.0.0.1:${statPort}; location /stat { rtmp_stat all; } }
}
rtmp {
  server {
    listen 127.0.0.1:${port};
    application live { live on; record off; wait_key on; wait_video on; }
${options.push ? pushApplication(options.push) : ""}  }
}
`,
  );
  const proc = startProcess("nginx", "nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", log]);
  const read = (): string => {
    try {
      return readFileSync(log, "utf8");
    } catch {
      return "";
    }
  };
  try {
    await waitUntil("nginx-rtmp listening", () => !proc.running() || canConnect(port), 5_000, 50);
    if (!proc.running()) throw new Error(`nginx exited: ${proc.tail.join("\n")}`);
  } catch (error) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    proc,
    url: (key, app = "live") => `rtmp://127.0.0.1:${port}/${app}${key === undefined ? "" : `/${key}`}`,
    seen: (command, keys) => {
      const log = read();
      return keys.filter((key) => log.includes(`${command}: name='${key}'`)).length;
    },
    bytesIn: async () => streamBytes(await (await fetch(`http://127.0.0.1:${statPort}/stat`)).text()),
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pushApplication({ url, keys }: PushTargets): string {
  // `name=` would pick the local stream to push; `playPath=` names it at the destination.
  const pushes = keys.map((key) => `push ${url} playPath=${key};`).join(" ");
  return `    application src { live on; record off; ${pushes} }\n`;
}

/** `<stream><name>KEY</name> ... <bytes_in>N</bytes_in>` blocks of the rtmp_stat XML. */
function streamBytes(xml: string): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const [, block = ""] of xml.matchAll(/<stream>([\s\S]*?)<\/stream>/g)) {
    const name = /<name>([^<]*)<\/name>/.exec(block)?.[1];
    const count = /<bytes_in>(\d+)<\/bytes_in>/.exec(block)?.[1];
    if (name !== undefined && count !== undefined) bytes.set(name, Number(count));
  }
  return bytes;
}
