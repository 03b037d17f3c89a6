// The native restream engine: RTMP and RTMPS pushes written in TypeScript inside the node, fed the
// hub's FLV tags directly. No child process per restream, the server's own refusal reasons in the
// logs, stream keys never in a process's arguments. See docs/decisions.md for what it costs.
import type { RelayEvents, RelayHandle, TagSource } from "../defs/relay.js";
import { SYSTEM_CA_FILE } from "../kit/ca-file.js";
import { NativePush, type NativeSpec } from "./push.js";
import { Ticker } from "./ticker.js";

export class NativeRtmpEngine {
  private readonly ticker = new Ticker();

  /** `caFile`: the roots RTMPS destinations are verified against, the same file ffmpeg is given. */
  constructor(private readonly caFile: string = SYSTEM_CA_FILE) {}

  start(source: TagSource, spec: NativeSpec, events: RelayEvents): RelayHandle {
    const push = new NativePush(source, spec, events, this.ticker, this.caFile);
    push.start();
    return { stop: () => push.stop() };
  }
}
