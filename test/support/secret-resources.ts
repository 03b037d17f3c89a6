// Every kind of record that holds a secret, made through the API as a user would: a channel with
// SRT ingest, an RTMP destination and a restream to it with its own key, an SRT destination with a
// passphrase and a restream to it, an SRT Push with a passphrase and a Remote Playback. Returns the
// secrets a leak would show, for tests that grep the store, its files and processes' arguments.
import type { ApiClient } from "./api-client.js";

/** The nodes these resources are made on: their SRT Push targets are loopback listeners of the test. */
export const LOOPBACK_SRT_PUSH = { STREAMWELL_SRT_PUSH_ALLOW: "127.0.0.0/8" };

export interface SecretResources {
  readonly channel: { readonly id: string; readonly streamKey: string };
  /** The restream to the RTMP destination and the stream key it pushes with. */
  readonly rtmp: { readonly restreamId: string; readonly streamKey: string };
  readonly playback: { readonly restreamId: string; readonly url: string };
  /** The passphrases of the SRT destination and the SRT Push. */
  readonly srtPassphrases: readonly string[];
  /** Every restream made (to start them all). */
  readonly restreamIds: readonly string[];
  /** Stream keys and passphrases that must never be found in plain text. */
  readonly secrets: readonly string[];
}

function passphraseIn(url: string): string {
  const found = /passphrase=([^&]+)/.exec(url)?.[1];
  if (!found) throw new Error(`no passphrase in ${url.replace(/passphrase=[^&]+/, "passphrase=***")}`);
  return decodeURIComponent(found);
}

async function created<T>(response: Promise<{ status: number; body: T; text: string }>): Promise<T> {
  const { status, body, text } = await response;
  if (status !== 201) throw new Error(`expected 201, got ${status}: ${text}`);
  return body;
}

/** `rtmpUrl`: an RTMP server URL (application, no key); `srtPort`: where SRT pushes go (a listener, or nothing). */
export async function createSecretResources(
  admin: ApiClient,
  options: {
    readonly rtmpUrl: string;
    readonly srtPort: number;
    readonly tag: string;
    /** The RTMP destination's engine (default: the node's, native). */
    readonly rtmpEngine?: "native" | "ffmpeg";
  },
): Promise<SecretResources> {
  const { tag, srtPort } = options;
  const streamKey = `out-key-${tag}`;
  const destinationPassphrase = `dest-passphrase-${tag}`;
  const pushPassphrase = `push-passphrase-${tag}`;
  const channel = await created<{ id: string; streamKey: string; ingest: { srt: string } }>(
    admin.post("/channels", { name: `Secrets ${tag}`, srtIngest: true }),
  );
  const rtmpDestination = await created<{ id: string }>(
    admin.post("/destinations", {
      name: `rtmp ${tag}`,
      url: options.rtmpUrl,
      engine: options.rtmpEngine ?? null,
    }),
  );
  const srtDestination = await created<{ id: string }>(
    admin.post("/destinations", {
      name: `srt ${tag}`,
      url: `srt://127.0.0.1:${srtPort}?passphrase=${destinationPassphrase}`,
    }),
  );
  const restreams = `/channels/${channel.id}/restreams`;
  const rtmp = await created<{ id: string }>(
    admin.post(restreams, { kind: "destination", destinationId: rtmpDestination.id, streamKey }),
  );
  const srt = await created<{ id: string }>(
    admin.post(restreams, {
      kind: "destination",
      destinationId: srtDestination.id,
      streamKey: `srt-key-${tag}`,
    }),
  );
  const push = await created<{ id: string }>(
    admin.post(restreams, {
      kind: "srt_push",
      url: `srt://127.0.0.1:${srtPort}?passphrase=${pushPassphrase}`,
    }),
  );
  const playback = await created<{ id: string; playbackUrl: string }>(
    admin.post(restreams, { kind: "remote_playback" }),
  );
  return {
    channel: { id: channel.id, streamKey: channel.streamKey },
    rtmp: { restreamId: rtmp.id, streamKey },
    playback: { restreamId: playback.id, url: playback.playbackUrl },
    restreamIds: [rtmp.id, srt.id, push.id, playback.id],
    srtPassphrases: [destinationPassphrase, pushPassphrase],
    secrets: [
      channel.streamKey,
      passphraseIn(channel.ingest.srt),
      streamKey,
      destinationPassphrase,
      pushPassphrase,
      passphraseIn(playback.playbackUrl),
    ],
  };
}

/** Fields of stored records that hold a secret (or a URL that may): each must hold a sealed value. */
const SECRET_FIELD_NAMES = new Set(["streamKey", "passphrase", "url"]);

/** Every secret-named string field anywhere in `value` that is not sealed, as "path=<value length>". */
export function unsealedFields(value: unknown, path = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([name, field]) => {
    const at = path ? `${path}.${name}` : name;
    if (typeof field === "string")
      return SECRET_FIELD_NAMES.has(name) && !field.startsWith("sealed:v1:") ? [at] : [];
    return unsealedFields(field, at);
  });
}
