import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import {
  type PrometheusClient,
  PrometheusUnavailableError,
} from '../shared/prometheus.js';
import { evaluateSlos, type EvaluateOptions } from './evaluate.js';
import type { BurnRate, ConditionResult } from './math.js';
import type { Slo, SloWindow } from './model.js';
import { combineVerdicts, type SloResult, type Verdict } from './policy.js';

/** One SLO in the JSON report; every number the verdict rests on. */
export interface SloReport {
  id: string;
  service: string;
  name: string;
  objective: number;
  window: string;
  verdict: Verdict;
  gated: boolean;
  reasons: string[];
  warnings: string[];
  events: { total: number | null; bad: number | null };
  sli: number | null;
  budgetRemaining: number | null;
  burnRates: BurnRate[];
  conditions: ConditionResult[];
  timeToExhaustionSeconds: number | null;
}

/** The gate's JSON report, also the source of the job summary. */
export interface GateReport {
  verdict: Verdict;
  /** Whether the job should fail, after the insufficient-data policy. */
  failJob: boolean;
  message: string;
  evaluatedAt: string;
  prometheusReachable: boolean;
  slos: SloReport[];
}

/**
 * Evaluates the SLOs and decides the gate. When Prometheus is unreachable
 * the gate fails closed unless the policy fails open, and the message states
 * which happened.
 */
export async function runGate(
  client: PrometheusClient,
  slos: Slo[],
  options: EvaluateOptions,
  logger: Logger,
): Promise<GateReport> {
  const evaluatedAt = options.at.toISOString();
  let results: SloResult[];
  try {
    results = await evaluateSlos(client, slos, options, logger);
  } catch (error) {
    if (!(error instanceof PrometheusUnavailableError)) throw error;
    const open = options.policy.onPrometheusError === 'pass';
    const cause = errorMessage(error).replace(/\.?$/, '.');
    const message = open
      ? `Prometheus is unreachable, and on-prometheus-error is "pass", so ` +
        `the gate fails open: no SLO was checked. ${cause}`
      : `Prometheus is unreachable, so the gate fails closed. ` +
        `${cause} Set on-prometheus-error to "pass" to let ` +
        'deploys through while Prometheus is down.';
    // A closed gate is reported once, by the job's failure.
    if (open) logger.warning(message);
    return {
      verdict: open ? 'pass' : 'fail',
      failJob: !open,
      message,
      evaluatedAt,
      prometheusReachable: false,
      slos: [],
    };
  }
  const verdict = combineVerdicts(results);
  const failJob =
    verdict === 'fail' ||
    (verdict === 'insufficient-data' &&
      options.policy.onInsufficientData === 'fail');
  return {
    verdict,
    failJob,
    message: verdictMessage(verdict, results, failJob),
    evaluatedAt,
    prometheusReachable: true,
    slos: results.map(toReport),
  };
}

function verdictMessage(
  verdict: Verdict,
  results: SloResult[],
  failJob: boolean,
): string {
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  const tally =
    `${count('pass')} passed, ${count('fail')} failed, ` +
    `${count('insufficient-data')} with insufficient data`;
  if (verdict === 'insufficient-data') {
    return failJob
      ? `Insufficient data (${tally}); on-insufficient-data is "fail".`
      : `Insufficient data (${tally}); on-insufficient-data is "warn", so ` +
          'the job continues.';
  }
  return `SLO gate ${verdict === 'pass' ? 'passed' : 'failed'}: ${tally}.`;
}

/** Describes a window as `30d rolling` or `calendar month (UTC)`. */
export function describeWindow(window: SloWindow): string {
  if (window.kind === 'calendar') {
    return `calendar ${window.unit} (${window.timeZone})`;
  }
  const days = window.seconds / 86_400;
  return Number.isInteger(days)
    ? `${days}d rolling`
    : `${window.seconds}s rolling`;
}

function toReport(result: SloResult): SloReport {
  const numbers = result.numbers;
  return {
    id: result.id,
    service: result.slo.service,
    name: result.slo.name,
    objective: result.slo.objective,
    window: describeWindow(result.slo.window),
    verdict: result.verdict,
    gated: result.gated,
    reasons: result.reasons,
    warnings: numbers?.warnings ?? [],
    events: { total: numbers?.total ?? null, bad: numbers?.bad ?? null },
    sli: numbers?.sli ?? null,
    budgetRemaining: numbers?.budgetRemaining ?? null,
    burnRates: numbers?.burnRates ?? [],
    conditions: numbers?.conditions ?? [],
    timeToExhaustionSeconds: numbers?.timeToExhaustionSeconds ?? null,
  };
}
