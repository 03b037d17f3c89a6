// Keeps a loaded list current from server-sent events: an updated item is replaced (unless the
// view held is newer: api/newer-view.ts), a deleted one removed, a new one appended when `belongs`
// accepts it. The same upsert and remove serve the page's own answers (create, start, stop, edit,
// delete), so what the user did shows at once even if the event stream is down.
import { isDeleted, type LiveEventData } from "../api/live-events";
import { newerView } from "../api/newer-view";
import { useLiveEvent } from "./useLive";
import type { Resource } from "./useResource";

export interface LiveList<T> {
  upsert(item: T): void;
  remove(id: string): void;
}

export function useLiveList<K extends "restream" | "channel", T extends { id: string; revision?: number }>(
  kind: K,
  list: Resource<T[]>,
  belongs: (item: T) => boolean,
): LiveList<T> {
  const upsert = (item: T) =>
    list.setData((items) => {
      if (!items) return items;
      const index = items.findIndex((old) => old.id === item.id);
      if (index === -1) return belongs(item) ? [...items, item] : items;
      return items.with(index, newerView(items[index], item));
    });
  const remove = (id: string) => list.setData((items) => items?.filter((item) => item.id !== id));

  useLiveEvent(kind, (data: LiveEventData[K]) => {
    if (isDeleted(data)) remove(data.id);
    else upsert(data as unknown as T);
  });
  return { upsert, remove };
}
