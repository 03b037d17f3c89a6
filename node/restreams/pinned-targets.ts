// SRT Push targets are names users type. The target policy checks them when saved and when
// started, but ffmpeg resolves the name again on every start and retry: a DNS answer that changes
// after the check (rebinding) would make the node send to its own loopback or LAN. So every start
// of a target marked `pinTarget` resolves and checks it here, and the engine is given the checked
// address itself. SRT needs nothing but the address: no certificate names it, no Host header.
import type {
  ListenerEngine,
  PlaybackEvents,
  PlaybackServer,
  PlaybackSpec,
  RelayEngine,
  RelayEvents,
  RelayHandle,
  RelayInput,
  RelaySpec,
  RemuxEvents,
} from "../defs/relay.js";
import type { TargetPolicy } from "../urls/target-policy.js";

export class PinnedTargets implements RelayEngine, ListenerEngine {
  constructor(
    private readonly inner: RelayEngine & ListenerEngine,
    private readonly policy: Pick<TargetPolicy, "pin">,
  ) {}

  serve(spec: PlaybackSpec, events: PlaybackEvents): PlaybackServer {
    return this.inner.serve(spec, events);
  }

  remux(input: RelayInput, events: RemuxEvents): RelayHandle {
    return this.inner.remux(input, events);
  }

  start(input: RelayInput, spec: RelaySpec, events: RelayEvents): RelayHandle {
    if (!spec.pinTarget) return this.inner.start(input, spec, events);
    let stopped = false;
    let inner: RelayHandle | undefined;
    const pinned = this.policy.pin(spec.target.host).then(
      (address) => {
        if (stopped) return events.exit(null);
        events.log(`sending to ${address} (${spec.target.host} resolved and checked now)`);
        inner = this.inner.start(input, { ...spec, target: { ...spec.target, host: address } }, events);
      },
      (error: unknown) =>
        events.exit(
          stopped
            ? null
            : { code: "destination_unreachable", message: `target refused: ${(error as Error).message}` },
        ),
    );
    return {
      async stop() {
        stopped = true;
        await pinned;
        await inner?.stop();
      },
    };
  }
}
