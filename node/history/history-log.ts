// The stored history of a restream or a channel: what state it entered, when, on which node, and
// why (an error's code and message). Kept in the store as a ring of small segments per subject,
// `history.<subject id>.<slot>`, each `{seq, entries}` (oldest first): appending rewrites only
// the newest segment, never the whole history, and the ring's slots overwrite one another in
// turn, so a subject never holds more than max/segment + 1 keys and nothing is ever deleted but
// on request; all but the newest hold `maxEntries`, so the newest `maxEntries` are always there.
// The same ring keeps each webhook's delivery log (its own prefix and sizes: RingShape).
//
// Any node may append to any subject (the node that saw the change writes it); writes are
// compare-and-set against the segment's revision and its `seq`, so two writers never lose
// each other's entries. Each node caches where a subject's newest segment is, so an append is one
// read and one write; a stale cache is found out by the `seq` check and read again.
import { KeyExistsError, RevisionMismatchError, type Store } from "../store/store.js";

export const MAX_ENTRIES = 1_000;
export const SEGMENT_ENTRIES = 25;
const ATTEMPTS = 8;

export interface HistoryEntry {
  /** ISO 8601. */
  readonly time: string;
  /** A restream's state, or a channel's `live` / `offline`. */
  readonly state: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  /** The node that saw it. */
  readonly node: string;
}

interface Segment<T> {
  readonly seq: number;
  readonly entries: readonly T[];
}

interface Head {
  readonly slot: number;
  readonly seq: number;
}

/** Where a log keeps its rings and how long they are (the webhook delivery log uses its own). */
export interface RingShape {
  readonly prefix: string;
  readonly maxEntries: number;
  readonly segmentEntries: number;
}

const HISTORY: RingShape = { prefix: "history", maxEntries: MAX_ENTRIES, segmentEntries: SEGMENT_ENTRIES };

export class HistoryLog<T = HistoryEntry> {
  private readonly heads = new Map<string, Head>();
  private readonly slots: number;

  /** `exists`: whether the subject (restream, channel) is still there; nothing is written for one that is gone. */
  constructor(
    private readonly store: Store,
    private readonly exists: (subject: string) => Promise<boolean>,
    private readonly shape: RingShape = HISTORY,
  ) {
    this.slots = shape.maxEntries / shape.segmentEntries + 1;
  }

  private prefixOf(subject: string): string {
    return `${this.shape.prefix}.${subject}.`;
  }

  private keyOf(subject: string, slot: number): string {
    return `${this.prefixOf(subject)}${slot}`;
  }

  /** Appends entries (oldest first), filling the newest segment before starting the next. */
  async append(subject: string, entries: readonly T[]): Promise<void> {
    let rest = entries;
    let lost = 0;
    while (rest.length > 0) {
      const written = await this.tryAppend(subject, rest).catch((error: unknown) => {
        if (error instanceof RevisionMismatchError || error instanceof KeyExistsError) return 0;
        throw error;
      });
      if (written === "gone") return;
      rest = rest.slice(written);
      if (written > 0) lost = 0;
      else {
        // Another writer got there first, or the cached head is stale: read it again.
        this.heads.delete(subject);
        lost += 1;
        if (lost >= ATTEMPTS)
          throw new RevisionMismatchError(`history of ${subject}: too many concurrent writers`);
      }
    }
  }

  /** Newest first, at most MAX_ENTRIES. */
  async read(subject: string): Promise<T[]> {
    const segments = (await this.store.list<Segment<T>>(this.prefixOf(subject))).map((entry) => entry.value);
    segments.sort((a, b) => b.seq - a.seq);
    return segments.flatMap((segment) => [...segment.entries].reverse()).slice(0, this.shape.maxEntries);
  }

  async remove(subject: string): Promise<void> {
    this.heads.delete(subject);
    for (const entry of await this.store.list(this.prefixOf(subject))) await this.store.delete(entry.key);
  }

  /**
   * One try: how many of `entries` it wrote (0: the cached head was stale or another writer won;
   * read again and retry), or "gone" when the subject no longer exists.
   */
  private async tryAppend(subject: string, entries: readonly T[]): Promise<number | "gone"> {
    const head = this.heads.get(subject) ?? (await this.findHead(subject));
    if (!head) {
      if (!(await this.exists(subject))) return "gone";
      return this.startSegment(subject, { slot: 0, seq: 0 }, undefined, entries);
    }
    const current = await this.store.get<Segment<T>>(this.keyOf(subject, head.slot));
    if (current?.value.seq !== head.seq) return 0;
    const room = this.shape.segmentEntries - current.value.entries.length;
    if (room > 0) {
      const added = entries.slice(0, room);
      const segment: Segment<T> = { seq: head.seq, entries: [...current.value.entries, ...added] };
      await this.store.update(current.key, segment, current.revision);
      return added.length;
    }
    const next: Head = { slot: (head.slot + 1) % this.slots, seq: head.seq + 1 };
    const occupant = await this.store.get<Segment<T>>(this.keyOf(subject, next.slot));
    if (occupant && occupant.value.seq >= next.seq) return 0;
    return this.startSegment(subject, next, occupant?.revision, entries);
  }

  /** Writes a new newest segment into its slot (over the oldest one, once the ring is full). */
  private async startSegment(
    subject: string,
    head: Head,
    occupantRevision: number | undefined,
    entries: readonly T[],
  ): Promise<number> {
    const segment: Segment<T> = { seq: head.seq, entries: entries.slice(0, this.shape.segmentEntries) };
    const key = this.keyOf(subject, head.slot);
    if (occupantRevision === undefined) await this.store.create(key, segment);
    else await this.store.update(key, segment, occupantRevision);
    this.heads.set(subject, head);
    return segment.entries.length;
  }

  private async findHead(subject: string): Promise<Head | undefined> {
    let head: Head | undefined;
    for (const entry of await this.store.list<Segment<T>>(this.prefixOf(subject))) {
      const slot = Number(entry.key.slice(this.prefixOf(subject).length));
      if (!head || entry.value.seq > head.seq) head = { slot, seq: entry.value.seq };
    }
    if (head) this.heads.set(subject, head);
    return head;
  }
}
