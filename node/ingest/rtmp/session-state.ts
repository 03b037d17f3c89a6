// The states of one RTMP ingest connection and every legal move between them. An illegal move
// is a bug in the session, not a peer fault: it throws.
//
//   handshake --> connecting --> connected --> authorizing --> publishing
//                                    ^              |               |
//                                    +--------------+---------------+  (publish abandoned / unpublish)
//   every state --> closed
export type SessionState = "handshake" | "connecting" | "connected" | "authorizing" | "publishing" | "closed";

export const TRANSITIONS: Record<SessionState, readonly SessionState[]> = {
  handshake: ["connecting", "closed"],
  connecting: ["connected", "closed"],
  connected: ["authorizing", "closed"],
  authorizing: ["publishing", "connected", "closed"],
  publishing: ["connected", "closed"],
  closed: [],
};

export class IllegalSessionTransitionError extends Error {
  constructor(from: SessionState, to: SessionState) {
    super(`illegal RTMP session transition ${from} -> ${to}`);
    this.name = "IllegalSessionTransitionError";
  }
}

/** Tracks the state and how often each was entered (for tests and debugging). */
export class SessionStateMachine {
  private current: SessionState = "handshake";
  readonly entered: Record<SessionState, number> = {
    handshake: 1,
    connecting: 0,
    connected: 0,
    authorizing: 0,
    publishing: 0,
    closed: 0,
  };

  get state(): SessionState {
    return this.current;
  }

  to(next: SessionState): void {
    if (!TRANSITIONS[this.current].includes(next))
      throw new IllegalSessionTransitionError(this.current, next);
    this.current = next;
    this.entered[next]++;
  }
}
