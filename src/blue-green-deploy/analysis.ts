import {
  PrometheusClient,
  PrometheusQueryError,
  PrometheusUnavailableError,
} from '../shared/prometheus.js';
import { errorMessage } from '../shared/errors.js';
import type { Color } from './routers/router.js';

/**
 * Added to the latency allowed by the baseline comparison, so that
 * millisecond noise on a fast service does not fail a canary.
 */
export const LATENCY_FLOOR_SECONDS = 0.01;

/** Outcome of one measurement, or of a round of them. */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** A custom query with a threshold; `{{color}}`, `{{version}}`, `{{service}}` and `{{window}}` are filled in. */
export interface CustomQuery {
  name: string;
  query: string;
  max?: number;
  min?: number;
}

/** Canary analysis settings. Without `prometheusUrl`, steps only pause. */
export interface AnalysisSettings {
  prometheusUrl?: string;
  bearerToken?: string;
  /** Counter of requests with a status-code label. */
  requestsMetric: string;
  /** Histogram of request durations in seconds. */
  durationMetric: string;
  /** Label that carries the color on both metrics. */
  colorLabel: string;
  /** Label that carries the HTTP status code. */
  statusLabel: string;
  /** Extra label matchers for every built-in query, such as `job="web"`. */
  selector: string;
  /** Maximum share of 5xx responses, 0 to 1. */
  maxErrorRate: number;
  /** Highest p95 latency in seconds. */
  maxP95Seconds: number;
  /** Minimum canary requests in a window for a measurement to count. */
  minRequests: number;
  /** Most the canary's error rate may exceed the live color's, in points (0 to 1). */
  baselineErrorMargin: number;
  /** Most the canary's p95 may exceed the live color's, as a share (0.5 = 50%). */
  baselineLatencyTolerance: number;
  custom: CustomQuery[];
}

/** One measured value against its threshold. */
export interface Measurement {
  name: string;
  query: string;
  value?: number;
  threshold: string;
  verdict: Verdict;
  reason: string;
}

/** A round of measurements over one window. */
export interface Round {
  at: string;
  windowSeconds: number;
  requests?: number;
  verdict: Verdict;
  measurements: Measurement[];
}

/** Values read from Prometheus for one round, before judging. */
export interface RawRound {
  requests?: number;
  errorRate?: number;
  p95?: number;
  baselineErrorRate?: number;
  baselineP95?: number;
  custom: (number | undefined)[];
}

interface Target {
  service: string;
  canary: { color: Color; version: string };
  baseline?: { color: Color; version: string };
}

/** Builds the PromQL of the built-in measurements for one color. */
export function builtInQueries(
  settings: AnalysisSettings,
  color: Color,
  windowSeconds: number,
) {
  const matchers = [`${settings.colorLabel}="${color}"`, settings.selector]
    .filter((part) => part.trim() !== '')
    .join(',');
  const window = `${windowSeconds}s`;
  const requests = `sum(increase(${settings.requestsMetric}{${matchers}}[${window}]))`;
  const errors = `sum(increase(${settings.requestsMetric}{${matchers},${settings.statusLabel}=~"5.."}[${window}]))`;
  return {
    requests,
    // `or vector(0)` turns "no 5xx series yet" into zero errors, but only
    // where requests exist: the division by an empty request count stays empty.
    errorRate: `(${errors} or vector(0)) / ${requests}`,
    p95: `histogram_quantile(0.95, sum by (le) (rate(${settings.durationMetric}_bucket{${matchers}}[${window}])))`,
  };
}

/** Fills the placeholders of a custom query. */
export function fillTemplate(
  query: string,
  values: Record<string, string>,
): string {
  return query.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) =>
    key in values ? values[key] : whole,
  );
}

/**
 * Judges one round. Fewer canary requests than the minimum makes every
 * measurement inconclusive: no data is never a pass. NaN and empty results
 * are inconclusive too.
 */
export function judgeRound(
  settings: AnalysisSettings,
  raw: RawRound,
  queries: {
    errorRate: string;
    p95: string;
    requests: string;
    custom: string[];
  },
): Measurement[] {
  const enough =
    raw.requests !== undefined && raw.requests >= settings.minRequests;
  const measurements: Measurement[] = [
    {
      name: 'canary requests',
      query: queries.requests,
      value: raw.requests,
      threshold: `>= ${settings.minRequests}`,
      verdict: enough ? 'pass' : 'inconclusive',
      reason: enough ? 'enough traffic' : 'too few requests to judge',
    },
  ];
  const judge = (
    name: string,
    query: string,
    value: number | undefined,
    limit: number,
    direction: 'max' | 'min',
  ) => {
    const usable = value !== undefined && Number.isFinite(value);
    let verdict: Verdict = 'inconclusive';
    let reason = usable ? '' : 'no data (empty or NaN)';
    if (!enough) reason = 'too few requests to judge';
    else if (usable) {
      const ok = direction === 'max' ? value <= limit : value >= limit;
      verdict = ok ? 'pass' : 'fail';
      reason = ok ? 'within threshold' : 'threshold crossed';
    }
    measurements.push({
      name,
      query,
      value,
      threshold: `${direction === 'max' ? '<=' : '>='} ${formatValue(limit)}`,
      verdict,
      reason,
    });
  };
  judge(
    'error rate',
    queries.errorRate,
    raw.errorRate,
    settings.maxErrorRate,
    'max',
  );
  judge('p95 latency (s)', queries.p95, raw.p95, settings.maxP95Seconds, 'max');
  if (
    raw.baselineErrorRate !== undefined &&
    Number.isFinite(raw.baselineErrorRate)
  ) {
    judge(
      'error rate vs live color',
      queries.errorRate,
      raw.errorRate,
      raw.baselineErrorRate + settings.baselineErrorMargin,
      'max',
    );
  }
  if (raw.baselineP95 !== undefined && Number.isFinite(raw.baselineP95)) {
    judge(
      'p95 vs live color (s)',
      queries.p95,
      raw.p95,
      raw.baselineP95 * (1 + settings.baselineLatencyTolerance) +
        LATENCY_FLOOR_SECONDS,
      'max',
    );
  }
  settings.custom.forEach((custom, index) => {
    if (custom.max !== undefined) {
      judge(
        custom.name,
        queries.custom[index],
        raw.custom[index],
        custom.max,
        'max',
      );
    }
    if (custom.min !== undefined) {
      judge(
        custom.name,
        queries.custom[index],
        raw.custom[index],
        custom.min,
        'min',
      );
    }
  });
  return measurements;
}

