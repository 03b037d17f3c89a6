// Building blocks of the request schemas. Every object is strict: an unknown field is a 422.
import { z } from "zod";
import { USERNAME_PATTERN } from "../../node/catalog/users.js";
import { parseDestinationUrl } from "../../node/urls/destination-url.js";

/** Resource ids go into store keys: only the characters we generate. */
export const id = z.string().regex(/^[a-z]{2}_[A-Za-z0-9_-]{1,40}$/, "not a valid id");

const NO_CONTROL = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

export const name = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .regex(NO_CONTROL, "must not contain control characters");

export const username = z.string().regex(USERNAME_PATTERN, "must be 1-64 letters, digits, '_' or '-'");

export const password = z
  .string()
  .min(8, "must be at least 8 characters")
  .max(256, "must be at most 256 characters");

/** A destination's stream key: printable ASCII, no spaces (it ends up in an RTMP path). */
export const destinationStreamKey = z
  .string()
  .min(1, "must not be empty")
  .max(1024, "must be at most 1024 characters")
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/** A destination URL, checked by the same parser the media plane uses. */
export function destinationUrl(allowed: readonly ("rtmp" | "rtmps" | "srt")[]) {
  return z.string().superRefine((value, ctx) => {
    try {
      const { kind } = parseDestinationUrl(value);
      if (!allowed.includes(kind))
        ctx.addIssue({ code: "custom", message: `must be a ${allowed.join(" or ")} URL` });
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });
}

export const byId = z.strictObject({ id });
export const empty = z.strictObject({});
