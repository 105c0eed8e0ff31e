import { stringify } from 'yaml';
import { computeNumbers, type EventCounts, type SloCounts } from './math.js';
import type { Slo } from './model.js';
import { sloId } from './model.js';
import {
  exampleSeries,
  formatSeries,
  matchesSelector,
  parseMatchers,
} from './matchers.js';
import { countedKind } from './queries.js';
import {
  absentAnnotations,
  burnAnnotations,
  ruleWindowSeconds,
  sloLabels,
} from './rules.js';
import { BURN_WINDOWS, promDuration, WINDOW_SECONDS } from './windows.js';

/** Scenario of the generated tests, in 5-minute steps. */
const STEP_SECONDS = 300;
const EVENTS_PER_STEP = 1000;
/** One day without errors, then one hour in which every event is bad. */
const HEALTHY_STEPS = 288;
const OUTAGE_STEPS = 12;
const LAST_STEP = HEALTHY_STEPS + OUTAGE_STEPS;

// NOTE: the expected counts are exact only where the range includes the
// sample at its start, as in Prometheus 2. Prometheus 3 leaves it out.
const totalAt = (step: number) => EVENTS_PER_STEP * step;
const badAt = (step: number) =>
  EVENTS_PER_STEP * Math.max(0, step - HEALTHY_STEPS);

/**
 * Generates `promtool test rules` tests for the rules of one SLO, which
 * must be alone in `ruleFile` so that no other SLO's alert fires on the
 * same series. Ratio SLIs get a healthy day followed by a one-hour outage,
 * checking the recorded counts, burn rates, budget and which burn alerts
 * fire, with expectations from the same math the gate uses. Threshold SLIs
 * run arbitrary queries, so they get only the absent-metrics test, and
 * `note` states why.
 */
export function generateRuleTests(
  slo: Slo,
  ruleFile: string,
): { text: string; note?: string } {
  const tests: unknown[] = [];
  const series = inputSeries(slo);
  if (typeof series !== 'string') tests.push(outageTest(slo, series));
  tests.push(absentTest(slo));
  const document = {
    rule_files: [ruleFile],
    evaluation_interval: '5m',
    tests,
  };
  const text = stringify(document, { lineWidth: 0 });
  if (typeof series === 'string')
    return { text, note: `${sloId(slo)}: ${series}` };
  return { text };
}

type Series = { series: string; values: string }[];

/** Returns the input series, or why none can be generated. */
function inputSeries(slo: Slo): Series | string {
  if (slo.sli.kind !== 'ratio') {
    return 'threshold SLIs run arbitrary queries, so no series is generated';
  }
  const kind = countedKind(slo);
  const countedSelector = (kind === 'good' ? slo.sli.good : slo.sli.bad)!;
  const counted = exampleSeries(countedSelector);
  const total = exampleSeries(slo.sli.total);
  if (!counted || !total) {
    return 'no example series matches the selectors';
  }
  const countedValues = kind === 'bad' ? badValues() : goodValues();
  const nested = matchesSelector(slo.sli.total, counted.name, counted.labels);
  if (!nested) {
    return [
      {
        series: formatSeries(counted.name, counted.labels),
        values: countedValues,
      },
      {
        series: formatSeries(total.name, total.labels),
        values: `0+${EVENTS_PER_STEP}x${LAST_STEP}`,
      },
    ];
  }
  // The counted series is part of the total: the rest gets the other events.
  if (matchesSelector(countedSelector, total.name, total.labels)) {
    return 'the example total series also matches the bad or good selector';
  }
  const restValues = kind === 'bad' ? goodValues() : badValues();
  return [
    {
      series: formatSeries(counted.name, counted.labels),
      values: countedValues,
    },
    { series: formatSeries(total.name, total.labels), values: restValues },
  ];
}

function badValues(): string {
  return `0x${HEALTHY_STEPS} ${EVENTS_PER_STEP}+${EVENTS_PER_STEP}x${OUTAGE_STEPS - 1}`;
}

