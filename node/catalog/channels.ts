// Channels: a name, an owner, the stream key that authorises publishing, and an optional SRT
// ingest port with its passphrase. Deleting a channel deletes its restreams.
//
// Publishing finds a channel by its stream key through an index of keyed hashes
// (`streamkeys.<digest>` -> channel id; the digest comes from the node's secret key, so the
// index gives nothing away), not by opening every channel's sealed key. The index is written
// before the channel and removed after it, and every hit is checked against the channel's own key,
// so an entry left by a crash or a race can at worst point nowhere.
import { NotFoundError } from "../defs/errors.js";
import { constantTimeEqual, newId, newPassphrase, newStreamKey } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import { KeyExistsError, type Store } from "../store/store.js";
import { byCreation, type ChannelRecord, keys, type SrtListenerSecret } from "./records.js";
import type { SrtPorts } from "./srt-ports.js";

/** The keyed hash a stream key is indexed under (Sealer.digest, bound to the node's secret key). */
export type StreamKeyDigest = (streamKey: string) => string;

interface StreamKeyIndexEntry {
  readonly channelId: string;
}

export interface NewChannel {
  readonly name: string;
  readonly ownerId: string;
  readonly srtIngest: boolean;
}

export interface ChannelChange {
  readonly name?: string;
  readonly srtIngest?: boolean;
}

export class Channels {
  constructor(
    private readonly store: Store,
    private readonly ports: SrtPorts,
    private readonly digest: StreamKeyDigest,
  ) {}

  async create(input: NewChannel): Promise<ChannelRecord> {
    const id = newId("ch");
    const channel: ChannelRecord = {
      id,
      name: input.name,
      ownerId: input.ownerId,
      streamKey: newStreamKey(),
      srt: input.srtIngest ? await this.allocateSrt(id) : null,
      createdAt: new Date().toISOString(),
    };
    try {
      await this.index(channel);
      await this.store.create(keys.channel(id), channel);
    } catch (error) {
      await this.unindex(channel.streamKey);
      if (channel.srt) await this.ports.release(channel.srt.port);
      throw error;
    }
    return channel;
  }

  /** The channel this stream key publishes to, if any (the ingest asks on every publish). */
  async findByStreamKey(streamKey: string): Promise<ChannelRecord | undefined> {
    const entry = await this.store.get<StreamKeyIndexEntry>(keys.streamKey(this.digest(streamKey)));
    if (!entry) return undefined;
    const channel = await this.store.get<ChannelRecord>(keys.channel(entry.value.channelId));
    return channel && constantTimeEqual(channel.value.streamKey, streamKey) ? channel.value : undefined;
  }

  /**
   * Makes the index match the channels: an entry for every channel's key, none for a key no channel
   * has (a rotated secret key changes every digest). Run at start; idempotent, and two nodes may
   * run it at once (entries are created if absent and removed only at the revision read).
   */
  async reindex(): Promise<void> {
    const wanted = new Set<string>();
    for (const channel of await this.list()) {
      wanted.add(keys.streamKey(this.digest(channel.streamKey)));
      await this.index(channel);
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
    const updated = await mutate<ChannelRecord>(this.store, keys.channel(id), (channel) => ({
      ...channel,
      name: change.name ?? channel.name,
      srt: wantsSrt ? (channel.srt ?? allocated ?? null) : null,
    }));
    if (allocated && updated.srt?.port !== allocated.port) await this.ports.release(allocated.port);
    if (current.srt && !updated.srt) await this.ports.release(current.srt.port);
    return updated;
  }

  /** New stream key and SRT passphrase: the old ones stop working at once. */
  async resetStreamKey(id: string): Promise<ChannelRecord> {
    const current = await this.get(id);
    const streamKey = newStreamKey();
    await this.index({ id, streamKey });
    const updated = await mutate<ChannelRecord>(this.store, keys.channel(id), (channel) => ({
      ...channel,
      streamKey,
      srt: channel.srt ? { ...channel.srt, passphrase: newPassphrase() } : null,
    }));
    await this.unindex(current.streamKey);
    return updated;
  }

  /** Removes the channel record and its SRT port; the caller removes its restreams first. */
  async delete(id: string): Promise<void> {
    const channel = await this.get(id);
    await this.store.delete(keys.channel(id));
    await this.unindex(channel.streamKey);
    if (channel.srt) await this.ports.release(channel.srt.port);
  }

  private async index(channel: Pick<ChannelRecord, "id" | "streamKey">): Promise<void> {
    const entry: StreamKeyIndexEntry = { channelId: channel.id };
    await this.store.create(keys.streamKey(this.digest(channel.streamKey)), entry).catch((error: unknown) => {
      if (!(error instanceof KeyExistsError)) throw error;
    });
  }

  private async unindex(streamKey: string): Promise<void> {
    await this.store.delete(keys.streamKey(this.digest(streamKey)));
  }

  private async allocateSrt(channelId: string): Promise<SrtListenerSecret> {
    return { ...(await this.ports.allocate(`channel:${channelId}`)), passphrase: newPassphrase() };
  }
}
