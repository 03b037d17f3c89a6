// Slate pictures for tests: a solid-colour PNG made by ffmpeg's lavfi colour source, once per
// colour and size.
import { execFileSync } from "node:child_process";

const made = new Map<string, Buffer>();

export function pngPicture(colour: string, size = "64x36"): Buffer {
  const key = `${colour}@${size}`;
  let picture = made.get(key);
  if (!picture) {
    picture = execFileSync(
      "ffmpeg",
      [
        ...["-v", "error", "-f", "lavfi", "-i", `color=c=${colour}:s=${size}`, "-frames:v", "1"],
        ...["-c:v", "png", "-f", "image2pipe", "-"],
      ],
      { timeout: 30_000 },
    );
    made.set(key, picture);
  }
  return picture;
}
