// The one typed client of the REST API. Requests ride on the HttpOnly session cookie that login
// sets (the UI never holds the token), so EventSource is authenticated the same way.
import type {
  ApiToken,
  BulkAnswer,
  Channel,
  ChannelWithSecrets,
  Destination,
  DestinationInput,
  Features,
  HistoryItem,
  LogLine,
  Me,
  NewApiToken,
  NodeInfo,
  Preset,
  Restream,
  RestreamChange,
  RestreamInput,
  User,
  UserChange,
  UserInput,
  Webhook,
  WebhookChange,
  WebhookDelivery,
  WebhookInput,
} from "./types";

const BASE = "/api/v1";

/** An error answer: {error:{code, message, fields?}}; `fields` names what to fix, field by field. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called when any request answers 401 (the session ended): the app shows the login page. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/** A body as it is sent: JSON, or a file (a slate picture) with its own type. */
function encoded(body: unknown): { headers: Record<string, string>; body?: BodyInit } {
  if (body === undefined) return { headers: {} };
  if (body instanceof Blob) return { headers: { "content-type": body.type }, body };
  return { headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, { method, credentials: "same-origin", ...encoded(body) });
  } catch {
    throw new ApiError(0, "network", "The server cannot be reached. Check that it is running.");
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string; fields?: Record<string, string> } }
    | undefined;
  if (!response.ok) {
    const error = payload?.error;
    if (response.status === 401 && path !== "/auth/login")
      for (const listener of unauthenticatedListeners) listener();
    throw new ApiError(
      response.status,
      error?.code ?? "unknown",
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.fields,
    );
  }
  return payload as T;
}

const items = <T>(path: string) => request<{ items: T[] }>("GET", path).then((list) => list.items);

export const api = {
  auth: {
    login: (username: string, password: string) =>
      request<{ user: Me }>("POST", "/auth/login", { username, password }).then((answer) => answer.user),
    logout: () => request<void>("POST", "/auth/logout"),
    me: () => request<Me>("GET", "/auth/me"),
  },
  users: {
    /** Your own password: the current one is checked first. */
    changePassword: (id: string, currentPassword: string, password: string) =>
      request<Me>("PATCH", `/users/${id}`, { currentPassword, password }),
    list: () => items<User>("/users"),
    create: (input: UserInput) => request<User>("POST", "/users", input),
    /** Admins: a role or another user's password (which ends that user's sessions). */
    update: (id: string, change: UserChange) => request<User>("PATCH", `/users/${id}`, change),
    remove: (id: string) => request<void>("DELETE", `/users/${id}`),
  },
  tokens: {
    list: () => items<ApiToken>("/tokens"),
    create: (input: { name: string; expiresInDays?: number }) =>
      request<NewApiToken>("POST", "/tokens", input),
    remove: (id: string) => request<void>("DELETE", `/tokens/${id}`),
  },
  features: {
    get: () => request<Features>("GET", "/features"),
    update: (change: Partial<Features>) => request<Features>("PUT", "/features", change),
  },
  destinations: {
    list: () => items<Destination>("/destinations"),
    create: (input: DestinationInput) => request<Destination>("POST", "/destinations", input),
    update: (id: string, change: Partial<DestinationInput>) =>
      request<Destination>("PATCH", `/destinations/${id}`, change),
    remove: (id: string) => request<void>("DELETE", `/destinations/${id}`),
    presets: () => items<Preset>("/presets"),
  },
  channels: {
    list: () => items<Channel>("/channels"),
    get: (id: string) => request<ChannelWithSecrets>("GET", `/channels/${id}`),
    create: (name: string) => request<ChannelWithSecrets>("POST", "/channels", { name }),
    update: (id: string, change: { name?: string; srtIngest?: boolean; backup?: boolean }) =>
      request<Channel>("PATCH", `/channels/${id}`, change),
    remove: (id: string) => request<void>("DELETE", `/channels/${id}`),
    resetStreamKey: (id: string) => request<ChannelWithSecrets>("POST", `/channels/${id}/stream-key`),
    /** A PNG or JPEG file, at most 2 MiB: the picture restreams hold their destinations with. */
    setSlate: (id: string, picture: File) => request<void>("PUT", `/channels/${id}/slate`, picture),
  },
  restreams: {
    list: (channelId: string) => items<Restream>(`/channels/${channelId}/restreams`),
    /** The answer carries a Remote Playback's URL with its passphrase. */
    create: (channelId: string, input: RestreamInput) =>
      request<Restream>("POST", `/channels/${channelId}/restreams`, input),
    /** With a Remote Playback's passphrase. */
    get: (id: string) => request<Restream>("GET", `/restreams/${id}`),
    update: (id: string, change: RestreamChange) => request<Restream>("PATCH", `/restreams/${id}`, change),
    start: (id: string) => request<Restream>("POST", `/restreams/${id}/start`),
    stop: (id: string) => request<Restream>("POST", `/restreams/${id}/stop`),
    remove: (id: string) => request<void>("DELETE", `/restreams/${id}`),
    /** Starts or stops every restream of a channel; `skipped` names those a feature switch keeps off. */
    setAll: (channelId: string, action: "start" | "stop") =>
      request<BulkAnswer>("POST", `/channels/${channelId}/restreams/${action}`),
    history: (id: string) => items<HistoryItem>(`/restreams/${id}/history`),
    logs: (id: string) =>
      request<{ lines: LogLine[] }>("GET", `/restreams/${id}/logs`).then((answer) => answer.lines),
  },
  nodes: {
    list: () => items<NodeInfo>("/nodes"),
    /** Admins: the node takes no restream, and what runs there moves to other nodes. */
    drain: (id: string) => request<{ id: string; draining: boolean }>("POST", `/nodes/${id}/drain`),
    undrain: (id: string) => request<{ id: string; draining: boolean }>("POST", `/nodes/${id}/undrain`),
  },
  webhooks: {
    list: () => items<Webhook>("/webhooks"),
    create: (input: WebhookInput) => request<Webhook>("POST", "/webhooks", input),
    update: (id: string, change: WebhookChange) => request<Webhook>("PATCH", `/webhooks/${id}`, change),
    remove: (id: string) => request<void>("DELETE", `/webhooks/${id}`),
    deliveries: (id: string) => items<WebhookDelivery>(`/webhooks/${id}/deliveries`),
    /** Queues a signed "test" event; its attempts show in the delivery log. */
    test: (id: string) => request<{ queued: true }>("POST", `/webhooks/${id}/test`),
  },
};
