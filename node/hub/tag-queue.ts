// A FIFO of tags that knows its size in bytes. A head index instead of Array#shift keeps taking a
// tag O(1) when a slow reader has thousands queued.
import type { FlvTag } from "../media/flv.js";
import { flvSize } from "./tags.js";

export class TagQueue {
  private items: FlvTag[] = [];
  private head = 0;
  private size = 0;

  get bytes(): number {
    return this.size;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(tag: FlvTag): void {
    this.items.push(tag);
    this.size += flvSize(tag);
  }

  shift(): FlvTag | undefined {
    const tag = this.items[this.head];
    if (tag === undefined) return undefined;
    this.head += 1;
    this.size -= flvSize(tag);
    // Compact once the consumed prefix dominates, so the array does not grow forever.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return tag;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.size = 0;
  }
}
