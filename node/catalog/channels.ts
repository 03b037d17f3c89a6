// Channels: a name, an owner, the stream key that authorises publishing, and an optional SRT
// ingest port with its passphrase. Deleting a channel deletes its restreams.
import { NotFoundError } from "../defs/errors.js";
import { newId, newPassphrase, newStreamKey } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import type { Store } from "../store/store.js";
import { byCreation, type ChannelRecord, keys, type SrtListenerSecret } from "./records.js";
import type { SrtPorts } from "./srt-ports.js";

export interface ChannelChange {
  readonly name?: string;
  readonly srtIngest?: boolean;
}

export class Channels {
  constructor(
    private readonly store: Store,
    private readonly ports: SrtPorts,
  ) {}

  async create(input: { name: string; ownerId: string; srtIngest: boolean }): Promise<ChannelRecord> {
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
      await this.store.create(keys.channel(id), channel);
    } catch (error) {
      if (channel.srt) await this.ports.release(channel.srt.port);
      throw error;
    }
    return channel;
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
    return mutate<ChannelRecord>(this.store, keys.channel(id), (channel) => ({
      ...channel,
      streamKey: newStreamKey(),
      srt: channel.srt ? { ...channel.srt, passphrase: newPassphrase() } : null,
    }));
  }

  /** Removes the channel record and its SRT port; the caller removes its restreams first. */
  async delete(id: string): Promise<void> {
    const channel = await this.get(id);
    await this.store.delete(keys.channel(id));
    if (channel.srt) await this.ports.release(channel.srt.port);
  }

  private async allocateSrt(channelId: string): Promise<SrtListenerSecret> {
    return { ...(await this.ports.allocate(`channel:${channelId}`)), passphrase: newPassphrase() };
  }
}
