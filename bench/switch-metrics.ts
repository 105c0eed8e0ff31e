import type { Sample, TimedLoad } from './timed-load.js';

/** Failed requests of one run, by kind. */
export interface Failures {
  total: number;
  /** Responses other than 2xx, by status code. */
  byStatus: Record<string, number>;
  connection: number;
  /** Connection errors by error code, such as ECONNRESET. */
  connectionCodes: Record<string, number>;
  /** Responses slower than 2 s. */
  slow: number;
}

/** Numbers of one switch from an old to a new version under load. */
export interface SwitchMetrics {
  sent: number;
  rate: number;
  failures: Failures;
  /** Time with no version responding: last old to first new response. */
  gapMs: number;
  /** Time both versions responded: first new to last old response. */
  overlapMs: number;
  /** First failed request to last failed request, by send time. */
  failureSpanMs: number;
  /** Wall time of the switch command (the action, or compose up + ready). */
  totalMs: number;
}

/** Numbers of one rollback under load. */
export interface RollbackMetrics {
  sent: number;
  rate: number;
  failures: Failures;
  /** Wall time of the action in mode rollback, node start-up included. */
  actionMs: number;
  /** Action start to the last response from the rolled-back version. */
  fullyBackMs: number;
}

/** Counts failed samples by kind. */
export function countFailures(samples: Sample[]): Failures {
  const failures: Failures = {
    total: 0,
    byStatus: {},
    connection: 0,
    connectionCodes: {},
    slow: 0,
  };
  for (const sample of samples) {
    if (sample.outcome === 'ok') continue;
    failures.total += 1;
    if (sample.outcome === 'connection') {
      const code = sample.errorCode ?? 'unknown';
      failures.connection += 1;
      failures.connectionCodes[code] =
        (failures.connectionCodes[code] ?? 0) + 1;
    }
    if (sample.outcome === 'slow') failures.slow += 1;
    if (sample.outcome === 'status') {
      const code = String(sample.status);
      failures.byStatus[code] = (failures.byStatus[code] ?? 0) + 1;
    }
  }
  return failures;
}

/** Send times of the successful responses from `version`, in order. */
function responseTimes(samples: Sample[], version: string): number[] {
  return samples
    .filter((sample) => sample.outcome === 'ok' && sample.version === version)
    .map((sample) => sample.sentMs);
}

/**
 * Computes a switch's numbers from its load. Times are request send times:
 * the gap is positive when neither version responded for a while, the
 * overlap when both did. Throws when either version never responded, because
 * then the run did not switch at all.
 */
export function switchMetrics(
  load: TimedLoad,
  versions: { from: string; to: string },
  totalMs: number,
): SwitchMetrics {
  const old = responseTimes(load.samples, versions.from);
  const next = responseTimes(load.samples, versions.to);
  if (old.length === 0 || next.length === 0) {
    throw new Error(
      `The load saw ${old.length} responses from ${versions.from} and ` +
        `${next.length} from ${versions.to}; a switch needs both.`,
    );
  }
  const lastOld = old[old.length - 1];
  const firstNew = next[0];
  const failed = load.samples.filter((sample) => sample.outcome !== 'ok');
  return {
    sent: load.samples.length,
    rate: load.rate,
    failures: countFailures(load.samples),
    gapMs: Math.max(0, firstNew - lastOld),
    overlapMs: Math.max(0, lastOld - firstNew),
    failureSpanMs:
      failed.length > 0
        ? failed[failed.length - 1].sentMs - failed[0].sentMs
        : 0,
    totalMs,
  };
}

/** Computes a rollback's numbers; `startedMs` is when the action started. */
export function rollbackMetrics(
  load: TimedLoad,
  rolledBackVersion: string,
  startedMs: number,
  actionMs: number,
): RollbackMetrics {
  const answers = responseTimes(load.samples, rolledBackVersion);
  const last = answers.length > 0 ? answers[answers.length - 1] : startedMs;
  return {
    sent: load.samples.length,
    rate: load.rate,
    failures: countFailures(load.samples),
    actionMs,
    fullyBackMs: Math.max(0, last - startedMs),
  };
}

/** Returns the median (the lower middle for an even count) and the worst. */
export function medianAndWorst(values: number[]): {
  median: number;
  worst: number;
} {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)],
    worst: sorted[sorted.length - 1],
  };
}
