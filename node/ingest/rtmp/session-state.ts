// The states of one RTMP ingest connection and every legal move between them. An illegal move
// is a bug in the session, not a peer fault: it throws IllegalTransitionError.
//
//   handshake --> connecting --> connected --> authorizing --> publishing
//                                    ^              |               |
//                                    +--------------+---------------+  (publish abandoned / unpublish)
//   every state --> closed
import { StateMachine, type Transitions } from "../../kit/state-machine.js";

export type SessionState = "handshake" | "connecting" | "connected" | "authorizing" | "publishing" | "closed";

export const TRANSITIONS: Transitions<SessionState> = {
  handshake: ["connecting", "closed"],
  connecting: ["connected", "closed"],
  connected: ["authorizing", "closed"],
  authorizing: ["publishing", "connected", "closed"],
  publishing: ["connected", "closed"],
  closed: [],
};

/**
 * The session's machine: the kit's (node/kit/state-machine.ts), under the names session.ts and
 * session-commands.ts use (`state`, `to`).
 */
export class SessionStateMachine extends StateMachine<SessionState> {
  constructor() {
    super("rtmp session", TRANSITIONS, "handshake");
  }

  get state(): SessionState {
    return this.current;
  }

  to(next: SessionState): void {
    this.move(next);
  }
}
