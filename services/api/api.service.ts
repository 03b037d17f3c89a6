// streamwell.api: the HTTP gateway (moleculer-web). REST under /api/v1 from the route table,
// /healthz, /readyz, /metrics, the OpenAPI document and the admin UI (web-app.ts). It only moves requests to actions: the caller's
// token (bearer header or session cookie) goes to ctx.meta.token and the actions decide.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Context, Service, ServiceBroker, ServiceSchema } from "moleculer";
import ApiGateway from "moleculer-web";
import type { Caller } from "../../node/auth/policy.js";
import type { Config } from "../../node/config/schema.js";
import type { Logger } from "../../node/kit/log.js";
import type { DeclaredAction, Meta } from "../action.js";
import {
  type CredentialsRevoked,
  EVENTS,
  type IngestLive,
  type IngestOffline,
  type ResourceChanged,
  type RestreamReportEvent,
} from "../events.js";
import { meshCall, NODE_CALLS } from "../mesh-calls.js";
import { tokenFromCookie } from "../session-cookie.js";
import { BODY_LIMIT_BYTES, sendError } from "./errors.js";
import { EventStream, type ResourceKind } from "./event-stream.js";
import { clientAddress, isBehindTls, metricsAuthorized, withSecureFlag } from "./http-edge.js";
import { openApiDocument } from "./openapi.js";
import { pictureAliases } from "./picture-upload.js";
import { guardRequest } from "./request-guard.js";
import { API_ROUTES } from "./routes.js";
import { webApp } from "./web-app.js";

