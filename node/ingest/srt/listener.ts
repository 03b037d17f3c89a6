// SrtListener: one channel's SRT ingest, kept listening by itself. Each run is one ffmpeg listener
// that serves one caller (node/ffmpeg/args.ts srtIngestCommand) and exits when it leaves; the listener
// then starts a new one. A run that ends without a caller (a bind failure, a crash) retries with
// the restreams' capped exponential backoff, so nothing ever restarts in a hot loop. What the
// caller's bytes become is its session's business (the parent's `session`): MPEG-TS units for SRT
// ingest, FLV tags or MPEG-TS units for a chain link.
//
// States and the only legal moves (anything else throws IllegalTransitionError):
//   listening -> receiving | waiting | stopping    the caller's first bytes / ffmpeg exited / stop()
//   receiving -> waiting | stopping                the caller left (ffmpeg exited) / stop()
//   waiting   -> listening | stopped               restart timer / stop()
//   stopping  -> stopped                           ffmpeg exited
//   stopped   -> (none)
import type { Container } from "../../defs/container.js";
import type { IngestInput } from "../../defs/ingest-input.js";
import { srtIngestCommand } from "../../ffmpeg/args.js";
import type { ExitClassifier } from "../../ffmpeg/exit.js";
import type { PidRegistry } from "../../ffmpeg/pidfile.js";
import { type FfmpegProcess, startFfmpeg } from "../../ffmpeg/process.js";
import { backoffDelay } from "../../kit/backoff.js";
import { StateMachine, type Transitions } from "../../kit/state-machine.js";
import type { IngestSink } from "../registry.js";

export type ListenerState = "listening" | "receiving" | "waiting" | "stopping" | "stopped";

const TRANSITIONS: Transitions<ListenerState> = {
  listening: ["receiving", "waiting", "stopping"],
  receiving: ["waiting", "stopping"],
  waiting: ["listening", "stopped"],
  stopping: ["stopped"],
  stopped: [],
};

/** After a caller leaves: long enough to never spin, short enough that a reconnecting encoder barely notices. */
export const RELISTEN_DELAY_MS = 300;
/** ffmpeg waiting in accept() leaves on SIGINT at once; a wedged one gets SIGKILL after this. */
const STOP_GRACE_MS = 2_000;

export interface ListenerSpec {
  readonly channelId: string;
  readonly bindHost: string;
  readonly port: number;
  readonly passphrase: string;
  /** What the caller sends, and what ffmpeg writes on its stdout unless `output` says otherwise. */
  readonly container: Container;
  /** What ffmpeg writes on its stdout when not `container` (SRT ingest with a backup: FLV). */
  readonly output?: Container;
  /** Which of the channel's inputs the caller is (SRT ingest with a backup); absent: the only one. */
  readonly input?: IngestInput;
}

/** One run's caller, as its session sees it. */
export interface Caller {
  readonly channelId: string;
  /** Which of the channel's inputs (the spec's; primary when it names none). */
  readonly input: IngestInput;
  /** Unique per run: names the caller in the registry's logs. */
  readonly id: string;
  /** Ends this run's caller (the channel went live on another node), never a later run's. */
  drop(): void;
  /** The caller cannot be served: logged, then dropped. */
  refuse(reason: string): void;
}

/** served: a caller sent media into the channel; refused: a caller came but was turned away. */
export type SessionOutcome = "served" | "refused" | "none";

/** One caller, from its first byte to the run's exit: ffmpeg's stdout and stderr go here. */
export interface CallerSession {
  readonly outcome: SessionOutcome;
  stdout(chunk: Buffer): void;
  stderrLine(text: string): void;
  /** ffmpeg exited: the caller is gone. */
  end(reason: string): void;
}

/** How a session takes its channel (null: live already) and turns its caller away. */
export interface SessionParent<U> {
  claim(): IngestSink<U> | null;
  refuse(reason: string): void;
}

