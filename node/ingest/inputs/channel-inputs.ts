// ChannelInputs: the publishers of one channel (its primary and its backup: RTMP keys, or SRT
// callers whose listeners remux to FLV; both may publish at once) feeding the channel's one hub.
// The InputSelector decides which input is on air; the FlvSplice turns the chosen units into one
// continuous stream. Each input keeps its own GOP cache, so a backup can go on air the moment the
// primary is lost instead of waiting for its next keyframe. A timer checks for stalls while both
// inputs are connected: with one, a stall has nothing to switch to, and every other move of the
// selector comes with a unit or a disconnection.
import type { ChannelCodecs } from "../../defs/codecs.js";
import type { FlvTag } from "../../defs/flv-tag.js";
import type { IngestInput } from "../../defs/ingest-input.js";
import { FLV_UNITS, GopCache } from "../../hub/index.js";
import { AUDIO, isKeyframe, isSequenceHeader, VIDEO } from "../../media/flv.js";
import { FlvSplice } from "./flv-splice.js";
import { InputSelector, type SwitchReason } from "./input-selector.js";

/** How often stalls and a steady primary are looked for. */
const TICK_MS = 100;
/** A standby input's cached GOP; past it the input waits for a keyframe to go on air. */
const STANDBY_GOP_MAX_BYTES = 8 * 1024 * 1024;

export interface ChannelInputsParent {
  /** A tag of the one stream the hub carries. */
  write(tag: FlvTag): void;
  /** The channel's codecs: those of the input on air (before any is, the first known). */
  codecs(codecs: ChannelCodecs): void;
  switched(to: IngestInput, reason: SwitchReason): void;
  /** The last input left. */
  ended(reason: string): void;
}

/** Where one input's publisher writes (an RTMP publish's sink takes it as it is). */
export interface InputSink {
  codecs(codecs: ChannelCodecs): void;
  tag(tag: FlvTag): void;
  /** Exactly once, when the publisher goes. */
  end(reason: string): void;
}

interface Attached {
  readonly cache: GopCache<FlvTag>;
  readonly disconnect: () => void;
  codecs: ChannelCodecs | null;
}

export class ChannelInputs {
  private readonly selector: InputSelector;
  private readonly splice: FlvSplice;
  private readonly inputs = new Map<IngestInput, Attached>();
  private channelCodecs: ChannelCodecs | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** Switches to each input (the first input going on air is not one). */
  private readonly switchCounts: Record<IngestInput, number> = { primary: 0, backup: 0 };

  constructor(
    name: string,
    private readonly parent: ChannelInputsParent,
    private readonly now: () => number = Date.now,
  ) {
    this.splice = new FlvSplice((tag) => parent.write(tag));
    this.selector = new InputSelector(name, {
      replay: (input) => this.replay(input),
      switched: (input, reason) => {
        this.showCodecs(this.inputs.get(input)?.codecs ?? null);
        if (reason !== "first_input") this.switchCounts[input] += 1;
        parent.switched(input, reason);
      },
    });
  }

  /** The input on air; null before the first keyframe. */
  get onAir(): IngestInput | null {
    return this.selector.onAir;
  }

  get switches(): Readonly<Record<IngestInput, number>> {
    return this.switchCounts;
  }

  has(input: IngestInput): boolean {
    return this.inputs.has(input);
  }

  /** A publisher for `input`: where its tags go; null when that input is taken. */
  attach(input: IngestInput, disconnect: () => void): InputSink | null {
    if (this.inputs.has(input)) return null;
    const attached: Attached = {
      cache: new GopCache(FLV_UNITS, STANDBY_GOP_MAX_BYTES),
      disconnect,
      codecs: null,
    };
    this.inputs.set(input, attached);
    this.selector.connect(input, this.now());
    if (this.inputs.size > 1)
      this.timer ??= setInterval(() => this.selector.tick(this.now()), TICK_MS).unref();
    let ended = false;
    return {
      codecs: (codecs) => {
        attached.codecs = codecs;
        if (this.onAir === input || this.onAir === null) this.showCodecs(codecs);
      },
      tag: (tag) => this.tag(input, attached, tag),
      end: (reason) => {
        if (ended) return;
        ended = true;
        this.detach(input, reason);
      },
    };
  }

  /** Ends every publisher (the channel went live on another node). */
  disconnectAll(): void {
    for (const { disconnect } of [...this.inputs.values()]) disconnect();
  }

  private tag(input: IngestInput, attached: Attached, tag: FlvTag): void {
    const media = (tag.type === VIDEO || tag.type === AUDIO) && !isSequenceHeader(tag);
    if (!media) {
      attached.cache.add(tag);
      if (this.feeds(input)) this.splice.pass(tag);
      return;
    }
    const verdict = this.selector.media(input, isKeyframe(tag), this.now());
    attached.cache.add(tag);
    if (verdict === "cut") this.splice.cut(attached.cache.startPoint().init, [tag]);
    else if (verdict === "write") this.splice.pass(tag);
  }

  /** Whether `input`'s own tags go out now (it is on air, in the session that was cut in). */
  private feeds(input: IngestInput): boolean {
    return this.onAir === input && this.selector.feeding;
  }

  private replay(input: IngestInput): boolean {
    const start = this.inputs.get(input)?.cache.startPoint();
    if (!start?.gop) return false;
    this.splice.cut(start.init, start.gop);
    return true;
  }

  private detach(input: IngestInput, reason: string): void {
    this.inputs.delete(input);
    this.selector.disconnect(input, this.now());
    if (this.inputs.size < 2) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (this.inputs.size === 0) this.parent.ended(reason);
  }

  private showCodecs(codecs: ChannelCodecs | null): void {
    if (codecs === null || sameCodecs(codecs, this.channelCodecs)) return;
    this.channelCodecs = codecs;
    this.parent.codecs(codecs);
  }
}

function sameCodecs(a: ChannelCodecs, b: ChannelCodecs | null): boolean {
  return b !== null && JSON.stringify(a) === JSON.stringify(b);
}
