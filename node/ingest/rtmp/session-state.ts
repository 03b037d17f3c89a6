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

/** The session's machine: the kit's, on this table, starting in the handshake. */
export function sessionStateMachine(): StateMachine<SessionState> {
  return new StateMachine("rtmp session", TRANSITIONS, "handshake");
}
