// What callers see of each record. Secrets (a channel's stream key and ingest URLs, a playback
// passphrase) appear only where `withSecrets` is asked for, which the services allow only on a
// single resource's own GET or create, to its owner or an admin. Destination stream keys, SRT Push
// passphrases and password hashes never appear at all.
import type { ChannelCodecs, IngestStats } from "../defs/codecs.js";
import type { IngestInput } from "../defs/ingest-input.js";
import { COPY_OUTPUT } from "../defs/output.js";
import { DEFAULT_MAX_CALLERS } from "../defs/relay.js";
import type { RestreamStatus } from "../defs/restream-status.js";
import type { RestreamWarning } from "../defs/warnings.js";
import { formatDestinationUrl, parseDestinationUrl } from "../urls/destination-url.js";
import {
  type ApiTokenRecord,
  type ChannelRecord,
  DEFAULT_SLATE_SECONDS,
  type DestinationRecord,
  type RestreamRecord,
  type SrtListenerHome,
  type UserRecord,
} from "./records.js";

/** How users reach this node: the host and ports shown in every URL we hand out. */
export interface PublicEndpoints {
  readonly host: string;
  readonly rtmpPort: number;
}

/** What the media plane knows of a live channel (absent while offline). */
export interface IngestReport {
  readonly node: string;
  readonly codecs: ChannelCodecs;
  readonly stats: IngestStats;
  /** The input on air (null: none yet, e.g. waiting for a keyframe). */
  readonly input: IngestInput | null;
}

/** An API token as lists show it: never the token itself (only its create answer has it). */
export function apiTokenView(record: ApiTokenRecord) {
  return { id: record.id, name: record.name, createdAt: record.createdAt, expiresAt: record.expiresAt };
}

export function userView(user: UserRecord) {
  return { id: user.id, username: user.username, role: user.role, createdAt: user.createdAt };
}

export function destinationView(destination: DestinationRecord, usedBy: string[]) {
  const target = parseDestinationUrl(destination.url);
  return {
    id: destination.id,
    name: destination.name,
    url: formatDestinationUrl(target, { redact: true }),
    kind: target.kind,
    insecureSkipVerify: destination.insecureSkipVerify,
    engine: destination.engine ?? null,
    preset: destination.preset ?? null,
    usedBy,
    createdAt: destination.createdAt,
  };
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function srtUrl(listener: SrtListenerHome, passphrase: string | null): string {
  return `srt://${hostForUrl(listener.host)}:${listener.port}?passphrase=${passphrase ?? "***"}`;
}

export function channelView(
  channel: ChannelRecord,
  options: { endpoints: PublicEndpoints; ingest: IngestReport | undefined; withSecrets: boolean },
) {
  const { endpoints, ingest } = options;
  const view = {
    id: channel.id,
    name: channel.name,
    ownerId: channel.ownerId,
    srtIngest: channel.srt !== null,
    backup: Boolean(channel.backupStreamKey),
    live: ingest !== undefined,
    input: ingest?.input ?? null,
    node: ingest?.node ?? null,
    codecs: ingest?.codecs ?? null,
    stats: ingest?.stats ?? null,
    createdAt: channel.createdAt,
  };
  if (!options.withSecrets) return view;
  const rtmpServer = `rtmp://${hostForUrl(endpoints.host)}:${endpoints.rtmpPort}/live`;
  return {
    ...view,
    streamKey: channel.streamKey,
    backupStreamKey: channel.backupStreamKey ?? null,
    ingest: {
      rtmp: `${rtmpServer}/${channel.streamKey}`,
      rtmpServer,
      srt: channel.srt ? srtUrl(channel.srt, channel.srt.passphrase) : null,
      rtmpBackup: channel.backupStreamKey ? `${rtmpServer}/${channel.backupStreamKey}` : null,
      srtBackup: channel.srtBackup ? srtUrl(channel.srtBackup, channel.srtBackup.passphrase) : null,
    },
  };
}

export function restreamView(
  restream: RestreamRecord,
  status: RestreamStatus,
  options: { endpoints: PublicEndpoints; withSecrets: boolean; warnings: readonly RestreamWarning[] },
) {
  return {
    id: restream.id,
    channelId: restream.channelId,
    kind: restream.kind,
    name: restream.name,
    destinationId: restream.kind === "destination" ? restream.destinationId : null,
    url:
      restream.kind === "srt_push"
        ? formatDestinationUrl(parseDestinationUrl(restream.url), { redact: true })
        : null,
    playbackUrl:
      restream.kind === "remote_playback"
        ? srtUrl(restream, options.withSecrets ? restream.passphrase : null)
        : null,
    ...status,
    output: restream.output ?? COPY_OUTPUT,
    maxCallers: restream.kind === "remote_playback" ? (restream.maxCallers ?? DEFAULT_MAX_CALLERS) : null,
    onSourceLoss: restream.onSourceLoss ?? "wait",
    slateSeconds: restream.slateSeconds ?? DEFAULT_SLATE_SECONDS,
    warnings: options.warnings,
    schedule: restream.schedule ?? null,
    revision: restream.revision ?? 0,
    createdAt: restream.createdAt,
  };
}
