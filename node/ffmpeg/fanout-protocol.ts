// The pipe protocol of the srt-fanout helper (./srt-fanout.c). Pure, so both ends are unit-tested.
// stdin: frames of [caller id: u32 BE][length: u32 BE][bytes]; the first (id 0) is the passphrase,
// a frame of length 0 hangs up on the caller. stdout: one event per line.

/** A frame for the helper's stdin. */
export function frame(caller: number, bytes: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(caller, 0);
  header.writeUInt32BE(bytes.length, 4);
  return Buffer.concat([header, bytes]);
}

/** The first frame: the passphrase, so it is never in the helper's argv. */
export function passphraseFrame(passphrase: string): Buffer {
  return frame(0, Buffer.from(passphrase, "latin1"));
}

export type FanoutEvent =
  | { readonly type: "listening" }
  | { readonly type: "connected"; readonly caller: number; readonly address: string }
  | { readonly type: "refused"; readonly address: string }
  | { readonly type: "left"; readonly caller: number; readonly reason: string };

/** One stdout line as an event; null for a line the helper never prints. */
export function parseEvent(line: string): FanoutEvent | null {
  const [type, first = "", ...rest] = line.trim().split(" ");
  const caller = Number(first);
  const callerOk = Number.isInteger(caller) && caller > 0;
  if (type === "listening") return { type };
  if (type === "refused" && first !== "") return { type, address: first };
  if (type === "connected" && callerOk) return { type, caller, address: rest.join(" ") };
  if (type === "left" && callerOk) return { type, caller, reason: rest.join(" ") };
  return null;
}

/** Splits stdout chunks into whole lines. */
export class LineSplitter {
  private partial = "";

  push(chunk: Buffer | string): string[] {
    const lines = (this.partial + chunk.toString()).split("\n");
    this.partial = lines.pop() ?? "";
    return lines.filter((line) => line.length > 0);
  }
}
