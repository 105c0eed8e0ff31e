import { formatDuration } from '../shared/duration.js';
import type { Logger } from '../shared/logger.js';

/** One phase of a run, as the job summary's timeline shows it. */
export interface Phase {
  name: string;
  startedAt: Date;
  durationMs: number;
  outcome: 'ok' | 'failed' | 'skipped';
  detail: string;
}

/** Records each phase of a run with its duration, inside a log group. */
export class Timeline {
  readonly phases: Phase[] = [];
  private readonly started = Date.now();

  constructor(private readonly logger: Logger) {}

  /** Runs `fn` as a named phase; `fn` may return a detail line for the summary. */
  async phase<T>(
    name: string,
    fn: () => Promise<T>,
    detail: (result: T) => string = () => '',
  ): Promise<T> {
    const startedAt = new Date();
    const begin = performance.now();
    try {
      const result = await this.logger.group(name, fn);
      this.add(name, startedAt, begin, 'ok', detail(result));
      return result;
    } catch (error) {
      this.add(name, startedAt, begin, 'failed', '');
      throw error;
    }
  }

  skip(name: string, detail: string): void {
    this.phases.push({
      name,
      startedAt: new Date(),
      durationMs: 0,
      outcome: 'skipped',
      detail,
    });
  }

  totalMs(): number {
    return Date.now() - this.started;
  }

  rows(): string[][] {
    return this.phases.map((phase) => [
      phase.name,
      phase.outcome,
      formatDuration(phase.durationMs),
      phase.detail,
    ]);
  }

  private add(
    name: string,
    startedAt: Date,
    begin: number,
    outcome: Phase['outcome'],
    detail: string,
  ) {
    const durationMs = performance.now() - begin;
    this.phases.push({ name, startedAt, durationMs, outcome, detail });
    this.logger.info(`${name}: ${outcome} in ${formatDuration(durationMs)}`);
  }
}
