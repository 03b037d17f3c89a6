// Moves a push's tags from its hub reader to its socket, once per tick (./ticker.ts). Back-pressure:
// while the socket has not drained, nothing is taken from the reader, so a slow destination leaves
// tags in the reader's bounded queue, where the hub cuts it off when full (ReaderCutError, "too
// slow"); this side holds at most one batch beyond the socket's own buffer.

import type { FlvTag } from "../defs/flv-tag.js";
import type { TagSource } from "../defs/relay.js";
import type { PushMeter } from "./meter.js";
import type { RtmpPublisher } from "./publisher.js";
import { Timeline } from "./timeline.js";

/** One socket write at most; a tick writes batches until the socket pushes back. */
const MAX_BATCH_BYTES = 256 * 1024;

export class TagPump {
  private readonly timeline = new Timeline();
  private draining = false;

  constructor(
    private readonly source: TagSource,
    private readonly publisher: RtmpPublisher,
    private readonly meter: PushMeter,
  ) {}

  tick(): void {
    while (!this.draining) {
      const batch = this.batch();
      if (batch.length === 0) return;
      const room = this.publisher.writeTags(batch, (bytes) => this.meter.flushed(bytes));
      if (!room) {
        this.draining = true;
        this.publisher.onDrain(() => {
          this.draining = false;
        });
      }
    }
  }

  private batch(): { tag: FlvTag; timestamp: number }[] {
    const batch: { tag: FlvTag; timestamp: number }[] = [];
    let bytes = 0;
    for (let tag = this.source.poll(); tag !== undefined; tag = this.source.poll()) {
      const timestamp = this.timeline.stamp(tag);
      this.meter.sent(timestamp);
      batch.push({ tag, timestamp });
      bytes += tag.data.length;
      if (bytes >= MAX_BATCH_BYTES) break;
    }
    return batch;
  }
}