function tokenOf(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  return bearer ?? tokenFromCookie(req.headers.cookie);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

type HttpHandler = (this: Service, req: IncomingMessage, res: ServerResponse) => unknown;
/** moleculer-web's own request handler, which the guard wraps. */
const routeRequest = (ApiGateway.methods as { httpHandler: HttpHandler }).httpHandler;

/** The settings the gateway reads: where it listens, what it trusts, its limits. */
export type ApiConfig = Pick<
  Config,
  | "httpPort"
  | "bindHost"
  | "trustProxy"
  | "secureCookies"
  | "metricsToken"
  | "sseMaxPerUser"
  | "sseMaxPerNode"
>;

export function apiService(
  { config, log }: { readonly config: ApiConfig; readonly log: Logger },
  version: string,
): ServiceSchema {
  let openApi: unknown;
  let events: EventStream;
  let broker: ServiceBroker;
  const serveWebApp = webApp();

  function changed(kind: ResourceKind, { id, deleted }: ResourceChanged): void {
    if (deleted) events.deleted(kind, id, deleted.ownerId);
    else void events.publish(kind, id);
  }

  function localAction(this: Service, name: string): DeclaredAction | undefined {
    const dot = name.lastIndexOf(".");
    const service = this.broker.getLocalService(name.slice(0, dot));
    return service?.schema.actions?.[name.slice(dot + 1)] as DeclaredAction | undefined;
  }

  return {
    name: "streamwell.api",
    mixins: [ApiGateway],
    settings: {
      port: config.httpPort,
      ip: config.bindHost,
      log4XXResponses: false,
      logRequest: "debug",
      logResponse: "debug",
      routes: [
        {
          path: "/api/v1",
          mappingPolicy: "restrict",
          autoAliases: false,
          bodyParsers: { json: { limit: BODY_LIMIT_BYTES, strict: true } },
          aliases: {
            ...Object.fromEntries(API_ROUTES.map((route) => [`${route.method} ${route.path}`, route.action])),
            ...pictureAliases(
              API_ROUTES,
              () => broker,
              (req) => ({ token: tokenOf(req), clientAddress: clientAddress(req, config.trustProxy) }),
            ),
            async "GET /events"(req: IncomingMessage, res: ServerResponse) {
              const opened = await events.connect(req, res, tokenOf(req));
              if (opened === "unauthenticated") {
                sendError(res, { code: 401, type: "unauthenticated", message: "log in first" });
              } else if (opened === "too_many") {
                sendError(res, {
                  code: 429,
                  type: "too_many_requests",
                  message: "too many open event streams",
                });
              }
            },
            "GET /openapi.json"(this: Service, _req: IncomingMessage, res: ServerResponse) {
              openApi ??= openApiDocument(API_ROUTES, localAction.bind(this), version);
              sendJson(res, 200, openApi);
            },
          },
          onBeforeCall(ctx: Context<unknown, Meta>, _route: unknown, req: IncomingMessage) {
            ctx.meta.token = tokenOf(req);
            ctx.meta.clientAddress = clientAddress(req, config.trustProxy);
          },
          onAfterCall(
            ctx: Context<unknown, Meta>,
            _route: unknown,
            req: IncomingMessage,
            _res: unknown,
            data: unknown,
          ) {
            const headers = ctx.meta.$responseHeaders;
            const cookie = headers?.["Set-Cookie"];
            if (headers && cookie && (config.secureCookies || isBehindTls(req))) {
              headers["Set-Cookie"] = withSecureFlag(cookie);
            }
            return data;
          },
          onError(_req: IncomingMessage, res: ServerResponse, error: Error) {
            sendError(res, error);
          },
        },
        {
          path: "/",
          mappingPolicy: "restrict",
          autoAliases: false,
          bodyParsers: false,
          aliases: {
            "GET /healthz"(_req: IncomingMessage, res: ServerResponse) {
              sendJson(res, 200, { status: "ok" });
            },
            "GET /readyz": "streamwell.node.ready",
            // Labels hold ids, names and states, never a secret; a scrape token keeps the rest (names,
            // how busy each node is) from anyone who can reach the port, when one is configured.
            async "GET /metrics"(this: Service, req: IncomingMessage, res: ServerResponse) {
              if (!metricsAuthorized(req, config.metricsToken)) {
                sendError(res, {
                  code: 401,
                  type: "unauthenticated",
                  message: "the metrics scrape token is required",
                });
                return;
              }
              try {
                const { broker } = this;
                const { contentType, text } = await meshCall(broker, NODE_CALLS.metrics, {}, broker.nodeID);
                res.statusCode = 200;
                res.setHeader("Content-Type", contentType);
                res.end(text);
              } catch (error) {
                log.warn({ err: error }, "metrics scrape failed");
                sendError(res, { code: 503, type: "unavailable", message: "metrics are unavailable" });
              }
            },
            // The UI, for every other GET and HEAD. moleculer-web tries aliases with more path segments first
            // and, among equals, those with fewer parameters, so every API alias comes before this
            // one; web-app.ts answers 404 for /api, /metrics and the probes all the same.
            "GET /:path*": serveWebApp,
            "HEAD /:path*": serveWebApp,
          },
          onError(_req: IncomingMessage, res: ServerResponse, error: Error) {
            sendError(res, error);
          },
        },
      ],
      onError(_req: IncomingMessage, res: ServerResponse, error: Error) {
        sendError(res, error);
      },
    },
    methods: {
      /** Every request passes the write guard before moleculer-web routes it or reads its body. */
      httpHandler(this: Service, req: IncomingMessage, res: ServerResponse) {
        const refusal = guardRequest(req);
        if (refusal) {
          res.setHeader("Connection", "close"); // the unread body must not be taken for the next request
          sendError(res, refusal);
          return;
        }
        return routeRequest.call(this, req, res);
      },
    },
    events: {
      [EVENTS.restreamChanged](ctx: Context<ResourceChanged>) {
        changed("restream", ctx.params);
      },
      [EVENTS.restreamReport](ctx: Context<RestreamReportEvent>) {
        void events.publish("restream", ctx.params.restreamId);
      },
      [EVENTS.credentialsRevoked](ctx: Context<CredentialsRevoked>) {
        events.revoked(ctx.params.tokenHashes);
      },
      [EVENTS.channelChanged](ctx: Context<ResourceChanged>) {
        changed("channel", ctx.params);
      },
      [EVENTS.ingestLive](ctx: Context<IngestLive>) {
        void events.publish("channel", ctx.params.channelId);
      },
      [EVENTS.ingestOffline](ctx: Context<IngestOffline>) {
        void events.publish("channel", ctx.params.channelId);
      },
    },
    created(this: Service) {
      broker = this.broker;
      events = new EventStream(
        broker,
        { perUser: config.sseMaxPerUser, perNode: config.sseMaxPerNode },
        {
          viewer: (token) => broker.call<Caller, object>("streamwell.users.me", {}, { meta: { token } }),
        },
      );
    },
    stopped() {
      events.close();
    },
    async started(this: Service) {
      const { port } = (this as unknown as { server: { address(): AddressInfo } }).server.address();
      log.info({ event: "listening", protocol: "http", port }, "HTTP API listening");
    },
  };
}
