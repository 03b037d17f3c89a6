// A chain link's FLV caller: the bytes ffmpeg writes for a link (here the small H.264 + AAC clip
// remuxed to FLV, as a chain push from an SRT ingest does) become the channel's codecs and tags.
import { readFile } from "node:fs/promises";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import type { ChannelCodecs } from "../../node/defs/codecs.js";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import type { IngestSink } from "../../node/ingest/registry.js";
import { FlvSession } from "../../node/ingest/srt/flv-session.js";
import { isSequenceHeader, SCRIPT } from "../../node/media/flv.js";
import { smallTsClip } from "../support/media.js";

let flv: Buffer;
let ts: Buffer;

beforeAll(async () => {
  const clip = await smallTsClip();
  ts = await readFile(clip);
  const remux = ["-hide_banner", "-loglevel", "error", "-i", clip, "-c", "copy"];
  const { stdout } = await execa(
    "ffmpeg",
    [...remux, "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1"],
    {
      encoding: "buffer",
      timeout: 20_000,
    },
  );
  flv = Buffer.from(stdout);
}, 30_000);

/** Feeds `bytes` in SRT-payload-sized chunks to a session whose claim gets `sink`. */
function run(bytes: Buffer, sink: IngestSink<FlvTag> | null) {
  const refusals: string[] = [];
  const caller = {
    channelId: "ch_1",
    input: "primary",
    id: "chain-1",
    drop: () => {},
    refuse: () => {},
  } as const;
  const session = new FlvSession(caller, { claim: () => sink, refuse: (reason) => refusals.push(reason) });
  for (let at = 0; at < bytes.length; at += 1316) session.stdout(bytes.subarray(at, at + 1316));
  session.end();
  return { session, refusals };
}

describe("FlvSession", () => {
  it("learns the codecs from the sequence headers before the first tag, then passes every tag", () => {
    const seen: (ChannelCodecs | FlvTag | string)[] = [];
    const sink: IngestSink<FlvTag> = {
      codecs: (codecs) => seen.push(codecs),
      unit: (tag) => seen.push(tag),
      end: (reason) => seen.push(`end ${reason}`),
    };
    const { session, refusals } = run(flv, sink);
    expect(refusals).toEqual([]);
    expect(session.outcome).toBe("served");
    expect(seen[0]).toMatchObject({ video: "h264", audio: "aac", width: 320, height: 180 });
    // Remuxed from MPEG-TS, the AAC header follows the first AAC frame (ffmpeg's ADTS -> ASC filter makes
    // it): the sample rate comes with a second call.
    const codecs = seen.filter((item): item is ChannelCodecs => typeof item === "object" && "video" in item);
    expect(codecs.at(-1)).toMatchObject({ video: "h264", audio: "aac", sampleRate: 48000, channels: 2 });
    const tags = seen.filter((item): item is FlvTag => typeof item === "object" && "data" in item);
    expect(tags[0]?.type).toBe(SCRIPT);
    expect(isSequenceHeader(tags[1] as FlvTag)).toBe(true);
    expect(tags.length).toBeGreaterThan(90 + 130); // 3 s: 90 video frames, ~140 AAC frames
    expect(seen.at(-1)).toBe("end disconnected");
  });

  it("turns the caller away when the channel is live already, or when the bytes are not FLV", () => {
    const taken = run(flv, null);
    expect(taken.session.outcome).toBe("refused");
    expect(taken.refusals).toEqual(["the channel is live already"]);
    const garbage = run(ts, null);
    expect(garbage.session.outcome).toBe("refused");
    expect(garbage.refusals).toEqual(["not an FLV stream"]);
  });
});
