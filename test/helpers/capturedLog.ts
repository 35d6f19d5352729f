/** A pino logger whose JSON lines a test reads: every line so far, or the next one that matches. */
import pino, { type Level, type Logger } from "pino";

export class CapturedLog<Line extends object> {
  readonly lines: Line[] = [];
  readonly logger: Logger;
  private readonly waiting: { match: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];

  constructor(level: Level) {
    this.logger = pino({ level }, { write: (text: string) => this.heard(JSON.parse(text) as Line) });
  }

  /** The first line logged from now on that `match`es. */
  next(match: (line: Line) => boolean): Promise<Line> {
    return new Promise((resolve) => this.waiting.push({ match, resolve }));
  }

  private heard(line: Line): void {
    this.lines.push(line);
    const i = this.waiting.findIndex((waiter) => waiter.match(line));
    if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve(line);
  }
}
