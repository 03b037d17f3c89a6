// InputSelector: which of a channel's two inputs (primary, backup) feeds its hub. It only decides;
// ChannelInputs (./channel-inputs.ts) splices the chosen input's units into the hub. Time comes in
// with every call, so the rules are tested with plain numbers.
//
// Rules: the primary is preferred. An input is healthy while connected and its last media unit is
// under STALL_MS old. When the input on air is lost (disconnected, or stalled while the other is
// healthy) the other goes on air at once if the owner can replay its current GOP, else on its next
// keyframe. A backup on air hands back to the primary once the primary has sent media for
// STEADY_MS without a stall, on the primary's next keyframe (both live: a seamless cut). An input
// only ever goes on air at a cut (a keyframe, or a replayed GOP that starts on one), so a publisher
// that reconnected never continues on its old session's timeline.
//
// States and legal moves:
//   idle       -> primary | backup                        the first keyframe (the primary's, while it is healthy)
//   primary    -> to_backup | backup | idle               primary lost: backup at its keyframe, or replayed now; both gone
//   backup     -> to_primary | primary | idle             primary steady, or backup lost; replayed now; both gone
//   to_backup  -> backup | primary | to_primary | idle    backup's keyframe / primary healthy again / backup gone / both gone
//   to_primary -> primary | backup | to_backup | idle     primary's keyframe / primary lost again / primary gone / both gone
// In to_X, X goes on air at its next keyframe; until then the other input stays on air (if its
// session goes on: `airSession`).
import type { IngestInput } from "../../defs/ingest-input.js";
import { StateMachine, type Transitions } from "../../kit/state-machine.js";

export type SelectorState = "idle" | "primary" | "backup" | "to_primary" | "to_backup";

const TRANSITIONS: Transitions<SelectorState> = {
  idle: ["primary", "backup"],
  primary: ["to_backup", "backup", "idle"],
  backup: ["to_primary", "primary", "idle"],
  to_backup: ["backup", "primary", "to_primary", "idle"],
  to_primary: ["primary", "backup", "to_backup", "idle"],
};

const ON_AIR: Record<SelectorState, IngestInput | null> = {
  idle: null,
  primary: "primary",
  to_backup: "primary",
  backup: "backup",
  to_primary: "backup",
};

/** No media for this long: the input is lost. */
export const STALL_MS = 2_000;
/** The primary must send media this long, without a stall, before it takes over from the backup. */
export const STEADY_MS = 5_000;

export type SwitchReason =
  | "first_input"
  | "primary_disconnected"
  | "primary_stalled"
  | "backup_disconnected"
  | "backup_stalled"
  | "primary_back";

/** What the selector asks of its owner. */
export interface SelectorParent {
  /** Puts `input`'s cached GOP on air now; false when it has none (the switch waits for a keyframe). */
  replay(input: IngestInput): boolean;
  /** `input` is on air now (after a replay, or from the unit `media()` answered "cut" for). */
  switched(input: IngestInput, reason: SwitchReason): void;
}

/** What to do with a media unit: pass it to the hub, drop it, or start its input on air with it. */
export type Verdict = "write" | "drop" | "cut";

interface Health {
  connected: boolean;
  lastMediaAt: number;
  /** Since when media has flowed without a stall; null while none has. */
  flowingSince: number | null;
}

const other = (input: IngestInput): IngestInput => (input === "primary" ? "backup" : "primary");

export class InputSelector {
  private readonly machine: StateMachine<SelectorState>;
  private readonly health: Record<IngestInput, Health> = {
    primary: { connected: false, lastMediaAt: 0, flowingSince: null },
    backup: { connected: false, lastMediaAt: 0, flowingSince: null },
  };
  /** The publisher on air is still the one that was cut in (false once it disconnects). */
  private airSession = false;
  /** Why the pending switch (to_X) was asked for. */
  private pendingReason: SwitchReason = "first_input";

  constructor(
    name: string,
    private readonly parent: SelectorParent,
  ) {
    this.machine = new StateMachine(`input selector ${name}`, TRANSITIONS, "idle");
  }

  get state(): SelectorState {
    return this.machine.current;
  }

