// How an ffmpeg ended, as the process wrapper sees it, and the one thing it cannot say itself: what
// that means. The wrapper runs relays, Remote Playback listeners, SRT ingest and chain listeners
// alike; each user passes its own classifier (datarhei core's process takes a Parser the same way).

export interface ExitFacts {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Stderr lines, oldest first (StderrRing.texts()), redacted. */
  readonly stderrLines: readonly string[];
  /** We asked it to stop (SIGINT, then maybe SIGKILL). */
  readonly stoppedByUs: boolean;
}

/** What an exit means to the process's user; null: nothing went wrong (a clean stop, a finished input). */
export type ExitClassifier<O> = (exit: ExitFacts) => O | null;

/** ffmpeg logged "Output #0 ... to": its output opened (a relay connected, a listener got its caller). */
export function outputOpened(lines: readonly string[]): boolean {
  return lines.some((line) => /Output #\d+, \w+, to '/.test(line));
}

/** A listener's ffmpeg could not bind its port: another program holds it (libsrt says so at once). */
export function bindFailed(lines: readonly string[]): boolean {
  return lines.some((line) => /Address already in use/.test(line));
}
