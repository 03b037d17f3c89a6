// The REST API's resources as the UI reads and writes them: names over the types generated from
// the OpenAPI document (openapi.gen.ts, written by scripts/web-types.mjs; see docs/architecture.md),
// so the UI typechecks against what the services answer. Nothing here is written by hand.
import type { operations } from "./openapi.gen";

type Operation = keyof operations;
/** The JSON an operation answers with `status`. */
type Answer<O extends Operation, S extends 200 | 201 = 200> = operations[O]["responses"] extends {
  [status in S]: { content: { "application/json": infer T } };
}
  ? T
  : never;
/** The JSON body an operation takes. */
type Body<O extends Operation> =
  NonNullable<operations[O]["requestBody"]> extends {
    content: { "application/json": infer T };
  }
    ? T
    : never;
type Item<T> = T extends { items: (infer I)[] } ? I : never;

export type Me = Answer<"users_me">;
export type Role = Me["role"];

/** A user as admins see them (with the quotas that apply). */
export type User = Item<Answer<"users_list">>;
export type UserInput = Body<"users_create">;
export type UserChange = Omit<Body<"users_update">, "id">;

/** An API token as lists show it: never the token itself. */
export type ApiToken = Item<Answer<"tokens_list">>;
/** The create answer: the only time the token is shown. */
export type NewApiToken = Answer<"tokens_create", 201>;

export type Features = Answer<"features_get">;

export type Destination = Answer<"destinations_get">;
export type DestinationKind = Destination["kind"];
export type DestinationInput = Body<"destinations_create">;
export type Preset = Item<Answer<"destinations_presets">>;

export type Channel = Item<Answer<"channels_list">>;
/** The single-channel GET (owner or admin): with the key and the ingest URLs that carry it. */
export type ChannelWithSecrets = Answer<"channels_get">;

export type Restream = Answer<"restreams_get">;
export type RestreamState = Restream["state"];
export type RestreamKind = Restream["kind"];
export type Schedule = NonNullable<Restream["schedule"]>;
export type RestreamInput = Body<"restreams_create">;
/** PATCH /restreams/:id: only what changes; a running push restarts with it. */
export type RestreamChange = Body<"restreams_update">;
export type BulkAnswer = Answer<"restreams_startAll">;
export type HistoryItem = Item<Answer<"restreams_history">>;
export type LogLine = Answer<"restreams_logs">["lines"][number];
export type NodeInfo = Item<Answer<"node_list">>;

/** A webhook as lists show it: never its secret. */
export type Webhook = Item<Answer<"webhooks_list">>;
export type WebhookEvent = Webhook["events"][number];
export type WebhookInput = Body<"webhooks_create">;
export type WebhookChange = Omit<Body<"webhooks_update">, "id">;
export type WebhookDelivery = Item<Answer<"webhooks_deliveries">>;

/** A server-sent event's data: the resource as lists show it, or a deletion. */
export type Deleted = { readonly id: string; readonly deleted: true };
