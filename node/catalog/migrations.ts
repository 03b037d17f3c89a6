// The store's schema, step by step (node/store/schema.ts runs them once per store, on upgrade, and
// `streamwell restore` applies them to an older backup). Append only: a step, once released, never
// changes. Each is pure and idempotent over the raw record (secrets still sealed), and keeps the
// record readable by the release before it, so that nodes not yet upgraded in a rolling upgrade
// still read what the first upgraded node migrated.
import { type Migration, migration } from "../store/schema.js";
import { type ChannelRecord, keys } from "./records.js";

export const MIGRATIONS: readonly Migration[] = [
  migration<ChannelRecord>({
    version: 1,
    summary: "channels: backupStreamKey null where absent (channels made before backup ingest)",
    prefix: keys.channels,
    migrate: (channel) =>
      channel.backupStreamKey === undefined ? { ...channel, backupStreamKey: null } : undefined,
  }),
];
