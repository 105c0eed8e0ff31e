import { formatDuration } from '../shared/duration.js';
import { Markdown } from '../shared/summary.js';
import type { GateReport, SloReport } from './gate.js';
import { formatObjective } from './model.js';
import { formatCount, formatPercent } from './policy.js';
import { BURN_WINDOWS } from './windows.js';

const VERDICT_LABEL = {
  pass: '✅ pass',
  fail: '❌ fail',
  'insufficient-data': '⚠️ insufficient data',
};

/** Renders the gate's job summary: verdict, one row per SLO, a chart. */
export function renderGateSummary(report: GateReport): string {
  const md = new Markdown()
    .heading(`SLO gate: ${VERDICT_LABEL[report.verdict]}`)
    .paragraph(report.message)
    .paragraph(`Evaluated at ${report.evaluatedAt}.`);
  if (report.slos.length === 0) return md.toString();
  md.table(
    [
      'SLO',
      'objective',
      'window',
      'SLI',
      'budget remaining',
      ...BURN_WINDOWS.map((w) => `burn ${w}`),
      'exhaustion',
      'verdict',
      'why',
    ],
    report.slos.map(sloRow),
  );
  md.heading('Error budget remaining', 3);
  md.paragraph(budgetChart(report.slos));
  md.table(
    ['SLO', 'budget remaining', 'events', 'bad events'],
    report.slos.map((slo) => [
      slo.id,
      formatPercent(slo.budgetRemaining),
      formatCount(slo.events.total),
      formatCount(slo.events.bad),
    ]),
  );
  const warnings = report.slos.flatMap((slo) =>
    slo.warnings.map((warning) => `- ${slo.id}: ${warning}`),
  );
  if (warnings.length > 0) {
    md.heading('Warnings', 3).paragraph([...new Set(warnings)].join('\n'));
  }
  return md.toString();
}

function sloRow(slo: SloReport): string[] {
  const burns = BURN_WINDOWS.map((window) => {
    const rate = slo.burnRates.find((r) => r.window === window);
    if (!rate || rate.value === null) return rate?.note ?? 'n/a';
    return formatBurn(rate.value);
  });
  return [
    slo.gated ? slo.id : `${slo.id} (not gated)`,
    formatObjective(slo.objective),
    slo.window,
    formatPercent(slo.sli, 3),
    formatPercent(slo.budgetRemaining),
    ...burns,
    formatExhaustion(slo.timeToExhaustionSeconds, slo.budgetRemaining),
    VERDICT_LABEL[slo.verdict],
    slo.reasons.join(' '),
  ];
}

export function formatBurn(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function formatExhaustion(
  seconds: number | null,
  budget: number | null,
): string {
  if (budget === null) return 'n/a';
  if (seconds === null) return 'not burning';
  if (seconds === 0) return 'exhausted';
  if (seconds >= 86_400) return `${(seconds / 86_400).toFixed(1)}d`;
  return formatDuration(seconds * 1000);
}

/** Renders a Mermaid bar chart of budget remaining per SLO, in percent. */
export function budgetChart(slos: SloReport[]): string {
  const values = slos.map((slo) =>
    slo.budgetRemaining === null
      ? 0
      : Number((slo.budgetRemaining * 100).toFixed(2)),
  );
  const lowest = Math.min(0, ...values);
  const names = slos.map((slo) => JSON.stringify(slo.name));
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Error budget remaining (%)"',
    `  x-axis [${names.join(', ')}]`,
    `  y-axis "percent" ${Math.floor(lowest)} --> 100`,
    `  bar [${values.join(', ')}]`,
    '```',
  ].join('\n');
}
