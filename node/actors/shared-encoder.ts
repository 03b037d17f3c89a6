// SharedEncoder: one ffmpeg that re-encodes a channel to one output profile, for every restream of
// the channel with that profile (EncoderPool, ./encoders.ts). It reads the channel's hub like any
// relay and writes FLV (MPEG-TS when the profile copies HEVC) on stdout, which is cut into units
// and fed to a hub of its own (./encoded-hub.ts): the pushes read that hub as they would the
// channel's, so the native engine and the ffmpeg engine both work.
//
// States (each run of ffmpeg writes a fresh output hub; its readers end with the run):
//   idle     -> running            the first reader opens (a restream's relay starts)
//   running  -> backoff | idle     ffmpeg failed (its error shows on every restream it feeds) / stop()
//   backoff  -> running | idle     the retry timer (1 s doubling to 30 s) / stop()
// A reader opened while idle or in backoff waits on the next run's hub.
import type { ChannelCodecs } from "../defs/codecs.js";
import type { Container } from "../defs/container.js";
import { encodedCodecs, type OutputProfile } from "../defs/output.js";
import type { FeedReader, IngestFeed } from "../defs/relay.js";
import type { RestreamError } from "../defs/restream-status.js";
import { PROGRESS_FD } from "../ffmpeg/args.js";
import { encoderArgs } from "../ffmpeg/encoder-args.js";
import type { ExitFacts } from "../ffmpeg/exit.js";
import type { PidRegistry } from "../ffmpeg/pidfile.js";
import { type FfmpegProcess, startFfmpeg } from "../ffmpeg/process.js";
import { looksLikeError } from "../ffmpeg/stderr.js";
import { Retry } from "../kit/backoff.js";
import { StateMachine, type Transitions } from "../kit/state-machine.js";
import { carrierContainer } from "../restreams/codec-rules.js";
import { type EncodedHub, encodedHub } from "./encoded-hub.js";

export type EncoderState = "idle" | "running" | "backoff";

const TRANSITIONS: Transitions<EncoderState> = {
  idle: ["running"],
  running: ["backoff", "idle"],
  backoff: ["running", "idle"],
};

export interface EncoderParent {
  readonly pids: PidRegistry;
  readonly log: {
    info(details: Record<string, unknown>, message: string): void;
    warn(details: Record<string, unknown>, message: string): void;
  };
  /** Its failure was set or cleared: the restreams it feeds report again. */
  changed(): void;
}

/** What an encoder's exit means: null when we stopped it; else why the restreams it feeds fail. */
function encoderFailure(exit: ExitFacts): string | null {
  if (exit.stoppedByUs) return null;
  const last = [...exit.stderrLines].reverse().find(looksLikeError);
  return last ? `the encoder failed: ${last}` : `the encoder ended (exit ${exit.exitCode ?? exit.signal})`;
}

export class SharedEncoder {
  readonly codecs: ChannelCodecs;
  /** What ffmpeg writes and its hub holds: FLV, or MPEG-TS for codecs FLV cannot carry. */
  readonly container: Container;
  /** What the restreams it feeds read instead of the channel. */
  readonly feed: IngestFeed;
  private readonly machine: StateMachine<EncoderState>;
  private hub: EncodedHub;
  private process: FfmpegProcess<string> | null = null;
  private input: FeedReader | null = null;
  private readonly retry = new Retry();
  private failed: RestreamError | null = null;

  constructor(
    readonly name: string,
    readonly source: IngestFeed,
    private readonly output: OutputProfile,
    private readonly parent: EncoderParent,
  ) {
    this.machine = new StateMachine(`encoder ${name}`, TRANSITIONS, "idle");
    this.codecs = encodedCodecs(source.codecs, output);
    this.container = carrierContainer(this.codecs);
    this.hub = this.newHub();
    this.feed = { codecs: this.codecs, container: this.container, open: (reader) => this.open(reader) };
  }

  get state(): EncoderState {
    return this.machine.current;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The error every restream it feeds shows, while it backs off; null while it runs. */
  get failure(): RestreamError | null {
    return this.failed;
  }

  /** Stops ffmpeg and ends its readers; a later open() starts it again. Idempotent. */
  async stop(): Promise<void> {
    this.retry.cancel();
    const process = this.process;
    this.process = null;
    if (this.state !== "idle") this.machine.move("idle");
    this.endRun();
    await process?.stop();
  }

  private open(name: string): FeedReader {
    if (this.state === "idle") this.run();
    return this.hub.open(name);
  }

  private run(): void {
    this.machine.move("running");
    const hub = this.hub;
    const input = this.source.open(`encoder ${this.name}`);
    this.input = input;
    let producing = false;
    const process = startFfmpeg<string>({
      args: encoderArgs({
        inputFormat: this.source.container,
        codecs: this.source.codecs,
        output: this.output,
        outputFormat: this.container,
        progressFd: PROGRESS_FD,
      }),
      input: input.stream,
      pidRegistry: this.parent.pids,
      onStdout: (chunk) => {
        if (hub.isEnded) return;
        hub.write(chunk);
        if (!producing) {
          producing = true;
          this.recovered();
        }
      },
      classify: encoderFailure,
      onExit: (exit) => {
        if (this.process !== process) return; // stopped: stop() has dealt with it
        this.process = null;
        this.failedRun(exit.error ? "ffmpeg could not be started (is it installed?)" : exit.outcome);
      },
    });
    this.process = process;
    this.parent.log.info(
      { event: "encoder_started", encoder: this.name, pid: process.pid },
      "encoder started",
    );
  }

  /** A run ended by itself: its readers end, and the next run waits for the retry timer. */
  private failedRun(reason: string | null): void {
    this.endRun();
    const message = reason ?? "the encoder's input ended";
    const delay = this.retry.schedule(() => {
      if (this.state === "backoff") this.run();
    });
    this.failed = { code: "internal", message, retryAt: new Date(Date.now() + delay).toISOString() };
    this.parent.log.warn({ event: "encoder_failed", encoder: this.name, reason: message }, "encoder failed");
    this.machine.move("backoff");
    this.parent.changed();
  }

  private recovered(): void {
    this.retry.reset();
    if (this.failed === null) return;
    this.failed = null;
    this.parent.changed();
  }

  /** Ends this run's readers and input; the next run writes a new hub. */
  private endRun(): void {
    this.input?.close();
    this.input = null;
    this.hub.end();
    this.hub = this.newHub();
  }

  private newHub(): EncodedHub {
    return encodedHub(this.container, this.parent.log);
  }
}
