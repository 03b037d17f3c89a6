// A restream placed on this node because the node that ran it vanished from the mesh (frozen,
// crashed, cut off: not a clean stop, drain or move) may find the destination still holding that
// node's session: nginx-rtmp, like hosted ingest servers, keeps a publisher's session until it has
// been idle for its timeout (drop_idle_publisher), and answers a new publish of the same key
// "already publishing" meanwhile. So for TAKEOVER_GRACE_MS after the takeover's first connect, and
// until it first streams, a refusal is read as that lingering session: the push tries again every
// TAKEOVER_RETRY_MS and its state does not become an error. After the window it is a refusal like
// any other (error, backoff).
//
// States (node/kit/state-machine.ts):
//   armed  -> open | closed   first connect (the window starts) / streamed
//   open   -> closed          streamed, or a failure after the window
//   closed                    not a takeover, or over: failures back off as usual
import type { ErrorCode } from "../defs/restream-status.js";
import { StateMachine, type Transitions } from "../kit/state-machine.js";

/**
 * How long after its first connect a takeover reads a refusal as the previous node's session. Peers
 * see a node gone 2.0-2.8 s after its last beat, and the takeover connects after that, so this
 * covers destinations that drop a silent publisher within ~12 s (nginx-rtmp's drop_idle_publisher
 * as the lab sets it: 3 s); a destination that keeps one longer gets the usual backoff after it.
 */
export const TAKEOVER_GRACE_MS = 10_000;

/** Retry period within the window: streaming at most 0.5 s after the old session is dropped (the backoff's first wait is 0.8-1.2 s, then doubles). */
export const TAKEOVER_RETRY_MS = 500;

type GraceState = "armed" | "open" | "closed";

const TRANSITIONS: Transitions<GraceState> = {
  armed: ["open", "closed"],
  open: ["closed"],
  closed: [],
};

/** What to do after a failed connect: try again in TAKEOVER_RETRY_MS, or back off as usual. */
export type FailureVerdict = "lingering_session" | "back_off";

export class TakeoverGrace {
  private readonly machine: StateMachine<GraceState>;
  private openedAt = 0;

  /** `previousNodeId`: the vanished node the restream ran on; undefined: not a takeover. */
  constructor(
    readonly previousNodeId: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    const initial = previousNodeId === undefined ? "closed" : "armed";
    this.machine = new StateMachine(`takeover from ${previousNodeId ?? "-"}`, TRANSITIONS, initial);
  }

  get state(): GraceState {
    return this.machine.current;
  }

  /** A connect begins; the first one opens the window. */
  connecting(): void {
    if (this.machine.current !== "armed") return;
    this.openedAt = this.now();
    this.machine.move("open");
  }

  /** The push streams: any later refusal is the destination's own. */
  streamed(): void {
    this.machine.move("closed");
  }

  /** A connect failed with `code` before streaming. */
  verdict(code: ErrorCode): FailureVerdict {
    if (this.machine.current !== "open") return "back_off";
    if (this.now() - this.openedAt >= TAKEOVER_GRACE_MS) {
      this.machine.move("closed");
      return "back_off";
    }
    return code === "destination_rejected" ? "lingering_session" : "back_off";
  }
}
