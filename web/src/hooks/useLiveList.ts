// Keeps a loaded list current from server-sent events: an updated item is replaced (merged, so a
// secret the list already holds is not lost to an event's redacted copy), a deleted one removed,
// a new one appended when `belongs` accepts it.
import { isDeleted, type LiveEventData } from "../api/live-events";
import { useLiveEvent } from "./useLive";
import type { Resource } from "./useResource";

export function useLiveList<K extends "restream" | "channel", T extends { id: string }>(
  kind: K,
  list: Resource<T[]>,
  options: { belongs: (item: T) => boolean; merge?: (old: T, update: T) => T },
): void {
  useLiveEvent(kind, (data: LiveEventData[K]) => {
    list.setData((items) => {
      if (!items) return items;
      if (isDeleted(data)) return items.filter((item) => item.id !== data.id);
      const update = data as unknown as T;
      const index = items.findIndex((item) => item.id === update.id);
      if (index === -1) return options.belongs(update) ? [...items, update] : items;
      const old = items[index] as T;
      return items.with(index, options.merge ? options.merge(old, update) : update);
    });
  });
}
