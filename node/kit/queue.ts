// One command at a time. In Node, async steps interleave at every await: an object that checks its
// map, awaits a stop, then sets the map can be overtaken by a second call in between and lose a child
// (a running ffmpeg no map holds). So every object that creates and removes children (ActorHost,
// ChainEnds, PlacementFence, the SRT listener sets) runs its steps for one key through a KeyedQueue,
// and every actor runs its commands and engine events through a SerialQueue (mediamtx serialises
// each unit through its run() loop the same way).

const ignore = (): void => {};

/**
 * Steps per key, one after another; steps of different keys run concurrently. Each caller gets its
 * own step's result or error; a failed step never stops the steps queued after it.
 */
export class KeyedQueue<K> {
  /** Per key with work queued or running: a promise that settles when the last queued step has. */
  private readonly tails = new Map<K, Promise<void>>();

  run<T>(key: K, step: () => T | PromiseLike<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(step);
    const tail = result.then(ignore, ignore);
    this.tails.set(key, tail);
    // Forget a key once its queue is empty, so the map never grows with keys that come and go.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a step queued or running. */
  pending(): K[] {
    return [...this.tails.keys()];
  }
}

/** A KeyedQueue of one key: an actor's commands and engine events, one at a time. */
export class SerialQueue {
  private readonly queue = new KeyedQueue<null>();

  run<T>(step: () => T | PromiseLike<T>): Promise<T> {
    return this.queue.run(null, step);
  }
}
