/**
 * The SLO model every input format is converted to. Objectives are ratios
 * (0.999), durations are seconds, and ratio SLIs hold plain metric
 * selectors, so the queries can apply `increase` to each series before
 * summing and survive counter resets.
 */

/** A rolling window (`30d`) or the calendar week or month to date. */
export type SloWindow =
  | { kind: 'rolling'; seconds: number }
  | { kind: 'calendar'; unit: 'week' | 'month'; timeZone: string };

/** Good or bad events over total events, each a metric selector. */
export interface RatioSli {
  kind: 'ratio';
  /** Selector of counters of good events; unset when `bad` is set. */
  good?: string;
  /** Selector of counters of bad events; unset when `good` is set. */
  bad?: string;
  /** Selector of counters of all events. */
  total: string;
  /** Set for latency SLIs built from a histogram. */
  latency?: { histogram: string; thresholdSeconds: number };
}

/**
 * Time slices: an instant query evaluated once per slice. A slice is good
 * when the query meets the threshold. With `meanOfRatio`, the query returns
 * a good ratio per slice and the SLI is the mean of those ratios, as in
 * OpenSLO's RatioTimeslices.
 */
export interface ThresholdSli {
  kind: 'threshold';
  /** PromQL instant-vector expression evaluated once per slice. */
  query: string;
  operator: '>=' | '>' | '<=' | '<';
  value: number;
  sliceSeconds: number;
  meanOfRatio?: boolean;
}

export type Sli = RatioSli | ThresholdSli;

/** Per-SLO gate settings; unset fields fall back to the action inputs. */
export interface SloGateSettings {
  enabled: boolean;
  minBudgetRemaining?: number;
  blockOnPage?: boolean;
  blockOnTicket?: boolean;
}

export interface Slo {
  service: string;
  name: string;
  description?: string;
  /** Target ratio of good events, such as 0.999. */
  objective: number;
  window: SloWindow;
  sli: Sli;
  labels: Record<string, string>;
  gate: SloGateSettings;
  /** File the SLO was read from, for messages. */
  source: string;
}

/** Returns the SLO's id, `service/name`, used in messages and outputs. */
export function sloId(slo: Slo): string {
  return `${slo.service}/${slo.name}`;
}

/** Formats an objective ratio as a percentage without float noise. */
export function formatObjective(objective: number): string {
  return `${Number((objective * 100).toPrecision(10))}%`;
}

/** Converts a percentage to a ratio without float noise (99.9 to 0.999). */
export function percentToRatio(percent: number): number {
  return Number((percent / 100).toPrecision(12));
}
