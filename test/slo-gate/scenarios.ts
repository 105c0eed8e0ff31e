import type { BackfillSeries } from '../helpers/prometheus.js';

/** Backfilled history: 31 days at 5-minute steps, ending at END. */
export const STEP = 300;
export const END = Date.UTC(2026, 10, 20, 12, 0, 0) / 1000;
export const STEPS = 31 * 288;
export const START = END - STEPS * STEP;
/** Last step before the final hour. */
export const OUTAGE_FROM = STEPS - 12;

/** A counter given as its cumulative value at each step (0..STEPS). */
export interface CounterSeries {
  name: string;
  labels: Record<string, string>;
  value: (step: number) => number;
}

export const counter = (
  name: string,
  labels: Record<string, string>,
  value: (step: number) => number,
): CounterSeries => ({ name, labels, value });

const requests = 'http_requests_total';

/** Steady 1000 requests per step with bad events from `bad(step)`. */
function service(
  job: string,
  bad: (step: number) => number,
  perStep = 1000,
  extra: Record<string, string> = {},
): CounterSeries[] {
  return [
    counter(
      requests,
      { job, code: '200', ...extra },
      (s) => perStep * s - bad(s),
    ),
    counter(requests, { job, code: '500', ...extra }, bad),
  ];
}

/** Bad events of a full outage during the last hour. */
const outage = (perStep: number) => (s: number) =>
  perStep * Math.max(0, s - OUTAGE_FROM);

/** Bad events at `ratio` of traffic from `fromStep` on. */
const burnFrom = (fromStep: number, badPerStep: number) => (s: number) =>
  badPerStep * Math.max(0, s - fromStep);

/** Steps in three days. */
const THREE_DAYS = 3 * 288;

/** First step of November 2026 in Europe/Berlin (23:00 UTC on 31 Oct). */
export const MONTH_START_STEP =
  (Date.UTC(2026, 9, 31, 23, 0, 0) / 1000 - START) / STEP;

export const SCENARIOS: Record<string, CounterSeries[]> = {
  zero: [counter(requests, { job: 'zero', code: '200' }, () => 0)],
  quiet: [
    counter(requests, { job: 'quiet', code: '200' }, (s) =>
      Math.floor(s / 180),
    ),
    counter(requests, { job: 'quiet', code: '500' }, (s) =>
      s >= 5000 ? 1 : 0,
    ),
  ],
  // Both counters restart from zero at step 4000, as after a process restart.
  reset: [
    counter(requests, { job: 'reset', code: '200' }, (s) => {
      const local = s >= 4000 ? s - 4000 : s;
      return 1000 * local - Math.floor(local / 2);
    }),
    counter(requests, { job: 'reset', code: '500' }, (s) =>
      Math.floor((s >= 4000 ? s - 4000 : s) / 2),
    ),
  ],
  outage: service('outage', outage(1000)),
  slowburn: service('slowburn', burnFrom(STEPS - THREE_DAYS, 2)),
  low: service('low', outage(1000)),
  shards: [
    ...service('shards', outage(500), 500, { shard: 'a' }),
    ...service('shards', outage(500), 500, { shard: 'b' }),
  ],
  // A full outage through October, then one bad request in 2000.
  calendar: service('calendar', (s) =>
    s < MONTH_START_STEP
      ? 1000 * s
      : 1000 * MONTH_START_STEP + Math.floor((s - MONTH_START_STEP) / 2),
  ),
};

/** Returns the series as backfill input, timestamps in Unix seconds. */
export function backfillSeries(series: CounterSeries[]): BackfillSeries[] {
  return series.map((item) => ({
    name: item.name,
    labels: item.labels,
    samples: Array.from({ length: STEPS + 1 }, (_, step) => [
      START + step * STEP,
      item.value(step),
    ]),
  }));
}

/** Returns the same series as `promtool test rules` input_series. */
export function promtoolSeries(series: CounterSeries[]) {
  return series.map((item) => {
    const labels = Object.entries(item.labels)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(',');
    const values = Array.from({ length: STEPS + 1 }, (_, step) =>
      item.value(step),
    );
    return { series: `${item.name}{${labels}}`, values: values.join(' ') };
  });
}
