// Channels: a name, an owner, the stream key that authorises publishing (and, with `backup` on, a
// second key for a backup encoder), and an optional SRT ingest port with its passphrase (with a
// backup as well: a second port and passphrase for the backup encoder). Deleting a channel deletes
// its restreams.
//
// Publishing finds a channel by its stream key through an index of keyed hashes
// (`streamkeys.<digest>` -> channel id and which of its keys; the digest comes from the node's secret key, so the
// index gives nothing away), not by opening every channel's sealed key. The index is written
// before the channel and removed after it, and every hit is checked against the channel's own key,
// so an entry left by a crash or a race can at worst point nowhere.
import { NotFoundError } from "../defs/errors.js";
import type { IngestInput } from "../defs/ingest-input.js";
import { constantTimeEqual, newId, newPassphrase, newStreamKey } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import { KeyExistsError, type Store } from "../store/store.js";
import { byCreation, type ChannelRecord, keys, type SrtListenerSecret } from "./records.js";
import type { SrtPorts } from "./srt-ports.js";

/** The keyed hash a stream key is indexed under (Sealer.digest, bound to the node's secret key). */
export type StreamKeyDigest = (streamKey: string) => string;

interface StreamKeyIndexEntry {
  readonly channelId: string;
  /** Absent in entries written before backup keys: the primary. */
  readonly input?: IngestInput;
}

/** Which channel a stream key publishes to, and as which of its inputs. */
export interface PublishTarget {
  readonly channel: ChannelRecord;
  readonly input: IngestInput;
}

export interface NewChannel {
  readonly name: string;
  readonly ownerId: string;
  readonly srtIngest: boolean;
  /** A second stream key for a backup encoder; default off. */
  readonly backup?: boolean;
}

export interface ChannelChange {
  readonly name?: string;
  readonly srtIngest?: boolean;
  readonly backup?: boolean;
}

/** The channel's key for one input; null when it has no backup. */
export function streamKeyOf(channel: ChannelRecord, input: IngestInput): string | null {
  return input === "primary" ? channel.streamKey : (channel.backupStreamKey ?? null);
}

/** Every key that publishes to the channel, with its input. */
function publishKeys(
  channel: Pick<ChannelRecord, "streamKey" | "backupStreamKey">,
): { key: string; input: IngestInput }[] {
  const backup = channel.backupStreamKey;
  return [
    { key: channel.streamKey, input: "primary" },
    ...(backup ? [{ key: backup, input: "backup" as const }] : []),
  ];
}

export class Channels {
  constructor(
    private readonly store: Store,
    private readonly ports: SrtPorts,
    private readonly digest: StreamKeyDigest,
  ) {}

  /** `id`: given when room was claimed for it first (quotas.ts). */
  async create(input: NewChannel, id = newId("ch")): Promise<ChannelRecord> {
    const channel: ChannelRecord = {
      id,
      name: input.name,
      ownerId: input.ownerId,
      streamKey: newStreamKey(),
      backupStreamKey: input.backup ? newStreamKey() : null,
      srt: input.srtIngest ? await this.allocateSrt(id) : null,
      srtBackup: input.srtIngest && input.backup ? await this.allocateSrt(id, "backup") : null,
      createdAt: new Date().toISOString(),
    };
    try {
      await this.indexAll(channel);
      await this.store.create(keys.channel(id), channel);
    } catch (error) {
      for (const { key } of publishKeys(channel)) await this.unindex(key);
      await this.releaseSrt(channel);
      throw error;
    }
    return channel;
  }

  /** The channel and input this stream key publishes to, if any (the ingest asks on every publish). */
  async findByStreamKey(streamKey: string): Promise<PublishTarget | undefined> {
    const entry = await this.store.get<StreamKeyIndexEntry>(keys.streamKey(this.digest(streamKey)));
    if (!entry) return undefined;
    const channel = await this.store.get<ChannelRecord>(keys.channel(entry.value.channelId));
    if (!channel) return undefined;
    const input = entry.value.input ?? "primary";
    const key = streamKeyOf(channel.value, input);
    return key !== null && constantTimeEqual(key, streamKey) ? { channel: channel.value, input } : undefined;
  }

  /**
   * Makes the index match the channels: an entry for every channel's key, none for a key no channel
   * has (a rotated secret key changes every digest). Run at start; idempotent, and two nodes may
   * run it at once (entries are created if absent and removed only at the revision read).
   */
  async reindex(): Promise<void> {
    const wanted = new Set<string>();
    for (const channel of await this.list()) {
      for (const { key } of publishKeys(channel)) wanted.add(keys.streamKey(this.digest(key)));
      await this.indexAll(channel);
    }
    for (const entry of await this.store.list(keys.streamKeys)) {
      if (!wanted.has(entry.key)) await this.store.delete(entry.key, entry.revision).catch(() => {});
    }
  }

