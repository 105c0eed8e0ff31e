import type { Slo } from './model.js';
import {
  BURN_CONDITIONS,
  BURN_WINDOWS,
  type BurnCondition,
  type BurnWindow,
  burnFactor,
  WINDOW_SECONDS,
} from './windows.js';

/** Bad and total events (or time slices) over one range. */
export interface EventCounts {
  total: number;
  bad: number;
}

/** Counts per range as read from Prometheus; unset when no series came back. */
export interface SloCounts {
  slo?: EventCounts;
  windows: Partial<Record<BurnWindow, EventCounts>>;
}

/** Settings of the math, from the action inputs. */
export interface MathSettings {
  /** Fewest events (or slices) over the SLO window for a verdict. */
  minEvents: number;
  /** Scrape interval in seconds; shorter windows than two are too short. */
  scrapeIntervalSeconds: number;
}

export interface BurnRate {
  window: BurnWindow;
  /** Error ratio over the window divided by the error budget ratio. */
  value: number | null;
  total: number;
  /** Why `value` is null: no traffic, no series, or window too short. */
  note?: string;
}

export interface ConditionResult {
  severity: 'page' | 'ticket';
  long: BurnWindow;
  short: BurnWindow;
  factor: number;
  /** False when the factor needs an error ratio above 100%. */
  reachable: boolean;
  firing: boolean;
}

export interface SloNumbers {
  total: number | null;
  bad: number | null;
  /** Good ratio over the SLO window. */
  sli: number | null;
  /** Share of the error budget left; negative once overspent. */
  budgetRemaining: number | null;
  burnRates: BurnRate[];
  conditions: ConditionResult[];
  /** Seconds until the budget runs out at the 1h burn rate; estimate. */
  timeToExhaustionSeconds: number | null;
  warnings: string[];
}

/**
 * Computes SLI, budget, burn rates and the burn conditions from event
 * counts. The SLI is bad events over all events of the window, so every
 * event weighs the same, and zero traffic gives null, never NaN.
 */
export function computeNumbers(
  slo: Slo,
  counts: SloCounts,
  windowSeconds: number,
  settings: MathSettings,
): SloNumbers {
  const budget = 1 - slo.objective;
  const warnings: string[] = [];
  const burnRates = BURN_WINDOWS.map((window) =>
    burnRate(window, counts.windows[window], budget, settings),
  );
  for (const rate of burnRates) {
    if (rate.note?.startsWith('too short')) {
      warnings.push(
        `Burn rate over ${rate.window} is not computed: ${rate.note}.`,
      );
    }
  }
  const conditions = BURN_CONDITIONS.map((condition) =>
    evaluateCondition(condition, burnRates, budget, windowSeconds),
  );
  for (const condition of conditions.filter((c) => !c.reachable)) {
    warnings.push(unreachableWarning(condition, budget));
  }
  const events = counts.slo;
  const ratio = events && events.total > 0 ? events.bad / events.total : null;
  const budgetRemaining = ratio === null ? null : 1 - ratio / budget;
  const current = burnRates.find((rate) => rate.window === '1h')?.value ?? null;
  return {
    total: events?.total ?? null,
    bad: events?.bad ?? null,
    sli: ratio === null ? null : 1 - ratio,
    budgetRemaining,
    burnRates,
    conditions,
    timeToExhaustionSeconds: exhaustion(
      budgetRemaining,
      current,
      windowSeconds,
    ),
    warnings,
  };
}

function burnRate(
  window: BurnWindow,
  events: EventCounts | undefined,
  budget: number,
  settings: MathSettings,
): BurnRate {
  if (WINDOW_SECONDS[window] < 2 * settings.scrapeIntervalSeconds) {
    const note = `too short for a ${settings.scrapeIntervalSeconds}s scrape interval (needs two scrapes)`;
    return { window, value: null, total: events?.total ?? 0, note };
  }
  if (!events) return { window, value: null, total: 0, note: 'no series' };
  if (events.total <= 0)
    return { window, value: null, total: 0, note: 'no traffic' };
  return {
    window,
    value: events.bad / events.total / budget,
    total: events.total,
  };
}

function evaluateCondition(
  condition: BurnCondition,
  burnRates: BurnRate[],
  budget: number,
  windowSeconds: number,
): ConditionResult {
  const factor = burnFactor(condition, windowSeconds);
  const value = (window: BurnWindow) =>
    burnRates.find((rate) => rate.window === window)?.value ?? null;
  const long = value(condition.long);
  const short = value(condition.short);
  return {
    severity: condition.severity,
    long: condition.long,
    short: condition.short,
    factor,
    reachable: factor * budget <= 1,
    firing: long !== null && short !== null && long > factor && short > factor,
  };
}

function unreachableWarning(
  condition: ConditionResult,
  budget: number,
): string {
  const needed = (condition.factor * budget * 100).toPrecision(4);
  return (
    `The ${condition.severity} condition over ${condition.long} and ` +
    `${condition.short} (burn rate above ${condition.factor}) cannot fire: ` +
    `it needs ${Number(needed)}% bad events, and at most 100% can be bad. ` +
    'Raise the objective or rely on the budget check and slower conditions.'
  );
}

function exhaustion(
  budgetRemaining: number | null,
  burn: number | null,
  windowSeconds: number,
): number | null {
  if (budgetRemaining === null) return null;
  if (budgetRemaining <= 0) return 0;
  if (burn === null || burn <= 0) return null;
  return (budgetRemaining * windowSeconds) / burn;
}
