// What the mesh benchmark reads in a node's JSON log: the scheduler's rounds that delivered
// placements, the placements it wrote, and Moleculer noticing that another node vanished. Times are the log's own (wall
// clock, ms), so a busy benchmark process reading the pipes late does not skew them.

export interface Reconciled {
  readonly at: number;
  readonly wanted: number;
  readonly delivered: number;
  /** The round's own duration, as the scheduler measured it. */
  readonly ms: number;
}

export interface Disconnect {
  readonly at: number;
  readonly nodeId: string;
}

const DISCONNECT = /Node '([^']+)' disconnected unexpectedly/;
const TAIL_LINES = 30;

export class NodeLog {
  readonly reconciled: Reconciled[] = [];
  readonly disconnects: Disconnect[] = [];
  /** When each placement was written (log times, in the order logged). */
  readonly written: number[] = [];
  /** The last warnings and errors, to say why a run failed. */
  readonly problems: string[] = [];

  /** Feed it every stdout line of the node. */
  readonly onLine = (line: string): void => {
    if (/"level":(40|50|60)/.test(line)) {
      this.problems.push(line.slice(0, 500));
      if (this.problems.length > TAIL_LINES) this.problems.shift();
    }
    if (
      !line.includes('"reconciled"') &&
      !line.includes('"placement_written"') &&
      !line.includes("disconnected unexpectedly")
    )
      return;
    let entry: {
      time?: string;
      event?: string;
      wanted?: number;
      delivered?: number;
      ms?: number;
      msg?: string;
    };
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    const at = Date.parse(entry.time ?? "");
    if (!Number.isFinite(at)) return;
    if (entry.event === "placement_written") this.written.push(at);
    if (entry.event === "reconciled")
      this.reconciled.push({
        at,
        wanted: entry.wanted ?? 0,
        delivered: entry.delivered ?? 0,
        ms: entry.ms ?? 0,
      });
    const gone = DISCONNECT.exec(entry.msg ?? "");
    if (gone?.[1]) this.disconnects.push({ at, nodeId: gone[1] });
  };

  /** The first round at or after `since` that delivered at least `count` placements. */
  delivered(count: number, since: number): Reconciled | undefined {
    return this.reconciled.find((round) => round.at >= since && round.delivered >= count);
  }

  /** Rounds at or after `since`. */
  roundsSince(since: number): Reconciled[] {
    return this.reconciled.filter((round) => round.at >= since);
  }

  /** Placements written at or after `since`, in the order logged. */
  writtenSince(since: number): number[] {
    return this.written.filter((at) => at >= since);
  }

  disconnected(nodeId: string, since: number): Disconnect | undefined {
    return this.disconnects.find((event) => event.nodeId === nodeId && event.at >= since);
  }
}
