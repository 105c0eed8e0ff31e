import type { Slo, ThresholdSli } from './model.js';
import { sloId } from './model.js';
import { BURN_WINDOWS, promDuration } from './windows.js';

/** Kind of event a query counts: all events, bad events or good events. */
export type EventKind = 'total' | 'bad' | 'good';

/** Label that tags each part of a batched query with `kind:window`. */
export const QUERY_LABEL = 'slo_query';

const INVERSE = { '>=': '<', '>': '<=', '<=': '>', '<': '>=' } as const;

/**
 * Returns the PromQL that counts one kind of event over `range` (a PromQL
 * duration). Ratio SLIs apply `increase` to each series before `sum`, so a
 * counter reset in one series costs nothing and extra labels such as a
 * shard or replica are summed away. Threshold SLIs count time slices.
 */
export function eventsQuery(slo: Slo, kind: EventKind, range: string): string {
  const sli = slo.sli;
  if (sli.kind === 'threshold') return sliceQuery(sli, kind, range);
  const selectors = { total: sli.total, bad: sli.bad, good: sli.good };
  const selector = selectors[kind];
  if (!selector) throw new Error(`${sloId(slo)} has no ${kind} selector.`);
  return `sum(increase(${selector}[${range}]))`;
}

function sliceQuery(sli: ThresholdSli, kind: EventKind, range: string): string {
  const slice = promDuration(sli.sliceSeconds);
  if (kind === 'total')
    return `sum(count_over_time((${sli.query})[${range}:${slice}]))`;
  if (sli.meanOfRatio) {
    const expr = kind === 'bad' ? `1 - (${sli.query})` : `(${sli.query})`;
    return `sum(sum_over_time((${expr})[${range}:${slice}]))`;
  }
  const operator = kind === 'bad' ? INVERSE[sli.operator] : sli.operator;
  return `sum(count_over_time(((${sli.query}) ${operator} ${sli.value})[${range}:${slice}]))`;
}

/** Returns the kind of event the SLO's queries count besides the total. */
export function countedKind(slo: Slo): 'bad' | 'good' {
  return slo.sli.kind === 'ratio' && slo.sli.good ? 'good' : 'bad';
}

/** Names of the ranges one evaluation reads: the burn windows and `slo`. */
export type RangeName = (typeof BURN_WINDOWS)[number] | 'slo';

/**
 * Builds one query that returns every count the gate needs for an SLO,
 * each part tagged by `slo_query="kind:range"`, so an SLO costs one request.
 */
export function batchQuery(slo: Slo, sloRange: string): string {
  const ranges: [RangeName, string][] = [
    ...BURN_WINDOWS.map((window) => [window, window] as [RangeName, string]),
    ['slo', sloRange],
  ];
  const parts: string[] = [];
  for (const [name, range] of ranges) {
    for (const kind of ['total', countedKind(slo)] as EventKind[]) {
      parts.push(tag(eventsQuery(slo, kind, range), `${kind}:${name}`));
    }
  }
  return parts.join('\nor\n');
}

/** Builds the query that reads the same counts from the recording rules. */
export function recordedBatchQuery(
  slo: Slo,
  sloRange: string | undefined,
): string {
  const names = [...BURN_WINDOWS, ...(sloRange ? [sloRange] : [])];
  const matchers = `slo_service="${slo.service}",slo_name="${slo.name}"`;
  const metric = `slo:events_(total|bad):increase(${names.join('|')})`;
  return `{__name__=~"${metric}",${matchers}}`;
}

function tag(expr: string, value: string): string {
  return `label_replace(${expr}, "${QUERY_LABEL}", "${value}", "", "")`;
}