  /** The input whose units feed the hub now; null before the first keyframe. */
  get onAir(): IngestInput | null {
    return ON_AIR[this.machine.current];
  }

  /** The input on air is still the publisher that was cut in: its tags may go out. */
  get feeding(): boolean {
    return this.airSession;
  }

  connect(input: IngestInput, now: number): void {
    this.health[input] = { connected: true, lastMediaAt: now, flowingSince: null };
  }

  disconnect(input: IngestInput, now: number): void {
    this.health[input].connected = false;
    this.health[input].flowingSince = null;
    if (this.onAir === input) this.airSession = false;
    this.evaluate(now);
  }

  /**
   * A media unit (audio or video frame) of `input`. Its owner calls this before it caches the unit:
   * a replay this call causes ends with the unit before it, and the verdict places this one.
   */
  media(input: IngestInput, keyframe: boolean, now: number): Verdict {
    const health = this.health[input];
    if (health.flowingSince === null || now - health.lastMediaAt >= STALL_MS) health.flowingSince = now;
    health.lastMediaAt = now;
    this.evaluate(now);
    const state = this.machine.current;
    const preferred = input === "primary" || !this.healthy("primary", now);
    if (keyframe && ((state === "idle" && preferred) || state === `to_${input}`)) {
      this.cutTo(input, state === "idle" ? "first_input" : this.pendingReason);
      return "cut";
    }
    return this.onAir === input && this.airSession ? "write" : "drop";
  }

  /** Called every ~100 ms: finds stalls and a steady primary. */
  tick(now: number): void {
    this.evaluate(now);
  }

  private healthy(input: IngestInput, now: number): boolean {
    const health = this.health[input];
    return health.connected && now - health.lastMediaAt < STALL_MS;
  }

  private steady(input: IngestInput, now: number): boolean {
    const since = this.health[input].flowingSince;
    return this.healthy(input, now) && since !== null && now - since >= STEADY_MS;
  }

  private evaluate(now: number): void {
    const state = this.machine.current;
    if (!this.health.primary.connected && !this.health.backup.connected) {
      if (state !== "idle") this.machine.move("idle");
      return;
    }
    if (state === "primary" || state === "backup") this.whileOnAir(state, now);
    else if (state === "to_backup" || state === "to_primary") this.whilePending(state, now);
  }

  private whileOnAir(input: IngestInput, now: number): void {
    const standby = other(input);
    const gone = !this.health[input].connected;
    // A stalled input stays on air unless the other one is healthy; a gone one always hands over.
    if (this.health[standby].connected && (gone || (!this.healthy(input, now) && this.healthy(standby, now))))
      this.handOver(standby, gone ? `${input}_disconnected` : `${input}_stalled`, now);
    else if (input === "backup" && this.steady("primary", now)) this.pend("primary", "primary_back");
  }

  private whilePending(state: "to_backup" | "to_primary", now: number): void {
    const target: IngestInput = state === "to_backup" ? "backup" : "primary";
    const current = other(target);
    if (!this.health[target].connected) {
      if (this.airSession) this.machine.move(current);
      else this.pend(current, `${target}_disconnected`);
      return;
    }
    if (!this.airSession) return;
    // The primary is preferred: healthy again before the backup's keyframe, it stays; lost again
    // before its own keyframe, the backup stays.
    if (target === "backup" && this.healthy("primary", now)) this.machine.move("primary");
    if (target === "primary" && !this.healthy("primary", now) && this.healthy("backup", now))
      this.machine.move("backup");
  }

  /** The input on air is lost: the other goes on air now if its GOP can be replayed, else at its keyframe. */
  private handOver(to: IngestInput, reason: SwitchReason, now: number): void {
    if (this.healthy(to, now) && this.parent.replay(to)) this.cutTo(to, reason);
    else this.pend(to, reason);
  }

  private pend(to: IngestInput, reason: SwitchReason): void {
    this.pendingReason = reason;
    this.machine.move(`to_${to}`);
  }

  private cutTo(input: IngestInput, reason: SwitchReason): void {
    this.machine.move(input);
    this.airSession = true;
    this.parent.switched(input, reason);
  }
}
