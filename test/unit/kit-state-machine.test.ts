import { describe, expect, it } from "vitest";
import { IllegalTransitionError, StateMachine, type Transitions } from "../../node/kit/state-machine.js";

type Light = "off" | "warming" | "on" | "broken";

const LIGHT: Transitions<Light> = {
  off: ["warming"],
  warming: ["on", "off", "broken"],
  on: ["off", "broken"],
  broken: [],
};

describe("StateMachine", () => {
  it("moves along its table and counts each state entered, not the initial one", () => {
    const machine = new StateMachine("light", LIGHT, "off");
    for (const next of ["warming", "on", "off", "warming", "on"] as const) machine.move(next);
    expect(machine.current).toBe("on");
    expect(machine.entered).toEqual({ off: 1, warming: 2, on: 2, broken: 0 });
  });

  it("throws IllegalTransitionError naming the machine and the move, and stays put", () => {
    const machine = new StateMachine("light 7", LIGHT, "off");
    expect(() => machine.move("on")).toThrow(IllegalTransitionError);
    expect(() => machine.move("on")).toThrow("light 7: off -> on is not allowed");
    expect(machine.current).toBe("off");
    expect(machine.entered.on).toBe(0);
  });

  it("has no way out of a state whose list is empty", () => {
    const machine = new StateMachine("light", LIGHT, "broken");
    for (const next of ["off", "warming", "on"] as const) expect(machine.can(next)).toBe(false);
    expect(() => machine.move("off")).toThrow(IllegalTransitionError);
  });

  it("treats a move to the current state as no move: false, no count, no hook", () => {
    const changes: string[] = [];
    const machine = new StateMachine("light", LIGHT, "off", {
      onChange: (from, to) => changes.push(`${from}->${to}`),
    });
    expect(machine.move("off")).toBe(false);
    expect(machine.move("warming")).toBe(true);
    expect(machine.move("warming")).toBe(false);
    expect(machine.entered).toMatchObject({ off: 0, warming: 1 });
    expect(changes).toEqual(["off->warming"]);
  });

  it("calls the hook after the move, so it sees the new state", () => {
    const seen: Light[] = [];
    const machine: StateMachine<Light> = new StateMachine("light", LIGHT, "off", {
      onChange: () => seen.push(machine.current),
    });
    machine.move("warming");
    machine.move("broken");
    expect(seen).toEqual(["warming", "broken"]);
  });

  it("calls no hook on an illegal move", () => {
    let calls = 0;
    const machine = new StateMachine("light", LIGHT, "off", { onChange: () => calls++ });
    expect(() => machine.move("broken")).toThrow(IllegalTransitionError);
    expect(calls).toBe(0);
  });
});