/** Returns fail when any measurement fails, and pass only when all pass. */
export function roundVerdict(measurements: Measurement[]): Verdict {
  if (measurements.some((m) => m.verdict === 'fail')) return 'fail';
  if (measurements.some((m) => m.verdict === 'inconclusive'))
    return 'inconclusive';
  return 'pass';
}

/** Runs the analysis queries against Prometheus, one round at a time. */
export class CanaryAnalysis {
  private readonly client: PrometheusClient;
  /** Names of the queries that have returned a series in this deploy. */
  private readonly answered = new Set<string>();
  /** Rounds in which Prometheus returned a result for every query. */
  answeredRounds = 0;

  constructor(
    private readonly settings: AnalysisSettings,
    private readonly target: Target,
  ) {
    this.client = new PrometheusClient({
      url: settings.prometheusUrl!,
      bearerToken: settings.bearerToken,
      timeoutMs: 5000,
      retries: 1,
      retryDelayMs: 200,
    });
  }

  /** Measures the canary over the last `windowSeconds`. */
  async round(windowSeconds: number): Promise<Round> {
    const at = new Date().toISOString();
    const canary = builtInQueries(
      this.settings,
      this.target.canary.color,
      windowSeconds,
    );
    const values = {
      color: this.target.canary.color,
      version: this.target.canary.version,
      service: this.target.service,
      window: `${windowSeconds}s`,
    };
    const custom = this.settings.custom.map((c) =>
      fillTemplate(c.query, values),
    );
    const queries = { ...canary, custom };
    try {
      const baseline = this.target.baseline
        ? builtInQueries(
            this.settings,
            this.target.baseline.color,
            windowSeconds,
          )
        : undefined;
      const [
        requests,
        errorRate,
        p95,
        baselineErrorRate,
        baselineP95,
        ,
        ...customValues
      ] = await Promise.all([
        this.value('canary requests', canary.requests),
        this.value('error rate', canary.errorRate),
        this.value('p95', canary.p95),
        baseline
          ? this.value('baseline error rate', baseline.errorRate)
          : undefined,
        baseline ? this.value('baseline p95', baseline.p95) : undefined,
        baseline
          ? this.value('baseline requests', baseline.requests)
          : undefined,
        ...custom.map((query, index) =>
          this.value(this.settings.custom[index].name, query),
        ),
      ]);
      this.answeredRounds += 1;
      const measurements = judgeRound(
        this.settings,
        {
          requests,
          errorRate,
          p95,
          baselineErrorRate,
          baselineP95,
          custom: customValues,
        },
        queries,
      );
      return {
        at,
        windowSeconds,
        requests,
        verdict: roundVerdict(measurements),
        measurements,
      };
    } catch (error) {
      if (error instanceof PrometheusQueryError) {
        // A query Prometheus rejects will never measure anything.
        return failedRound(
          at,
          windowSeconds,
          error.query,
          `query rejected: ${error.message}`,
        );
      }
      if (!(error instanceof PrometheusUnavailableError)) throw error;
      return {
        at,
        windowSeconds,
        verdict: 'inconclusive',
        measurements: [
          {
            name: 'prometheus',
            query: canary.requests,
            threshold: 'reachable',
            verdict: 'inconclusive',
            reason: errorMessage(error),
          },
        ],
      };
    }
  }

  /**
   * Queries that have never returned a series in this deploy, which points
   * at a wrong metric name or label. A canary without traffic is distinguished
   * from that by the live color: if its request count returns a series, the metric
   * exists and the canary merely gets no requests.
   */
  neverAnswered(): string[] {
    const missing: string[] = [];
    const requestsSeen =
      this.answered.has('canary requests') ||
      this.answered.has('baseline requests');
    if (!requestsSeen) missing.push('request count (canary and live color)');
    if (this.answered.has('canary requests')) {
      for (const custom of this.settings.custom) {
        if (!this.answered.has(custom.name)) missing.push(custom.name);
      }
    }
    return missing;
  }

  private async value(
    name: string,
    query: string,
  ): Promise<number | undefined> {
    const samples = await this.client.query(query);
    if (samples.length === 0) return undefined;
    this.answered.add(name);
    return samples[0].value;
  }
}

function failedRound(
  at: string,
  windowSeconds: number,
  query: string,
  reason: string,
): Round {
  return {
    at,
    windowSeconds,
    verdict: 'fail',
    measurements: [
      {
        name: 'query',
        query,
        threshold: 'valid PromQL',
        verdict: 'fail',
        reason,
      },
    ],
  };
}

/** Formats a measured value with at most three significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(3)));
}
