// streamwell.destinations: saved RTMP/RTMPS/SRT targets. Admins write; users read names and
// redacted URLs to pick one for a restream.
import type { Catalog } from "../node/catalog/catalog.js";
import type { DestinationRecord } from "../node/catalog/records.js";
import { destinationView } from "../node/catalog/views.js";
import { ValidationFailedError } from "../node/defs/errors.js";
import { PRESETS, presetById, presetUrlProblem, presetView } from "../node/restreams/presets.js";
import { formatDestinationUrl, parseDestinationUrl } from "../node/urls/destination-url.js";
import { type ActionContext, action, callerOf, created, noContent } from "./action.js";
import { defineService } from "./define.js";
import * as schemas from "./schemas/resources.js";

/**
 * Only RTMPS has a certificate to skip checking; only RTMP and RTMPS have a native engine; a
 * preset's URL rules hold (Kick's /app/).
 */
function assertOptionsFit(
  destination: Pick<DestinationRecord, "url" | "insecureSkipVerify" | "engine" | "preset">,
): void {
  const target = parseDestinationUrl(destination.url);
  const { kind } = target;
  const preset = presetById(destination.preset);
  const problem = preset && presetUrlProblem(preset, target);
  if (problem) throw new ValidationFailedError(problem, { url: problem });
  if (destination.insecureSkipVerify && kind !== "rtmps") {
    throw new ValidationFailedError("insecureSkipVerify applies to rtmps only", {
      insecureSkipVerify: "applies to rtmps:// destinations only",
    });
  }
  if (destination.engine === "native" && kind === "srt") {
    throw new ValidationFailedError("the native engine pushes rtmp and rtmps only", {
      engine: 'SRT destinations are pushed by ffmpeg: use "ffmpeg" or null',
    });
  }
}

const canonical = (url: string) => formatDestinationUrl(parseDestinationUrl(url));

/** The URL given, or else the preset's; a destination needs one of them. */
function urlOf(input: { url?: string | undefined; preset: string | null }): string {
  if (input.url !== undefined) return canonical(input.url);
  const preset = presetById(input.preset);
  if (preset?.url) return canonical(preset.url);
  const problem = preset
    ? `${preset.name} gives each live event its own URL: copy it into url`
    : "give a url, or a preset that has one";
  throw new ValidationFailedError(problem, { url: problem });
}

export function destinationsService({ catalog }: { readonly catalog: Catalog }) {
  /** `usedBy` lists only the restreams the caller may see (an admin: all). */
  const view = async (ctx: ActionContext<unknown>, destination: DestinationRecord) =>
    destinationView(destination, await catalog.usedBy(destination.id, callerOf(ctx)));

  return defineService("streamwell.destinations", {
    list: action({
      access: "user",
      input: schemas.destinations.list,
      summary: "List destinations (URL secrets redacted)",
      async handler(ctx) {
        const destinations = await catalog.destinations.list();
        return { items: await Promise.all(destinations.map((destination) => view(ctx, destination))) };
      },
    }),
    create: action({
      access: "admin",
      input: schemas.destinations.create,
      summary: "Save a destination: an RTMP/RTMPS server URL without the key, or an SRT listener URL",
      async handler(ctx) {
        const input = { ...ctx.params, url: urlOf(ctx.params) };
        assertOptionsFit(input);
        const destination = await catalog.destinations.create(input);
        return created(ctx, `/destinations/${destination.id}`, await view(ctx, destination));
      },
    }),
    get: action({
      access: "user",
      input: schemas.destinations.get,
      summary: "Get a destination",
      async handler(ctx) {
        return view(ctx, await catalog.destinations.get(ctx.params.id));
      },
    }),
    update: action({
      access: "admin",
      input: schemas.destinations.update,
      summary: "Change a destination; running restreams to it pick up the change",
      async handler(ctx) {
        const { id, url, ...rest } = ctx.params;
        const change = url === undefined ? rest : { ...rest, url: canonical(url) };
        assertOptionsFit({ ...(await catalog.destinations.get(id)), ...change });
        return view(ctx, await catalog.destinations.update(id, change));
      },
    }),
    presets: action({
      access: "user",
      input: schemas.destinations.presets,
      summary:
        "The platforms a destination can be made from, with the rules their restreams are checked against",
      handler: async () => ({ items: PRESETS.map(presetView) }),
    }),
    remove: action({
      access: "admin",
      input: schemas.destinations.remove,
      summary: "Delete a destination that no restream uses (409 otherwise)",
      async handler(ctx) {
        await catalog.deleteDestination(ctx.params.id);
        return noContent(ctx);
      },
    }),
  });
}