  async get(id: string): Promise<ChannelRecord> {
    const entry = await this.store.get<ChannelRecord>(keys.channel(id));
    if (!entry) throw new NotFoundError(`channel ${id} not found`);
    return entry.value;
  }

  async list(): Promise<ChannelRecord[]> {
    return (await this.store.list<ChannelRecord>(keys.channels)).map((entry) => entry.value).sort(byCreation);
  }

  async update(id: string, change: ChannelChange): Promise<ChannelRecord> {
    const current = await this.get(id);
    const wantsSrt = change.srtIngest ?? current.srt !== null;
    const allocated = wantsSrt && !current.srt ? await this.allocateSrt(id) : undefined;
    const wantsBackup = change.backup ?? Boolean(current.backupStreamKey);
    const wantsSrtBackup = wantsSrt && wantsBackup;
    const allocatedBackup =
      wantsSrtBackup && !current.srtBackup ? await this.allocateSrt(id, "backup") : undefined;
    const backupKey = wantsBackup && !current.backupStreamKey ? newStreamKey() : undefined;
    if (backupKey) await this.index(id, backupKey, "backup");
    const updated = await mutate<ChannelRecord>(this.store, keys.channel(id), (channel) => ({
      ...channel,
      name: change.name ?? channel.name,
      backupStreamKey: wantsBackup ? (channel.backupStreamKey ?? backupKey ?? null) : null,
      srt: wantsSrt ? (channel.srt ?? allocated ?? null) : null,
      srtBackup: wantsSrtBackup ? (channel.srtBackup ?? allocatedBackup ?? null) : null,
    }));
    if (allocated && updated.srt?.port !== allocated.port) await this.ports.release(allocated.port);
    if (current.srt && !updated.srt) await this.ports.release(current.srt.port);
    if (allocatedBackup && updated.srtBackup?.port !== allocatedBackup.port)
      await this.ports.release(allocatedBackup.port);
    if (current.srtBackup && !updated.srtBackup) await this.ports.release(current.srtBackup.port);
    if (backupKey && updated.backupStreamKey !== backupKey) await this.unindex(backupKey);
    if (current.backupStreamKey && updated.backupStreamKey !== current.backupStreamKey)
      await this.unindex(current.backupStreamKey);
    return updated;
  }

  /** New stream keys (primary and backup) and SRT passphrases: the old ones stop working at once. */
  async resetStreamKey(id: string): Promise<ChannelRecord> {
    const current = await this.get(id);
    const streamKey = newStreamKey();
    const backupStreamKey = current.backupStreamKey ? newStreamKey() : null;
    await this.indexAll({ id, streamKey, backupStreamKey });
    const updated = await mutate<ChannelRecord>(this.store, keys.channel(id), (channel) => ({
      ...channel,
      streamKey,
      backupStreamKey: channel.backupStreamKey ? backupStreamKey : null,
      srt: channel.srt ? { ...channel.srt, passphrase: newPassphrase() } : null,
      srtBackup: channel.srtBackup ? { ...channel.srtBackup, passphrase: newPassphrase() } : null,
    }));
    for (const { key } of publishKeys(current)) await this.unindex(key);
    return updated;
  }

  /** Removes the channel record and its SRT ports; the caller removes its restreams first. */
  async delete(id: string): Promise<void> {
    const channel = await this.get(id);
    await this.store.delete(keys.channel(id));
    for (const { key } of publishKeys(channel)) await this.unindex(key);
    await this.releaseSrt(channel);
  }

  private async releaseSrt(channel: Pick<ChannelRecord, "srt" | "srtBackup">): Promise<void> {
    if (channel.srt) await this.ports.release(channel.srt.port);
    if (channel.srtBackup) await this.ports.release(channel.srtBackup.port);
  }

  private async indexAll(
    channel: Pick<ChannelRecord, "id" | "streamKey" | "backupStreamKey">,
  ): Promise<void> {
    for (const { key, input } of publishKeys(channel)) await this.index(channel.id, key, input);
  }

  private async index(channelId: string, streamKey: string, input: IngestInput): Promise<void> {
    const entry: StreamKeyIndexEntry = { channelId, input };
    await this.store.create(keys.streamKey(this.digest(streamKey)), entry).catch((error: unknown) => {
      if (!(error instanceof KeyExistsError)) throw error;
    });
  }

  private async unindex(streamKey: string): Promise<void> {
    await this.store.delete(keys.streamKey(this.digest(streamKey)));
  }

  private async allocateSrt(channelId: string, input: IngestInput = "primary"): Promise<SrtListenerSecret> {
    const owner = input === "primary" ? `channel:${channelId}` : `channel:${channelId}:${input}`;
    return { ...(await this.ports.allocate(owner)), passphrase: newPassphrase() };
  }
}
