import type { Logger } from '../shared/logger.js';
import {
  type PrometheusClient,
  PrometheusQueryError,
} from '../shared/prometheus.js';
import { computeNumbers, type MathSettings, type SloCounts } from './math.js';
import type { Slo } from './model.js';
import { sloId } from './model.js';
import {
  judgeSlo,
  rejectedQuery,
  type GatePolicy,
  type SloResult,
} from './policy.js';
import { batchQuery, QUERY_LABEL, recordedBatchQuery } from './queries.js';
import {
  type BurnWindow,
  calendarPeriod,
  promDuration,
  windowLengthSeconds,
} from './windows.js';

export interface EvaluateOptions {
  /** Evaluation time; the end of every window. */
  at: Date;
  /** Read the counts from the generated recording rules. */
  useRecordingRules: boolean;
  math: MathSettings;
  policy: GatePolicy;
}

/**
 * Evaluates every SLO with one batched query each, run in parallel. A
 * rejected query fails that SLO only; an unreachable Prometheus raises
 * PrometheusUnavailableError to the caller, which applies the fail-closed
 * or fail-open policy.
 */
export async function evaluateSlos(
  client: PrometheusClient,
  slos: Slo[],
  options: EvaluateOptions,
  logger: Logger,
): Promise<SloResult[]> {
  return Promise.all(
    slos.map(async (slo) => {
      try {
        const counts = await readCounts(client, slo, options, logger);
        const length = windowLengthSeconds(slo.window, options.at);
        const numbers = computeNumbers(slo, counts, length, options.math);
        const result = judgeSlo(slo, numbers, options.policy);
        if (options.useRecordingRules && numbers.total === null) {
          result.reasons = [
            'No recorded series for this SLO: load the rules that mode ' +
              '"rules" generates into Prometheus, or set use-recording-rules ' +
              'to false.',
          ];
        }
        return result;
      } catch (error) {
        if (error instanceof PrometheusQueryError) {
          logger.error(`${sloId(slo)}: ${error.message}`);
          return rejectedQuery(slo, error.message);
        }
        throw error;
      }
    }),
  );
}

/** Returns the range of the SLO window that ends at `at`, as PromQL. */
export function sloRange(slo: Slo, at: Date): string {
  if (slo.window.kind === 'rolling') return promDuration(slo.window.seconds);
  const { start } = calendarPeriod(slo.window, at);
  return `${Math.max(1, Math.round((at.getTime() - start.getTime()) / 1000))}s`;
}

async function readCounts(
  client: PrometheusClient,
  slo: Slo,
  options: EvaluateOptions,
  logger: Logger,
): Promise<SloCounts> {
  const range = sloRange(slo, options.at);
  if (!options.useRecordingRules) {
    const query = batchQuery(slo, range);
    logger.debug(`${sloId(slo)} query: ${query}`);
    return parseCounts(await client.query(query, options.at), range, slo);
  }
  // Recording rules cover rolling windows; calendar windows need raw data.
  const recorded = slo.window.kind === 'rolling' ? range : undefined;
  const samples = await client.query(
    recordedBatchQuery(slo, recorded),
    options.at,
  );
  const counts = parseRecorded(samples);
  if (!recorded) {
    const raw = parseCounts(
      await client.query(batchQuery(slo, range), options.at),
      range,
      slo,
    );
    counts.slo = raw.slo;
  }
  return counts;
}

type Sample = { labels: Record<string, string>; value: number };

function parseCounts(samples: Sample[], _range: string, slo: Slo): SloCounts {
  const values = new Map<string, number>();
  for (const sample of samples)
    values.set(sample.labels[QUERY_LABEL], sample.value);
  const counted = slo.sli.kind === 'ratio' && slo.sli.good ? 'good' : 'bad';
  const read = (name: string) => {
    const total = values.get(`total:${name}`);
    const other = values.get(`${counted}:${name}`);
    if (total === undefined) return undefined;
    // With a good-events selector, a missing good series means no good event.
    const bad = counted === 'good' ? total - (other ?? 0) : (other ?? 0);
    return { total, bad: Math.min(total, Math.max(0, bad)) };
  };
  const counts: SloCounts = { slo: read('slo'), windows: {} };
  for (const key of values.keys()) {
    const name = key.split(':')[1];
    if (name !== 'slo') counts.windows[name as BurnWindow] = read(name);
  }
  return counts;
}

function parseRecorded(samples: Sample[]): SloCounts {
  const totals = new Map<string, number>();
  const bads = new Map<string, number>();
  for (const sample of samples) {
    const match = /^slo:events_(total|bad):increase(\w+)$/.exec(
      sample.labels.__name__ ?? '',
    );
    if (!match) continue;
    (match[1] === 'total' ? totals : bads).set(match[2], sample.value);
  }
  const counts: SloCounts = { windows: {} };
  for (const [name, total] of totals) {
    const events = {
      total,
      bad: Math.min(total, Math.max(0, bads.get(name) ?? 0)),
    };
    if (
      name in { '5m': 1, '30m': 1, '1h': 1, '2h': 1, '6h': 1, '1d': 1, '3d': 1 }
    ) {
      counts.windows[name as BurnWindow] = events;
    } else {
      counts.slo = events;
    }
  }
  return counts;
}
