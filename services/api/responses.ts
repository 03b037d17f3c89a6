// What each REST action answers: its status and the response schema (services/schemas/views.ts).
// The OpenAPI document takes its responses from here; a routed action missing here is a bug the
// document refuses to build with (test/unit/openapi-document.test.ts).
import type { z } from "zod";
import * as views from "../schemas/views.js";

export interface ActionResponse {
  readonly status: 200 | 201 | 204;
  /** Absent for 204 No Content. */
  readonly schema?: z.ZodType;
}

const ok = (schema: z.ZodType): ActionResponse => ({ status: 200, schema });
const created = (schema: z.ZodType): ActionResponse => ({ status: 201, schema });
const noContent: ActionResponse = { status: 204 };

export const RESPONSES: Readonly<Record<string, ActionResponse>> = {
  "streamwell.users.login": ok(views.login),
  "streamwell.users.logout": noContent,
  "streamwell.users.me": ok(views.me),
  "streamwell.tokens.list": ok(views.listOf(views.apiToken)),
  "streamwell.tokens.create": created(views.newApiToken),
  "streamwell.tokens.remove": noContent,
  "streamwell.users.list": ok(views.listOf(views.userWithQuotas)),
  "streamwell.users.create": created(views.userWithQuotas),
  "streamwell.users.get": ok(views.userWithQuotas),
  "streamwell.users.update": ok(views.userWithQuotas),
  "streamwell.users.remove": noContent,
  "streamwell.features.get": ok(views.features),
  "streamwell.features.update": ok(views.features),
  "streamwell.destinations.list": ok(views.listOf(views.destination)),
  "streamwell.destinations.create": created(views.destination),
  "streamwell.destinations.get": ok(views.destination),
  "streamwell.destinations.update": ok(views.destination),
  "streamwell.destinations.remove": noContent,
  "streamwell.destinations.presets": ok(views.listOf(views.preset)),
  "streamwell.channels.list": ok(views.listOf(views.channel)),
  "streamwell.channels.create": created(views.channelWithSecrets),
  "streamwell.channels.get": ok(views.channelWithSecrets),
  "streamwell.channels.update": ok(views.channel),
  "streamwell.channels.remove": noContent,
  "streamwell.channels.resetStreamKey": ok(views.channelWithSecrets),
  "streamwell.channels.setSlate": noContent,
  "streamwell.restreams.listByChannel": ok(views.listOf(views.restream)),
  "streamwell.restreams.create": created(views.restream),
  "streamwell.restreams.startAll": ok(views.bulkAnswer),
  "streamwell.restreams.stopAll": ok(views.bulkAnswer),
  "streamwell.restreams.get": ok(views.restream),
  "streamwell.restreams.update": ok(views.restream),
  "streamwell.restreams.remove": noContent,
  "streamwell.restreams.start": ok(views.restream),
  "streamwell.restreams.stop": ok(views.restream),
  "streamwell.restreams.logs": ok(views.logs),
  "streamwell.restreams.history": ok(views.listOf(views.historyItem)),
  "streamwell.node.list": ok(views.listOf(views.nodeItem)),
  "streamwell.node.drain": ok(views.nodeDrain),
  "streamwell.node.undrain": ok(views.nodeDrain),
  "streamwell.webhooks.list": ok(views.listOf(views.webhook)),
  "streamwell.webhooks.create": created(views.webhook),
  "streamwell.webhooks.update": ok(views.webhook),
  "streamwell.webhooks.remove": noContent,
  "streamwell.webhooks.deliveries": ok(views.listOf(views.webhookDelivery)),
  "streamwell.webhooks.test": ok(views.webhookTest),
};
