// PlaybackActor: serves one channel to SRT callers (Remote Playback), up to the spec's maxCallers at
// once, on the port and passphrase allocated with the restream.
//
// States and the only legal moves (anything else throws IllegalTransitionError):
//   idle      -> waiting | listening              start()
//   waiting   -> listening | idle                 the channel went live here / stop()
//   listening -> streaming | stopping | backoff   a first caller connected / stop, ingest changed / listener failed
//   streaming -> listening | stopping | backoff   the last caller left / stop, ingest changed / listener failed
//   stopping  -> idle | waiting | listening       the listener exited: settle() decides
//   backoff   -> listening | waiting | idle       retry timer / channel gone / stop()
//
// The listener (node/ffmpeg/fanout.ts, srt-fanout.c: one process holding the SRT port while the channel is live) tells
// the actor of each caller; the actor gives each caller its own hub reader, so each starts on the
// hub's cached keyframe, as MPEG-TS (a channel ingested over RTMP goes through a remux per caller).
// Callers over the cap are refused by the listener in the SRT handshake. Each connect, leave and
// refusal is a line in the restream's log (an address, never the passphrase).
// The wanted order, the queue, fail/halt/detach are the actors' common part (./actor.ts).
// Reported: Streaming while at least one caller pulls, Error while waiting to retry a failed
// listener, Awaiting Stream otherwise.
import type {
  FeedReader,
  IngestFeed,
  ListenerEngine,
  PlaybackServer,
  PlaybackSpec,
  RelayFailure,
  RelayHandle,
} from "../defs/relay.js";
import type { Transitions } from "../kit/state-machine.js";
import { Actor, type ActorParent, type CommonState } from "./actor.js";

export type PlaybackState = CommonState | "listening";

export const PLAYBACK_TRANSITIONS: Transitions<PlaybackState> = {
  idle: ["waiting", "listening"],
  waiting: ["listening", "idle"],
  listening: ["streaming", "stopping", "backoff"],
  streaming: ["listening", "stopping", "backoff"],
  stopping: ["idle", "waiting", "listening"],
  backoff: ["listening", "waiting", "idle"],
};

/** One connected caller's feed: its hub reader and, for an FLV channel, its remux to MPEG-TS. */
interface Caller {
  readonly reader: FeedReader;
  readonly remux: RelayHandle | null;
}

interface Listener {
  readonly handle: PlaybackServer;
  /** Closes every caller's feed (the actors' common detach()). */
  readonly reader: { close(): void };
  readonly callers: Map<number, Caller>;
}

/** The bitrate in the report is measured over windows of this many milliseconds. */
const RATE_WINDOW_MS = 1_000;

export class PlaybackActor extends Actor<"listening", Listener> {
  private windowStart = Date.now();
  private windowBytes = 0;

  constructor(
    id: string,
    private readonly spec: PlaybackSpec,
    private readonly engine: ListenerEngine,
    parent: ActorParent,
  ) {
    super(id, "remote playback", PLAYBACK_TRANSITIONS, ["backoff"], parent);
  }

  /** The channel went live here (a feed), offline (null), or its codecs changed: listen anew. */
  setIngest(feed: IngestFeed | null): Promise<void> {
    return this.enqueue(async () => {
      this.ingest = feed;
      if (this.current === "idle" || (this.current === "backoff" && feed !== null)) return;
      await this.halt();
      this.settle();
    });
  }

  protected inError(): boolean {
    return this.current === "backoff";
  }

  protected restarts(): number {
    return this.entered.backoff;
  }

  protected settle(): void {
    if (this.wanted === "stop") this.moveTo("idle");
    else if (this.ingest === null) this.moveTo("waiting");
    else this.listen();
  }

  private listen(): void {
    this.newChild();
    const callers = new Map<number, Caller>();
    const ref: { current?: Listener } = {};
    const handle = this.engine.serve(this.spec, {
      listening: () => this.log(`listening for up to ${this.spec.maxCallers} callers`),
      connected: (caller, address) => void this.enqueue(() => this.onConnected(ref.current, caller, address)),
      refused: (address) =>
        this.log(
          `refused a caller from ${address}: ${this.spec.maxCallers} callers already connected (maxCallers)`,
        ),
      left: (caller, reason) => void this.enqueue(() => this.onLeft(ref.current, caller, reason)),
      drain: () => {
        for (const { reader } of callers.values()) reader.stream.resume();
      },
      log: (text) => this.log(text),
      exit: (failure) => void this.enqueue(() => this.onExit(ref.current, failure)),
    });
    const closeAll = () => {
      for (const caller of callers.values()) this.closeCaller(caller);
      callers.clear();
    };
    ref.current = { handle, reader: { close: closeAll }, callers };
    this.child = ref.current;
    this.moveTo("listening");
  }

  private onConnected(listener: Listener | undefined, caller: number, address: string): void {
    if (listener === undefined || listener !== this.child || this.ingest === null) {
      listener?.handle.hangUp(caller);
      return;
    }
    listener.callers.set(caller, this.feedCaller(listener.handle, caller, this.ingest));
    this.log(
      `caller ${caller} connected from ${address} (${listener.callers.size} of ${this.spec.maxCallers})`,
    );
    if (this.current === "streaming") return;
    this.failure = null;
    this.retry.reset();
    this.moveTo("streaming");
    this.streamingSince = Date.now();
  }

  /** A hub reader from the current keyframe, as MPEG-TS, into the listener for this caller. */
  private feedCaller(server: PlaybackServer, caller: number, feed: IngestFeed): Caller {
    const reader = feed.open(`${this.id} caller ${caller}`);
    const send = (bytes: Buffer) => {
      this.count(bytes.length);
      if (!server.send(caller, bytes)) reader.stream.pause();
    };
    const ended = () => server.hangUp(caller);
    if (feed.container === "mpegts") {
      reader.stream.on("data", send);
      reader.stream.once("end", ended);
      reader.stream.once("error", ended);
      return { reader, remux: null };
    }
    const input = { stream: reader.stream, container: feed.container, codecs: feed.codecs };
    // Its info lines (ffmpeg's banner of streams) for every caller would push the callers' lines out of the log.
    const log = (text: string) => {
      if (!text.includes("[info]")) this.log(`caller ${caller} remux: ${text}`);
    };
    const remux = this.engine.remux(input, { data: send, log, exit: ended });
    return { reader, remux };
  }

  private onLeft(listener: Listener | undefined, caller: number, reason: string): void {
    const entry = listener?.callers.get(caller);
    if (listener === undefined || entry === undefined) return;
    listener.callers.delete(caller);
    this.closeCaller(entry);
    this.log(`caller ${caller} left (${reason}); ${listener.callers.size} connected`);
    if (listener === this.child && listener.callers.size === 0 && this.current === "streaming") {
      this.moveTo("listening");
    }
  }

  private closeCaller(caller: Caller): void {
    caller.reader.close();
    void caller.remux?.stop();
  }

  private count(bytes: number): void {
    const now = Date.now();
    this.windowBytes += bytes;
    let { bitrateBps } = this.progress;
    if (now - this.windowStart >= RATE_WINDOW_MS) {
      bitrateBps = Math.round((this.windowBytes * 8_000) / (now - this.windowStart));
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.progress = { bitrateBps, bytesSent: this.progress.bytesSent + bytes, speed: 1 };
  }

  private onExit(listener: Listener | undefined, failure: RelayFailure | null): void {
    if (listener === undefined || listener !== this.child) return; // one we stopped on purpose
    this.detach();
    if (failure) this.fail(failure);
    else this.settle();
  }
}
