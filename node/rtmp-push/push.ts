// One native push: a restream's hub reader published to one RTMP/RTMPS destination, from connect
// to exit. It reports to the actor through RelayEvents exactly as the ffmpeg engine does.
//
// States and the only legal moves (anything else throws):
//   connecting -> live | stopping | done    published / stop() / failed
//   live       -> stopping | done           stop() or the feed ended / the connection failed
//   stopping   -> done                      closed
// `events.exit` is called once, on entering done.

import type { RtmpTarget } from "../defs/destination.js";
import type { RelayEvents, RelayFailure, RelaySpec, TagSource } from "../defs/relay.js";
import { redactLine } from "../kit/redaction.js";
import { StateMachine, type Transitions } from "../kit/state-machine.js";
import type { ChunkCache } from "../rtmp/chunk-cache.js";
import { formatDestinationUrl } from "../urls/destination-url.js";
import { PushError, PushTimeoutError } from "./errors.js";
import { PushMeter } from "./meter.js";
import { RtmpPublisher } from "./publisher.js";
import { TagPump } from "./pump.js";
import type { Ticker } from "./ticker.js";

export type PushState = "connecting" | "live" | "stopping" | "done";

const TRANSITIONS: Transitions<PushState> = {
  connecting: ["live", "stopping", "done"],
  live: ["stopping", "done"],
  stopping: ["done"],
  done: [],
};

/** What the native engine pushes: an RTMP or RTMPS target and a stream key. */
export interface NativeSpec extends Omit<RelaySpec, "target" | "streamKey" | "engine"> {
  readonly target: RtmpTarget;
  readonly streamKey: string;
}

/** What the engine's pushes share: its timer, its chunk cache, and their settings. */
export interface PushShared {
  readonly ticker: Ticker;
  readonly caFile: string;
  readonly chunks: ChunkCache;
  readonly chunkSize: number;
}

/** Connect, handshake and each command's answer must come within this (ffmpeg's -rw_timeout is 5 s too). */
export const STEP_TIMEOUT_MS = 5_000;

export class NativePush {
  private readonly machine = new StateMachine<PushState>("native push", TRANSITIONS, "connecting");
  private publisher: RtmpPublisher | null = null;
  private untick: () => void = () => {};
  private readonly abort = new AbortController();
  private resolveDone: () => void = () => {};
  private readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(
    private readonly source: TagSource,
    private readonly spec: NativeSpec,
    private readonly events: RelayEvents,
    private readonly shared: PushShared,
  ) {}

  start(): void {
    this.log(`native: pushing to ${formatDestinationUrl(this.spec.target, { redact: true })}`);
    RtmpPublisher.open({
      target: this.spec.target,
      streamKey: this.spec.streamKey,
      insecureSkipVerify: this.spec.insecureSkipVerify,
      caFile: this.shared.caFile,
      chunks: this.shared.chunks,
      chunkSize: this.shared.chunkSize,
      stepTimeoutMs: STEP_TIMEOUT_MS,
      signal: this.abort.signal,
      log: (text) => this.log(text),
    }).then(
      (publisher) => this.live(publisher),
      (error: unknown) => this.exit(this.machine.current === "stopping" ? null : failureOf(error)),
    );
  }

  /** Stops the push (politely when live); resolves once `events.exit` was called. */
  async stop(): Promise<void> {
    if (this.machine.current === "connecting" || this.machine.current === "live") {
      this.machine.move("stopping");
      this.untick();
      this.abort.abort();
      if (this.publisher) {
        await this.publisher.close();
        this.exit(null);
      }
    }
    await this.done;
  }

  private live(publisher: RtmpPublisher): void {
    this.publisher = publisher;
    if (this.machine.current === "stopping") {
      void publisher.close().then(() => this.exit(null));
      return;
    }
    this.machine.move("live");
    const meter = new PushMeter(Date.now());
    const pump = new TagPump(this.source, publisher, meter);
    this.untick = this.shared.ticker.add(() => {
      pump.tick();
      const progress = meter.due(Date.now());
      if (progress) this.events.progress(progress);
    });
    void publisher.ended.then((error) => {
      if (this.machine.current === "live") this.exit(error === null ? null : failureOf(error));
    });
    void this.source.whenEnded().then((reason) => {
      if (this.machine.current !== "live") return;
      if (reason.code === "too_slow") {
        publisher.destroy();
        const cut = new PushTimeoutError(
          `the destination took the stream too slowly and was cut off (${reason.message})`,
        );
        this.exit(failureOf(cut));
      } else if (reason.code === "publisher_left") {
        // Every queued tag was written by the tick that emptied the reader: end the publish cleanly.
        this.machine.move("stopping");
        this.untick();
        void publisher.close().then(() => this.exit(null));
      }
    });
  }

  private exit(failure: RelayFailure | null): void {
    if (this.machine.current === "done") return;
    this.machine.move("done");
    this.untick();
    if (failure) this.events.exit({ code: failure.code, message: this.redact(failure.message) });
    else this.events.exit(null);
    this.resolveDone();
  }

  private log(text: string): void {
    this.events.log(this.redact(text));
  }

  /** Servers may echo the stream name in their descriptions: no line or message carries the key. */
  private redact(text: string): string {
    return redactLine(text, this.spec.secrets);
  }
}

function failureOf(error: unknown): RelayFailure {
  if (error instanceof PushError) return { code: error.code, message: error.message };
  return {
    code: "internal",
    message: `native push failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}
