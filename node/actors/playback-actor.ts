// PlaybackActor: serves one channel to SRT callers (Remote Playback), one caller at a time, on the
// port and passphrase allocated with the restream.
//
// States and the only legal moves (anything else throws IllegalTransitionError):
//   idle      -> waiting | listening              start()
//   waiting   -> listening | idle                 the channel went live here / stop()
//   listening -> streaming | stopping | backoff   a caller connected / stop, ingest changed / listener failed
//   streaming -> listening | waiting | stopping  the caller left: listen anew (or the channel ended) / stop, ingest changed
//   stopping  -> idle | waiting | listening       the listener exited: settle() decides
//   backoff   -> listening | waiting | idle       retry timer / channel gone / stop()
//
// A listener is an ffmpeg that opens its input from a primed stream (node/hub/primed-stream.ts)
// and then waits in the SRT accept; the stream flows only once a caller has connected, so the hub
// never holds data for a listener nobody pulls from, and each caller starts on a fresh keyframe.
// The wanted order, the queue, fail/halt/detach are the actors' common part (./actor.ts).
// Reported: Streaming while a caller pulls, Error while waiting to retry a failed listener,
// Awaiting Stream otherwise.
import type {
  IngestFeed,
  ListenerEngine,
  PlaybackSpec,
  PrimedReader,
  RelayFailure,
  RelayHandle,
  RelayProgress,
} from "../defs/relay.js";
import type { Transitions } from "../kit/state-machine.js";
import { Actor, type ActorParent, type CommonState } from "./actor.js";

export type PlaybackState = CommonState | "listening";

export const PLAYBACK_TRANSITIONS: Transitions<PlaybackState> = {
  idle: ["waiting", "listening"],
  waiting: ["listening", "idle"],
  listening: ["streaming", "stopping", "backoff"],
  streaming: ["listening", "waiting", "stopping"],
  stopping: ["idle", "waiting", "listening"],
  backoff: ["listening", "waiting", "idle"],
};

interface Listener {
  readonly handle: RelayHandle;
  readonly reader: PrimedReader;
}

const UNPRIMED = "Remote Playback cannot serve a channel ingested over SRT yet; publish it over RTMP";

export class PlaybackActor extends Actor<"listening", Listener> {
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

  /** Port and passphrase never change after creation: nothing to do. */
  update(): Promise<void> {
    return this.enqueue(() => {});
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
    else this.listen(this.ingest);
  }

  private listen(feed: IngestFeed): void {
    if (!feed.openPrimed) {
      this.moveTo("listening");
      this.fail({ code: "internal", message: UNPRIMED });
      return;
    }
    this.newChild();
    const reader = feed.openPrimed(this.id);
    const ref: { current?: Listener } = {};
    const input = { stream: reader.stream, container: feed.container };
    const handle = this.engine.listen(input, this.spec, {
      connected: () => void this.enqueue(() => this.onConnected(ref.current)),
      progress: (progress) => void this.enqueue(() => this.onProgress(ref.current, progress)),
      log: (text) => this.log(text),
      exit: (failure) => void this.enqueue(() => this.onExit(ref.current, failure)),
    });
    ref.current = { handle, reader };
    this.child = ref.current;
    this.moveTo("listening");
  }

  private onConnected(listener: Listener | undefined): void {
    if (listener === undefined || listener !== this.child) return;
    listener.reader.resume();
    this.failure = null;
    this.retry.reset();
    this.log("a caller connected");
    this.moveTo("streaming");
    this.streamingSince = Date.now();
  }

  private onProgress(listener: Listener | undefined, progress: RelayProgress): void {
    if (listener !== undefined && listener === this.child) this.progress = progress;
  }

  private onExit(listener: Listener | undefined, failure: RelayFailure | null): void {
    if (listener === undefined || listener !== this.child) return; // one we stopped on purpose
    this.detach();
    if (failure) this.fail(failure);
    else {
      this.log("the caller left: listening again");
      this.settle();
    }
  }
}
