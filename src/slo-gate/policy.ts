import type { SloNumbers } from './math.js';
import type { Slo } from './model.js';
import { sloId } from './model.js';

export type Verdict = 'pass' | 'fail' | 'insufficient-data';

/** Gate settings from the action inputs; SLO files may override some. */
export interface GatePolicy {
  /** Lowest budget remaining that passes, as a ratio (0.1 for 10%). */
  minBudgetRemaining: number;
  blockOnPage: boolean;
  blockOnTicket: boolean;
  minEvents: number;
  /** Effect of an insufficient-data verdict on the job. */
  onInsufficientData: 'fail' | 'warn';
  /** Effect of an unreachable Prometheus: fail closed, or pass (open). */
  onPrometheusError: 'fail' | 'pass';
}

/** Outcome of one SLO: its numbers, verdict and the reasons for it. */
export interface SloResult {
  id: string;
  slo: Slo;
  numbers?: SloNumbers;
  verdict: Verdict;
  reasons: string[];
  /** The SLO's verdict counts for the gate (gate.enabled). */
  gated: boolean;
}

/** Decides one SLO's verdict from its numbers. */
export function judgeSlo(
  slo: Slo,
  numbers: SloNumbers,
  policy: GatePolicy,
): SloResult {
  const base = { id: sloId(slo), slo, numbers, gated: slo.gate.enabled };
  if (numbers.total === null) {
    return {
      ...base,
      verdict: 'fail',
      reasons: [
        'The queries returned no series at all: the selectors are probably ' +
          'misconfigured (metric name, labels) or the target is not scraped.',
      ],
    };
  }
  if (numbers.total < policy.minEvents || numbers.budgetRemaining === null) {
    return {
      ...base,
      verdict: 'insufficient-data',
      reasons: [
        `${formatCount(numbers.total)} events in the window, fewer than the ` +
          `minimum of ${policy.minEvents}.`,
      ],
    };
  }
  const reasons = blockingReasons(slo, numbers, policy);
  if (reasons.length > 0) return { ...base, verdict: 'fail', reasons };
  const minimum =
    slo.gate.minBudgetRemaining ?? policy.minBudgetRemaining * 100;
  return {
    ...base,
    verdict: 'pass',
    reasons: [
      `Budget remaining ${formatPercent(numbers.budgetRemaining)} is at ` +
        `least ${minimum}% and no blocking burn condition fires.`,
    ],
  };
}

function blockingReasons(
  slo: Slo,
  numbers: SloNumbers,
  policy: GatePolicy,
): string[] {
  const reasons: string[] = [];
  const minimum =
    (slo.gate.minBudgetRemaining ?? policy.minBudgetRemaining * 100) / 100;
  const remaining = numbers.budgetRemaining!;
  if (remaining < minimum) {
    reasons.push(
      `Budget remaining ${formatPercent(remaining)} is below the minimum of ` +
        `${formatPercent(minimum)}.`,
    );
  }
  const blocks = {
    page: slo.gate.blockOnPage ?? policy.blockOnPage,
    ticket: slo.gate.blockOnTicket ?? policy.blockOnTicket,
  };
  for (const condition of numbers.conditions) {
    if (!condition.firing || !blocks[condition.severity]) continue;
    reasons.push(
      `The ${condition.severity} burn condition fires: burn rate above ` +
        `${condition.factor} over both ${condition.long} and ${condition.short}.`,
    );
  }
  return reasons;
}

/** Result for an SLO whose query Prometheus rejected. */
export function rejectedQuery(slo: Slo, message: string): SloResult {
  return {
    id: sloId(slo),
    slo,
    verdict: 'fail',
    reasons: [`Prometheus rejected the SLO's query: ${message}`],
    gated: slo.gate.enabled,
  };
}

/**
 * Combines SLO verdicts: any gated failure fails; otherwise any gated
 * insufficient-data result makes the whole verdict insufficient-data,
 * which never counts as a pass.
 */
export function combineVerdicts(results: SloResult[]): Verdict {
  const gated = results.filter((result) => result.gated);
  if (gated.some((result) => result.verdict === 'fail')) return 'fail';
  if (gated.some((result) => result.verdict === 'insufficient-data')) {
    return 'insufficient-data';
  }
  return 'pass';
}

export function formatPercent(ratio: number | null, digits = 2): string {
  if (ratio === null) return 'n/a';
  return `${Number((ratio * 100).toFixed(digits))}%`;
}

export function formatCount(value: number | null): string {
  if (value === null) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
