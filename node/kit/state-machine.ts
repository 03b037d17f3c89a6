// The one state machine helper of the node: every long-lived object (both actors, the SRT listener,
// the native push and its publisher, the hub reader, the RTMP ingest session) keeps its state in one
// of these, so each lists its legal moves as a table, counts how often each state was entered and
// throws the same error on a move its table does not list (datarhei core's process.go does the same).
import { StreamwellError } from "../defs/errors.js";

/** A move the transition table does not list: a bug in the object that asked for it, never a peer's fault. */
export class IllegalTransitionError extends StreamwellError {}

/** For each state, the states it may move to. */
export type Transitions<S extends string> = Record<S, readonly S[]>;

export interface MachineOptions<S extends string> {
  /** Called after every move, with the state left and the state entered. */
  readonly onChange?: (from: S, to: S) => void;
}

export class StateMachine<S extends string> {
  private at: S;
  private readonly counts: Record<S, number>;

  /** `name` says whose machine it is in the error message, e.g. "restream rs_1". */
  constructor(
    private readonly name: string,
    private readonly transitions: Transitions<S>,
    initial: S,
    private readonly options: MachineOptions<S> = {},
  ) {
    this.at = initial;
    this.counts = Object.fromEntries(Object.keys(transitions).map((s) => [s, 0])) as Record<S, number>;
  }

  get current(): S {
    return this.at;
  }

  /** How often each state was entered by a move (the initial state is not counted). */
  get entered(): Readonly<Record<S, number>> {
    return this.counts;
  }

  /** Whether the table lists a move from the current state to `next`. */
  can(next: S): boolean {
    return this.transitions[this.at].includes(next);
  }

  /** Moves to `next`; false (and no hook) when already there; throws on a move the table does not list. */
  move(next: S): boolean {
    if (next === this.at) return false;
    if (!this.can(next)) {
      throw new IllegalTransitionError(`${this.name}: ${this.at} -> ${next} is not allowed`);
    }
    const from = this.at;
    this.at = next;
    this.counts[next] += 1;
    this.options.onChange?.(from, next);
    return true;
  }
}
