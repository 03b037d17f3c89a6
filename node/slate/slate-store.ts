// The slates of a node's channels, under <dataDir>/slates/<channelId>/: the picture a user set
// (PUT /api/v1/channels/:id/slate) and the clips made from it, one per codec signature, so a
// clip is encoded once and reused by every restream and every hold of the channel. Setting a
// picture drops the channel's clips; they are made again on the next hold.
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { isNoSpace, StorageFullError, StreamwellError } from "../defs/errors.js";
import type { FlvTag } from "../defs/flv-tag.js";
import type { TsUnit } from "../defs/ts-unit.js";
import { isKeyframe, isSequenceHeader, SCRIPT, VIDEO } from "../media/flv.js";
import { FlvSplitter } from "../media/flv-splitter.js";
import { TsSplitter } from "../media/ts-splitter.js";
import { slateClipArgs } from "./clip-args.js";
import { type SlateSignature, signatureKey } from "./signature.js";

const run = promisify(execFile);
/** A clip takes a few CPU seconds; on a loaded machine give it far more. */
const MAKE_TIMEOUT_MS = 120_000;
const PICTURE = "picture";

export class SlateError extends StreamwellError {}

/** A slate clip as the hold plays it: its init units (sequence headers; PAT, PMT), then media from a keyframe on. */
export interface SlateClip<U> {
  readonly init: readonly U[];
  readonly media: readonly U[];
  /** The loop's period: the clip's media starts again this many ms after its first unit. */
  readonly periodMs: number;
}

/** How a clip of one container is stored and read: FLV for FLV hubs, MPEG-TS for SRT ones (and HEVC). */
export interface ClipFormat<U> {
  readonly extension: "flv" | "ts";
  parse(bytes: Buffer, fps: number): SlateClip<U>;
}

export const FLV_CLIP: ClipFormat<FlvTag> = { extension: "flv", parse: clipOf };
export const TS_CLIP: ClipFormat<TsUnit> = { extension: "ts", parse: tsClipOf };

export class SlateStore {
  /** By channel, signature and container: a SlateClip of that container's units. */
  private readonly clips = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    /** The channel's name, for the default card. */
    private readonly nameOf: (channelId: string) => Promise<string>,
  ) {}

  /** Stores a checked picture (slate-picture.ts) and drops the channel's clips. */
  async setPicture(channelId: string, image: Buffer): Promise<void> {
    const dir = this.channelDir(channelId);
    await this.dropClips(channelId);
    const temp = join(dir, `${PICTURE}.tmp`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(temp, image);
    } catch (error) {
      // A full disk keeps the picture set before (the rename never ran) and no partial file.
      await rm(temp, { force: true });
      throw isNoSpace(error) ? new StorageFullError("slate picture", { cause: error }) : error;
    }
    await rename(temp, join(dir, PICTURE));
  }

  async hasPicture(channelId: string): Promise<boolean> {
    return stat(join(this.channelDir(channelId), PICTURE)).then(
      () => true,
      () => false,
    );
  }

  /** The channel's slate for `signature` in `format`: from memory, from disk, or made now by ffmpeg. */
  clip<U>(channelId: string, signature: SlateSignature, format: ClipFormat<U>): Promise<SlateClip<U>> {
    const key = `${channelId}/${signatureKey(signature)}.${format.extension}`;
    let clip = this.clips.get(key) as Promise<SlateClip<U>> | undefined;
    if (!clip) {
      clip = this.load(channelId, signature, format);
      this.clips.set(key, clip);
      clip.catch(() => this.clips.delete(key));
    }
    return clip;
  }

  /** Forgets the channel's clips (a new picture, a renamed or deleted channel). */
  async dropClips(channelId: string): Promise<void> {
    for (const key of [...this.clips.keys()]) if (key.startsWith(`${channelId}/`)) this.clips.delete(key);
    const dir = this.channelDir(channelId);
    const files = await readdir(dir).catch(() => [] as string[]);
    const clips = files.filter((f) => f.endsWith(".flv") || f.endsWith(".ts"));
    await Promise.all(clips.map((f) => rm(join(dir, f), { force: true })));
  }

  private async load<U>(
    channelId: string,
    signature: SlateSignature,
    format: ClipFormat<U>,
  ): Promise<SlateClip<U>> {
    const dir = this.channelDir(channelId);
    const file = join(dir, `${signatureKey(signature)}.${format.extension}`);
    const cached = await readFile(file).catch(() => null);
    if (cached) return format.parse(cached, signature.fps);
    await mkdir(dir, { recursive: true });
    const titleFile = join(dir, "title.txt");
    await writeFile(titleFile, await this.nameOf(channelId));
    const picture = (await this.hasPicture(channelId)) ? join(dir, PICTURE) : null;
    const partial = `${file}.part`;
    try {
      const output = { file: partial, muxer: format.extension === "ts" ? "mpegts" : "flv" } as const;
      await run("ffmpeg", slateClipArgs(signature, { picture, titleFile }, output), {
        timeout: MAKE_TIMEOUT_MS,
      });
    } catch (error) {
      await rm(partial, { force: true });
      const stderr = (error as { stderr?: string }).stderr?.trim().split("\n").slice(-2).join("; ");
      throw new SlateError(`slate: ffmpeg could not make the clip (${stderr || String(error)})`);
    }
    await rename(partial, file);
    return format.parse(await readFile(file), signature.fps);
  }

  private channelDir(channelId: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(channelId)) throw new SlateError(`slate: not a channel id: ${channelId}`);
    return join(this.dir, channelId);
  }
}

/** The clip's tags: sequence headers apart, script tags left out, media from the first keyframe. */
export function clipOf(bytes: Buffer, fps: number): SlateClip<FlvTag> {
  const tags = new FlvSplitter().push(bytes).filter((tag) => tag.type !== SCRIPT);
  const init = tags.filter(isSequenceHeader);
  const frames = tags.filter((tag) => !isSequenceHeader(tag));
  // Audio muxed in front of the first keyframe is left out: the hold cuts in on that keyframe.
  const media = frames.slice(Math.max(0, frames.findIndex(isKeyframe)));
  const video = media.filter((tag) => tag.type === VIDEO);
  const last = video[video.length - 1];
  const first = media[0];
  if (!last || !first) throw new SlateError("slate: the clip has no video");
  return { init, media, periodMs: last.timestamp - first.timestamp + Math.round(1000 / fps) };
}

/** The clip's MPEG-TS units: its PAT and PMT apart, media from the first keyframe. */
export function tsClipOf(bytes: Buffer, fps: number): SlateClip<TsUnit> {
  const splitter = new TsSplitter();
  const units = [...splitter.push(bytes), ...splitter.end()];
  const init = (["pat", "pmt"] as const).flatMap((kind) => units.find((unit) => unit.kind === kind) ?? []);
  const frames = units.filter((unit) => unit.kind === "media");
  const media = frames.slice(
    Math.max(
      0,
      frames.findIndex((unit) => unit.kind === "media" && unit.keyframe),
    ),
  );
  const video = media.filter((unit) => unit.kind === "media" && unit.videoFrame);
  const last = video[video.length - 1];
  const first = media[0];
  if (!last || !first || init.length < 2) throw new SlateError("slate: the clip has no video");
  return { init, media, periodMs: last.timestamp - first.timestamp + Math.round(1000 / fps) };
}
