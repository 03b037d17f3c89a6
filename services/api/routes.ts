// The REST API: every path under /api/v1 and the action that serves it. The gateway's aliases
// and the OpenAPI document are both generated from this table.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RestRoute {
  readonly method: HttpMethod;
  /** Relative to /api/v1, with :params. */
  readonly path: string;
  readonly action: string;
  readonly tag: string;
  /** The request body is a picture (PNG or JPEG), not JSON. */
  readonly image?: true;
}

const route = (tag: string) => (method: HttpMethod, path: string, action: string) => ({
  method,
  path,
  action,
  tag,
});

const auth = route("auth");
const users = route("users");
const tokens = route("tokens");
const features = route("features");
const destinations = route("destinations");
const channels = route("channels");
const restreams = route("restreams");
const nodes = route("nodes");
const webhooks = route("webhooks");

export const API_ROUTES: readonly RestRoute[] = [
  auth("POST", "/auth/login", "streamwell.users.login"),
  auth("POST", "/auth/logout", "streamwell.users.logout"),
  auth("GET", "/auth/me", "streamwell.users.me"),
  tokens("GET", "/tokens", "streamwell.tokens.list"),
  tokens("POST", "/tokens", "streamwell.tokens.create"),
  tokens("DELETE", "/tokens/:id", "streamwell.tokens.remove"),
  users("GET", "/users", "streamwell.users.list"),
  users("POST", "/users", "streamwell.users.create"),
  users("GET", "/users/:id", "streamwell.users.get"),
  users("PATCH", "/users/:id", "streamwell.users.update"),
  users("DELETE", "/users/:id", "streamwell.users.remove"),
  features("GET", "/features", "streamwell.features.get"),
  features("PUT", "/features", "streamwell.features.update"),
  destinations("GET", "/destinations", "streamwell.destinations.list"),
  destinations("POST", "/destinations", "streamwell.destinations.create"),
  destinations("GET", "/destinations/:id", "streamwell.destinations.get"),
  destinations("PATCH", "/destinations/:id", "streamwell.destinations.update"),
  destinations("DELETE", "/destinations/:id", "streamwell.destinations.remove"),
  destinations("GET", "/presets", "streamwell.destinations.presets"),
  channels("GET", "/channels", "streamwell.channels.list"),
  channels("POST", "/channels", "streamwell.channels.create"),
  channels("GET", "/channels/:id", "streamwell.channels.get"),
  channels("PATCH", "/channels/:id", "streamwell.channels.update"),
  channels("DELETE", "/channels/:id", "streamwell.channels.remove"),
  channels("POST", "/channels/:id/stream-key", "streamwell.channels.resetStreamKey"),
  { ...channels("PUT", "/channels/:id/slate", "streamwell.channels.setSlate"), image: true },
  restreams("GET", "/channels/:channelId/restreams", "streamwell.restreams.listByChannel"),
  restreams("POST", "/channels/:channelId/restreams", "streamwell.restreams.create"),
  restreams("POST", "/channels/:channelId/restreams/start", "streamwell.restreams.startAll"),
  restreams("POST", "/channels/:channelId/restreams/stop", "streamwell.restreams.stopAll"),
  restreams("GET", "/restreams/:id", "streamwell.restreams.get"),
  restreams("PATCH", "/restreams/:id", "streamwell.restreams.update"),
  restreams("DELETE", "/restreams/:id", "streamwell.restreams.remove"),
  restreams("POST", "/restreams/:id/start", "streamwell.restreams.start"),
  restreams("POST", "/restreams/:id/stop", "streamwell.restreams.stop"),
  restreams("GET", "/restreams/:id/logs", "streamwell.restreams.logs"),
  restreams("GET", "/restreams/:id/history", "streamwell.restreams.history"),
  nodes("GET", "/nodes", "streamwell.node.list"),
  nodes("POST", "/nodes/:id/drain", "streamwell.node.drain"),
  nodes("POST", "/nodes/:id/undrain", "streamwell.node.undrain"),
  webhooks("GET", "/webhooks", "streamwell.webhooks.list"),
  webhooks("POST", "/webhooks", "streamwell.webhooks.create"),
  webhooks("PATCH", "/webhooks/:id", "streamwell.webhooks.update"),
  webhooks("DELETE", "/webhooks/:id", "streamwell.webhooks.remove"),
  webhooks("GET", "/webhooks/:id/deliveries", "streamwell.webhooks.deliveries"),
  webhooks("POST", "/webhooks/:id/test", "streamwell.webhooks.test"),
];