export interface ListenerParent {
  /** The session of a run's caller (./session.ts tsSessions, ./flv-session.ts flvSessions). */
  session(caller: Caller): CallerSession;
  readonly log: {
    info(details: Record<string, unknown>, message: string): void;
    warn(details: Record<string, unknown>, message: string): void;
  };
  readonly pids?: PidRegistry;
  /** Why a run's ffmpeg ended, for the log: an SRT ingest's or a chain link's words (./listener-exit.ts). */
  readonly exitReason: ExitClassifier<string>;
  /** For tests; default "ffmpeg" from PATH. */
  readonly ffmpegPath?: string;
}

export class SrtListener {
  private readonly machine: StateMachine<ListenerState>;
  private process: FfmpegProcess<string> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private runs = 0;
  private readonly stopped: Promise<void>;
  private resolveStopped: () => void = () => {};

  constructor(
    readonly spec: ListenerSpec,
    private readonly parent: ListenerParent,
  ) {
    this.machine = new StateMachine(`SRT listener ${spec.channelId}`, TRANSITIONS, "waiting");
    this.stopped = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
    this.listen();
  }

  get current(): ListenerState {
    return this.machine.current;
  }

  /** Stops listening (dropping a caller, if any); resolves once ffmpeg has exited. Idempotent. */
  stop(): Promise<void> {
    clearTimeout(this.timer);
    if (this.current === "waiting") this.finish();
    else if (this.current === "listening" || this.current === "receiving") {
      this.machine.move("stopping");
      void this.process?.stop(STOP_GRACE_MS);
    }
    return this.stopped;
  }

  private listen(): void {
    this.machine.move("listening");
    this.runs += 1;
    const { channelId, port } = this.spec;
    const callerId = `srt-${channelId}${this.spec.input === "backup" ? "-backup" : ""}-${this.runs}`;
    const drop = () => void run.stop(STOP_GRACE_MS);
    const session = this.parent.session({
      channelId,
      input: this.spec.input ?? "primary",
      id: callerId,
      drop,
      refuse: (reason) => {
        this.parent.log.warn({ channelId, port, reason }, "SRT caller refused");
        drop();
      },
    });
    const command = srtIngestCommand(this.spec);
    const run = startFfmpeg({
      args: command.args,
      script: command.script,
      secrets: [this.spec.passphrase],
      pidRegistry: this.parent.pids,
      ffmpegPath: this.parent.ffmpegPath,
      onStdout: (chunk) => {
        if (this.current === "listening") this.onCaller();
        session.stdout(chunk);
      },
      onStderrLine: (line) => {
        session.stderrLine(line.text);
        // libsrt's own reason for a refused handshake, e.g. "Incorrect passphrase".
        const rejected = /rsp\(REJECT\): \d+ - (.*)$/.exec(line.text);
        if (rejected) this.parent.log.warn({ channelId, port, reason: rejected[1] }, "SRT handshake refused");
      },
      classify: this.parent.exitReason,
      onExit: (exit) => this.onExit(session, exit.outcome),
    });
    this.process = run;
    this.parent.log.info({ channelId, port }, "SRT ingest listening");
  }

  private onCaller(): void {
    this.machine.move("receiving");
    this.parent.log.info({ channelId: this.spec.channelId, port: this.spec.port }, "SRT caller connected");
  }

  /** A served caller relistens at once; a refused one or a run without a caller backs off. */
  private onExit(session: CallerSession, reason: string | null): void {
    session.end("caller_left");
    this.process = null;
    if (this.current === "stopping") {
      this.finish();
      return;
    }
    const { channelId, port } = this.spec;
    const outcome = session.outcome;
    this.machine.move("waiting");
    let delay = RELISTEN_DELAY_MS;
    if (outcome === "served") {
      this.failures = 0;
      this.parent.log.info({ channelId, ...(reason && { reason }) }, "SRT caller left");
    } else {
      this.failures += 1;
      delay = backoffDelay(this.failures);
      if (outcome === "none") {
        this.parent.log.warn(
          { channelId, port, retryInMs: delay, reason },
          "SRT ingest listener exited without a caller",
        );
      }
    }
    this.timer = setTimeout(() => this.listen(), delay);
  }

  private finish(): void {
    this.machine.move("stopped");
    this.resolveStopped();
  }
}
