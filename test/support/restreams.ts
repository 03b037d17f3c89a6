// The restream tests' view of a running node through its API: destinations, live channels with a
// real ffmpeg publisher, restreams started and waited for. It remembers what it started, so each
// test's afterEach stops those restreams and publishers (by API and by PID).
import { expect } from "vitest";
import type { ApiClient } from "./api-client.js";
import { ffprobeStreams, type MediaProcess, publish } from "./media.js";
import { freeUdpPort, probeSrtListener } from "./srt.js";
import { waitFor } from "./wait.js";

export interface RestreamBody {
  id: string;
  state: "stopped" | "awaiting_stream" | "streaming" | "error";
  error: { code: string; message: string; retryAt: string | null } | null;
  stats: { restarts: number; bytesSent: number; uptimeSeconds: number; speed: number; bitrateBps: number };
}

/** The node the helpers talk to; a function, since a test may replace the node (a restart). */
export interface NodeView {
  readonly admin: ApiClient;
  /** rtmp://127.0.0.1:PORT/live */
  readonly rtmpBase: string;
}

export class RestreamApi {
  /** Restreams started through startRestream, not yet stopped by stopAll. */
  started: string[] = [];
  publishers: MediaProcess[] = [];

  constructor(private readonly node: () => NodeView) {}

  private get admin(): ApiClient {
    return this.node().admin;
  }

  async restream(id: string): Promise<RestreamBody> {
    const response = await this.admin.get<RestreamBody>(`/restreams/${id}`);
    if (response.status !== 200) throw new Error(`GET /restreams/${id}: ${response.status} ${response.text}`);
    return response.body;
  }

  async logText(id: string): Promise<string> {
    const body = (await this.admin.get<{ lines: { time: string; text: string }[] }>(`/restreams/${id}/logs`))
      .body;
    return body.lines.map((line) => line.text).join("\n");
  }

  async createDestination(
    name: string,
    url: string,
    options: { insecureSkipVerify?: boolean; engine?: "native" | "ffmpeg" | null } = {},
  ): Promise<string> {
    const response = await this.admin.post("/destinations", { name, url, ...options });
    expect(response.status, response.text).toBe(201);
    return response.body.id as string;
  }

  /** A new channel with a publisher on it, once the node reports it live. */
  async liveChannel(name: string): Promise<{ id: string; streamKey: string }> {
    const channel = (await this.admin.post("/channels", { name })).body as { id: string; streamKey: string };
    await this.publishTo(channel);
    return channel;
  }

  async publishTo(channel: { id: string; streamKey: string }): Promise<void> {
    this.publishers.push(await publish(`${this.node().rtmpBase}/${channel.streamKey}`, { loop: true }));
    await waitFor(
      `channel ${channel.id} live`,
      async () => (await this.admin.get(`/channels/${channel.id}`)).body.live,
    );
  }

  /** Creates a restream to a destination (with an output profile if given) and starts it (remembered, so stopAll stops it). */
  async startRestream(
    channelId: string,
    destinationId: string,
    streamKey: string,
    output?: unknown,
  ): Promise<string> {
    const created = await this.admin.post(`/channels/${channelId}/restreams`, {
      kind: "destination",
      destinationId,
      streamKey,
      ...(output === undefined ? {} : { output }),
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    this.started.push(id);
    const start = await this.admin.post(`/restreams/${id}/start`);
    expect(start.status, start.text).toBe(200);
    return id;
  }

  /** A started restream to a one-shot SRT listener on loopback, and the codecs its first caller sends (sorted). */
  async srtRestream(
    channelId: string,
    timeoutMs = 40_000,
  ): Promise<{ id: string; codecs(): Promise<string[]> }> {
    const port = await freeUdpPort();
    const probed = probeSrtListener(port, timeoutMs);
    const destination = await this.createDestination(`srt ${port}`, `srt://127.0.0.1:${port}?latency=200`);
    const id = await this.startRestream(channelId, destination, "unused-for-srt");
    return { id, codecs: async () => (await probed).map((s) => s.codec_name).sort() };
  }

  waitForState(id: string, state: RestreamBody["state"], timeoutMs = 20_000): Promise<RestreamBody> {
    return waitFor(
      `restream ${id} ${state}`,
      async () => {
        const body = await this.restream(id);
        return body.state === state ? body : undefined;
      },
      timeoutMs,
    );
  }

  /** Stops the started restreams through the API (each must answer 200). */
  async stopRestreams(): Promise<void> {
    const ids = this.started;
    this.started = [];
    for (const id of ids) {
      const response = await this.admin.post(`/restreams/${id}/stop`);
      expect(response.status, `stop ${id}: ${response.text}`).toBe(200);
    }
  }

  async stopPublishers(): Promise<void> {
    const publishers = this.publishers;
    this.publishers = [];
    await Promise.all(publishers.map((p) => p.stop()));
  }
}

export function expectRetryAtSoon(retryAt: string | null | undefined): void {
  expect(retryAt).toEqual(expect.any(String));
  const at = Date.parse(retryAt as string);
  expect(Number.isNaN(at)).toBe(false);
  // Backoff: at most 30 s + 20 % ahead; not much in the past (the GET may come just after it).
  expect(at).toBeGreaterThan(Date.now() - 5_000);
  expect(at).toBeLessThanOrEqual(Date.now() + 36_500);
}

/** The codec names ffprobe finds at a live URL, sorted (["aac", "h264"] for the test clip). */
export const codecsAt = async (url: string): Promise<string[]> =>
  (await ffprobeStreams(url, 15_000)).map((s) => s.codec_name).sort();

/** A destination, a channel and a started restream of it to `destinationUrl` as `streamKey`, made by an admin. */
export async function startedRestream(
  admin: ApiClient,
  options: { readonly destinationUrl: string; readonly streamKey: string; readonly channelName: string },
): Promise<{ channel: { id: string; streamKey: string }; restreamId: string }> {
  const destination = (await admin.post("/destinations", { name: "nginx", url: options.destinationUrl }))
    .body;
  const channel = (await admin.post("/channels", { name: options.channelName })).body;
  const restreamId: string = (
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: options.streamKey,
    })
  ).body.id;
  expect((await admin.post(`/restreams/${restreamId}/start`)).status).toBe(200);
  return { channel, restreamId };
}
