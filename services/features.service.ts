// streamwell.features: the server's restreaming and SRT switches.
import type { Catalog } from "../node/catalog/catalog.js";
import type { HistoryRecorder } from "../node/history/history-recorder.js";
import { action } from "./action.js";
import { defineService } from "./define.js";
import { EVENTS } from "./events.js";
import * as schemas from "./schemas/resources.js";

export interface FeaturesDeps {
  readonly catalog: Catalog;
  /** Records the restreams a switch stops. */
  readonly history: Pick<HistoryRecorder, "record">;
}

export function featuresService({ catalog, history }: FeaturesDeps) {
  return defineService("streamwell.features", {
    get: action({
      access: "user",
      input: schemas.features.get,
      summary: "The feature switches",
      async handler() {
        return catalog.features.get();
      },
    }),
    update: action({
      access: "admin",
      input: schemas.features.update,
      summary: "Turn features on or off; turning one off stops the restreams that need it",
      async handler(ctx) {
        // Event listeners (the UI) see each restream the switch stopped, like any other stop.
        return catalog.setFeatures(ctx.params, (restream) => {
          void ctx.broadcast(EVENTS.restreamChanged, { id: restream.id, channelId: restream.channelId });
          history.record(restream.id, "stopped");
        });
      },
    }),
  });
}
