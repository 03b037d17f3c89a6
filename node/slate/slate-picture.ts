// What PUT /api/v1/channels/:id/slate accepts as a slate picture: a PNG or a JPEG of at most 2 MiB,
// known by its magic bytes and then decoded by ffprobe (a file that only starts like an image is
// refused too). Anything else is a ValidationFailedError (422) and nothing is stored.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ValidationFailedError } from "../defs/errors.js";

const run = promisify(execFile);

export const SLATE_PICTURE_MAX_BYTES = 2 * 1024 * 1024;
/** Larger pictures are refused: the clip is at most the live stream's size (4320 lines). */
const MAX_SIDE = 8192;
const PROBE_TIMEOUT_MS = 30_000;

const MAGIC: readonly { type: "png" | "jpeg"; codec: string; bytes: readonly number[] }[] = [
  { type: "png", codec: "png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "jpeg", codec: "mjpeg", bytes: [0xff, 0xd8, 0xff] },
];

const refused = (problem: string) =>
  new ValidationFailedError(`not a slate picture: ${problem}`, { body: problem });

/** The picture's type once it is known to be a whole PNG or JPEG; throws ValidationFailedError. */
export async function checkSlatePicture(image: Buffer): Promise<"png" | "jpeg"> {
  if (image.length === 0) throw refused("the body is empty");
  if (image.length > SLATE_PICTURE_MAX_BYTES) throw refused("it is larger than 2 MiB");
  const kind = MAGIC.find(({ bytes }) => bytes.every((byte, i) => image[i] === byte));
  if (!kind) throw refused("it is neither a PNG nor a JPEG");
  const dir = await mkdtemp(join(tmpdir(), "streamwell-slate-"));
  try {
    const file = join(dir, `picture.${kind.type}`);
    await writeFile(file, image);
    const probe = await decode(file);
    if (probe === null || probe.codec !== kind.codec) throw refused(`it does not decode as a ${kind.type}`);
    if (probe.width > MAX_SIDE || probe.height > MAX_SIDE)
      throw refused(`it is larger than ${MAX_SIDE}x${MAX_SIDE} pixels`);
    return kind.type;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** ffprobe decodes the picture's frames: null on any decoding error. */
async function decode(file: string): Promise<{ codec: string; width: number; height: number } | null> {
  const args = ["-v", "error", "-select_streams", "v:0", "-count_frames"];
  const show = ["-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", file];
  try {
    const { stdout, stderr } = await run("ffprobe", [...args, ...show], { timeout: PROBE_TIMEOUT_MS });
    if (stderr.trim() !== "") return null;
    const stream = (JSON.parse(stdout) as { streams?: Record<string, unknown>[] }).streams?.[0];
    if (!stream || Number(stream.nb_read_frames) < 1) return null;
    return { codec: String(stream.codec_name), width: Number(stream.width), height: Number(stream.height) };
  } catch {
    return null;
  }
}
