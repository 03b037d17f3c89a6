// Views that carry a revision (restreams: it grows with every change of the record) reach a page
// by two roads that race: the answer to the page's own request and the server-sent event of the
// same or a later change (e.g. a scheduler leader that applies a start time at once). The page
// keeps the newer view, whichever arrives last; equal revisions differ only in live state, and
// then the one that arrived last is the newer.

interface Revised {
  readonly id: string;
  readonly revision?: number;
}

/** `incoming` unless `held` has a larger revision. */
export function newerView<T extends Revised>(held: T | undefined, incoming: T): T {
  if (held?.revision === undefined || incoming.revision === undefined) return incoming;
  return incoming.revision < held.revision ? held : incoming;
}

/** A reloaded list, each item kept as held where the held view is newer than the loaded one. */
export function newerList<T extends Revised>(held: readonly T[] | undefined, loaded: T[]): T[] {
  if (!held) return loaded;
  const byId = new Map(held.map((item) => [item.id, item]));
  return loaded.map((item) => newerView(byId.get(item.id), item));
}
