// What every actor is made of: a transition table that rejects illegal moves, one queue that runs
// its commands and engine events one at a time, and a bounded log a user can read.
import { StreamwellError } from "../defs/errors.js";

export class IllegalTransitionError extends StreamwellError {}

export interface LogLine {
  readonly time: string;
  readonly text: string;
}

export const LOG_LINES = 200;

export class StateMachine<S extends string> {
  private state: S;
  /** How often each state was entered. */
  readonly entered: Record<S, number>;

  constructor(
    private readonly name: string,
    private readonly transitions: Record<S, readonly S[]>,
    initial: S,
  ) {
    this.state = initial;
    this.entered = Object.fromEntries(Object.keys(transitions).map((s) => [s, 0])) as Record<S, number>;
  }

  get current(): S {
    return this.state;
  }

  /** Moves to `next`; false when already there; throws on a move the table does not allow. */
  move(next: S): boolean {
    if (next === this.state) return false;
    if (!this.transitions[this.state].includes(next)) {
      throw new IllegalTransitionError(`${this.name}: ${this.state} -> ${next} is not allowed`);
    }
    this.state = next;
    this.entered[next] += 1;
    return true;
  }
}

/** Runs steps one after another; a step that throws is logged and does not stop the queue. */
export class CommandQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  run(step: () => Promise<void> | void): Promise<void> {
    this.tail = this.tail.then(step).catch(this.onError);
    return this.tail;
  }
}

export class ActorLog {
  private readonly kept: LogLine[] = [];

  push(text: string): void {
    this.kept.push({ time: new Date().toISOString(), text });
    if (this.kept.length > LOG_LINES) this.kept.shift();
  }

  get lines(): readonly LogLine[] {
    return this.kept;
  }
}
