// The last lines ffmpeg wrote to stderr, for the restream's logs API and the classifier. ffmpeg
// echoes full URLs (an SRT passphrase in a query, a stream key in an RTMP path), so every line is
// redacted before it is stored: nothing unredacted outlives push().

import { maskSecrets, redactUrl, secretVariants } from "../kit/redaction.js";

export interface StderrLine {
  /** ISO 8601 time the line was read. */
  readonly time: string;
  readonly text: string;
}

export interface StderrRingOptions {
  /** Strings replaced by "***" wherever they appear (stream key, passphrase). */
  readonly secrets?: readonly string[];
  readonly capacity?: number;
  readonly now?: () => Date;
}

const DEFAULT_CAPACITY = 200;
/** Longer lines are cut (after redaction): ffmpeg's own lines are far shorter. */
const MAX_LINE = 2000;
const TRUNCATED = " [truncated]";

export class StderrRing {
  private readonly secrets: readonly string[];
  private readonly capacity: number;
  private readonly now: () => Date;
  private readonly ring: StderrLine[] = [];
  private pending = "";
  private pendingCut = false;
  private lastErrorLine: StderrLine | null = null;

  constructor(options: StderrRingOptions = {}) {
    this.secrets = secretVariants(options.secrets ?? []);
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.now = options.now ?? (() => new Date());
  }

  /** Adds a chunk of stderr text; returns the lines it completed, redacted. */
  push(chunk: string): StderrLine[] {
    const parts = chunk.split(/\r\n|\r|\n/);
    const done: StderrLine[] = [];
    for (let i = 0; i < parts.length; i += 1) {
      this.append(parts[i] ?? "");
      if (i < parts.length - 1) this.flushLine(done);
    }
    return done;
  }

  /** At exit: keeps a last line that had no newline. */
  end(): StderrLine[] {
    const done: StderrLine[] = [];
    if (this.pending !== "" || this.pendingCut) this.flushLine(done);
    return done;
  }

  lines(): StderrLine[] {
    return [...this.ring];
  }

  texts(): string[] {
    return this.ring.map((line) => line.text);
  }

  get lastError(): StderrLine | null {
    return this.lastErrorLine;
  }

  private append(part: string): void {
    // Keep a margin past MAX_LINE so that a secret straddling the cut is still whole when redacted.
    const room = MAX_LINE + this.longestSecret() - this.pending.length;
    if (part.length > room) this.pendingCut = true;
    this.pending += part.slice(0, Math.max(0, room));
  }

  private flushLine(done: StderrLine[]): void {
    let text = redactUrl(maskSecrets(this.pending, this.secrets));
    if (this.pendingCut || text.length > MAX_LINE) text = text.slice(0, MAX_LINE) + TRUNCATED;
    this.pending = "";
    this.pendingCut = false;
    if (text.trim() === "") return;
    const line = { time: this.now().toISOString(), text };
    this.ring.push(line);
    if (this.ring.length > this.capacity) this.ring.shift();
    if (looksLikeError(text)) this.lastErrorLine = line;
    done.push(line);
  }

  private longestSecret(): number {
    return this.secrets.reduce((max, secret) => Math.max(max, secret.length), 0);
  }
}

// With -loglevel level+info each ffmpeg line carries its level; untagged lines (continuations,
// libsrt's own log) count when they read like a failure.
const ERROR_TAG = /\[(?:error|fatal|panic)\]/;
const OTHER_TAG = /\[(?:warning|info|verbose|debug|trace)\]/;
const ERROR_WORDS = /error|failed|refused|timed out|broken pipe|not compatible|cannot|could not/i;

export function looksLikeError(text: string): boolean {
  if (ERROR_TAG.test(text)) return true;
  if (OTHER_TAG.test(text)) return false;
  return ERROR_WORDS.test(text);
}
