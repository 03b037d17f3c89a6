// The test's way into the lab: a forwarder process in a control namespace on the bridge, reached
// through a Unix socket, and a loopback TCP port in this process per target it exposes. A request
// to a cut host hangs like any request across a partition: callers bound their own time.
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Proc, startProcess } from "../../../bench/support/processes.js";
import type { Lab } from "./lab.js";

const FORWARDER = new URL("./forwarder.mjs", import.meta.url).pathname;

export class Tunnel {
  private readonly servers: Server[] = [];

  private constructor(
    private readonly proc: Proc,
    private readonly dir: string,
    private readonly socketPath: string,
  ) {}

  /** Starts the forwarder in the lab host `control` (already added to the lab). */
  static async open(lab: Lab, control: string): Promise<Tunnel> {
    const dir = mkdtempSync(join(tmpdir(), "streamwell-netns-"));
    const socketPath = join(dir, "forwarder.sock");
    let ready: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const proc = startProcess(
      "forwarder",
      lab.exec(control)[0] as string,
      [...lab.exec(control).slice(1), process.execPath, FORWARDER, socketPath],
      { onStdoutLine: (line) => line === "ready" && ready() },
    );
    await Promise.race([started, proc.exited.then(() => Promise.reject(new Error(proc.tail.join("\n"))))]);
    return new Tunnel(proc, dir, socketPath);
  }

  /** A loopback port of this process that reaches host:port in the lab. */
  async expose(host: string, port: number): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.socketPath, () => {
        upstream.write(`${host}:${port}\n`);
        client.pipe(upstream).pipe(client);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  async close(): Promise<void> {
    for (const server of this.servers) server.close();
    await this.proc.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
