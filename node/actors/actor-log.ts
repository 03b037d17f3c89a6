// An actor's bounded log, the lines a user reads under GET /restreams/:id/logs (redacted by the
// engines before they get here).

export interface LogLine {
  readonly time: string;
  readonly text: string;
}

export const LOG_LINES = 200;

export class ActorLog {
  private readonly kept: LogLine[] = [];

  push(text: string): void {
    this.kept.push({ time: new Date().toISOString(), text });
    if (this.kept.length > LOG_LINES) this.kept.shift();
  }

  get lines(): readonly LogLine[] {
    return this.kept;
  }
}
