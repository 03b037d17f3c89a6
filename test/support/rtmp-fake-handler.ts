// A fake IngestHandler for the RTMP ingest tests: one known key per channel, a live set that
// refuses a second publisher, and sinks that record what the server told them.

import type { ChannelCodecs } from "../../node/defs/codecs.js";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import type {
  IngestHandler,
  PublishDecision,
  PublishEndReason,
  Publisher,
  PublishRequest,
  PublishSink,
  StartResult,
} from "../../node/ingest/rtmp/handler.js";
import type { IngestLog } from "../../node/ingest/rtmp/options.js";

/** Keeps the first tags and counts the rest, so a long publish does not grow the test's heap. */
const KEEP_TAGS = 3_000;

export class RecordingSink implements PublishSink {
  readonly codecsCalls: ChannelCodecs[] = [];
  readonly tags: FlvTag[] = [];
  tagCount = 0;
  tagsBeforeCodecs = 0;
  readonly ends: PublishEndReason[] = [];
  callsAfterEnd = 0;

  constructor(
    readonly channelId: string,
    readonly publisher: Publisher,
    private readonly onEnd: () => void,
  ) {}

  codecs(codecs: ChannelCodecs): void {
    if (this.ends.length > 0) this.callsAfterEnd++;
    this.codecsCalls.push(codecs);
  }

  tag(tag: FlvTag): void {
    if (this.ends.length > 0) this.callsAfterEnd++;
    if (this.codecsCalls.length === 0) this.tagsBeforeCodecs++;
    this.tagCount++;
    if (this.tags.length < KEEP_TAGS) this.tags.push(tag);
  }

  end(reason: PublishEndReason): void {
    this.ends.push(reason);
    this.onEnd();
  }
}

export class FakeIngestHandler implements IngestHandler {
  /** stream key -> channel id */
  readonly keys = new Map<string, string>([["good-key", "ch-good"]]);
  readonly live = new Set<string>();
  readonly requests: PublishRequest[] = [];
  readonly decisions: PublishDecision[] = [];
  readonly sinks: RecordingSink[] = [];
  startRefusals = 0;

  async authorize(request: PublishRequest): Promise<PublishDecision> {
    this.requests.push(request);
    const decision = this.decide(request);
    this.decisions.push(decision);
    return decision;
  }

  private decide(request: PublishRequest): PublishDecision {
    const channelId = this.keys.get(request.streamKey);
    if (request.app !== "live" || channelId === undefined) {
      return { accept: false, reason: "unknown_key", message: "unknown stream key" };
    }
    if (this.live.has(channelId)) {
      return { accept: false, reason: "already_live", message: "already publishing: this channel is live" };
    }
    return { accept: true, channelId, input: "primary" };
  }

  started(channelId: string, publisher: Publisher): StartResult {
    if (this.live.has(channelId)) {
      this.startRefusals++;
      return { accept: false, reason: "already_live", message: "already publishing: this channel is live" };
    }
    this.live.add(channelId);
    const sink = new RecordingSink(channelId, publisher, () => this.live.delete(channelId));
    this.sinks.push(sink);
    return { accept: true, sink };
  }

  sinksFor(channelId: string): RecordingSink[] {
    return this.sinks.filter((s) => s.channelId === channelId);
  }
}

export interface LogLine {
  readonly level: "info" | "warn";
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** Records log lines (to assert on refusal codes and that no key is ever logged). */
export class RecordingLog implements IngestLog {
  readonly lines: LogLine[] = [];
  info(fields: Record<string, unknown>, message: string): void {
    this.push({ level: "info", fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.push({ level: "warn", fields, message });
  }
  private push(line: LogLine): void {
    if (this.lines.length < 50_000) this.lines.push(line);
  }
  text(): string {
    return this.lines.map((l) => `${l.message} ${JSON.stringify(l.fields)}`).join("\n");
  }
}