function goodValues(): string {
  const healthy = totalAt(HEALTHY_STEPS);
  return `0+${EVENTS_PER_STEP}x${HEALTHY_STEPS} ${healthy}x${OUTAGE_STEPS - 1}`;
}

function eventsOver(seconds: number): EventCounts {
  const from = Math.max(0, LAST_STEP - seconds / STEP_SECONDS);
  return {
    total: totalAt(LAST_STEP) - totalAt(from),
    bad: badAt(LAST_STEP) - badAt(from),
  };
}

function outageTest(slo: Slo, series: Series) {
  const labels = sloLabels(slo);
  const evalTime = `${(LAST_STEP * STEP_SECONDS) / 60}m`;
  const windowSeconds = ruleWindowSeconds(slo);
  const counts: SloCounts = { slo: eventsOver(windowSeconds), windows: {} };
  for (const window of BURN_WINDOWS) {
    counts.windows[window] = eventsOver(WINDOW_SECONDS[window]);
  }
  const numbers = computeNumbers(slo, counts, windowSeconds, {
    minEvents: 1,
    scrapeIntervalSeconds: STEP_SECONDS / 2,
  });
  const sample = (name: string, value: number) => ({
    expr: `${name}{slo_service="${slo.service}",slo_name="${slo.name}"}`,
    eval_time: evalTime,
    exp_samples: [{ labels: formatSeries(name, labels), value }],
  });
  const exprTests = BURN_WINDOWS.flatMap((window) => [
    sample(`slo:events_total:increase${window}`, counts.windows[window]!.total),
    sample(`slo:events_bad:increase${window}`, counts.windows[window]!.bad),
    sample(
      `slo:burn_rate:${window}`,
      numbers.burnRates.find((r) => r.window === window)!.value!,
    ),
  ]);
  if (slo.window.kind === 'rolling') {
    const range = promDuration(slo.window.seconds);
    exprTests.push(
      sample(`slo:events_total:increase${range}`, counts.slo!.total),
      sample(`slo:events_bad:increase${range}`, counts.slo!.bad),
      sample('slo:sli:ratio', numbers.sli!),
      sample('slo:error_budget_remaining:ratio', numbers.budgetRemaining!),
    );
  }
  const alerts = (['page', 'ticket'] as const).map((severity) => ({
    eval_time: evalTime,
    alertname: severity === 'page' ? 'SLOBurnRatePage' : 'SLOBurnRateTicket',
    exp_alerts: numbers.conditions.some(
      (c) => c.severity === severity && c.firing,
    )
      ? [
          {
            exp_labels: { ...labels, severity },
            exp_annotations: burnAnnotations(slo, severity),
          },
        ]
      : [],
  }));
  return {
    name: `${sloId(slo)}: one-hour outage after a healthy day`,
    interval: '5m',
    input_series: series,
    promql_expr_test: exprTests,
    alert_rule_test: alerts,
  };
}

/** Without any series the absent-metrics alert fires after its 10m. */
function absentTest(slo: Slo) {
  // absent() copies the equality matchers of a plain selector to its result.
  const selector = slo.sli.kind === 'ratio' ? slo.sli.total : '';
  const equalities = Object.fromEntries(
    (parseMatchers(selector)?.matchers ?? [])
      .filter((m) => m.op === '=')
      .map((m) => [m.label, m.value]),
  );
  return {
    name: `${sloId(slo)}: metrics absent`,
    interval: '1m',
    input_series: [{ series: 'unrelated_metric', values: '0+1x20' }],
    alert_rule_test: [
      {
        eval_time: '15m',
        alertname: 'SLOMetricsAbsent',
        exp_alerts: [
          {
            exp_labels: {
              ...equalities,
              ...sloLabels(slo),
              severity: 'ticket',
            },
            exp_annotations: absentAnnotations(slo),
          },
        ],
      },
    ],
  };
}
