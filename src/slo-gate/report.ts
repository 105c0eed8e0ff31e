import type { Logger } from '../shared/logger.js';
import type { PrometheusClient } from '../shared/prometheus.js';
import { Markdown } from '../shared/summary.js';
import { evaluateSlos, type EvaluateOptions } from './evaluate.js';
import type { Slo, SloWindow } from './model.js';
import { formatObjective } from './model.js';
import { formatCount, formatPercent, type SloResult } from './policy.js';
import { previousCalendarPeriod } from './windows.js';

/** One SLO's numbers over last week and the month to date. */
export interface ReportRow {
  id: string;
  objective: number;
  lastWeek: SloResult;
  monthToDate: SloResult;
}

export interface WeeklyReport {
  weekStart: Date;
  weekEnd: Date;
  rows: ReportRow[];
  markdown: string;
}

const zoneOf = (window: SloWindow) =>
  window.kind === 'calendar' ? window.timeZone : 'UTC';

/**
 * Evaluates every SLO over the last full calendar week (Monday to Monday
 * in the SLO's time zone, UTC for rolling SLOs) and over the month to
 * date, and renders both as Markdown.
 */
export async function buildWeeklyReport(
  client: PrometheusClient,
  slos: Slo[],
  options: EvaluateOptions,
  logger: Logger,
): Promise<WeeklyReport> {
  const weeks = slos.map((slo) =>
    previousCalendarPeriod(
      { kind: 'calendar', unit: 'week', timeZone: zoneOf(slo.window) },
      options.at,
    ),
  );
  const lastWeek = await Promise.all(
    slos.map(async (slo, index) => {
      const { start, end } = weeks[index];
      const seconds = (end.getTime() - start.getTime()) / 1000;
      const weekly: Slo = { ...slo, window: { kind: 'rolling', seconds } };
      const [result] = await evaluateSlos(
        client,
        [weekly],
        { ...options, at: end, useRecordingRules: false },
        logger,
      );
      return result;
    }),
  );
  const monthly = slos.map((slo): Slo => ({
    ...slo,
    window: { kind: 'calendar', unit: 'month', timeZone: zoneOf(slo.window) },
  }));
  const monthToDate = await evaluateSlos(
    client,
    monthly,
    { ...options, useRecordingRules: false },
    logger,
  );
  const rows = slos.map((slo, index) => ({
    id: `${slo.service}/${slo.name}`,
    objective: slo.objective,
    lastWeek: lastWeek[index],
    monthToDate: monthToDate[index],
  }));
  const weekStart = weeks[0]?.start ?? options.at;
  const weekEnd = weeks[0]?.end ?? options.at;
  return {
    weekStart,
    weekEnd,
    rows,
    markdown: renderReport(rows, weekStart, weekEnd, options.at),
  };
}

function renderReport(
  rows: ReportRow[],
  weekStart: Date,
  weekEnd: Date,
  at: Date,
): string {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const md = new Markdown()
    .heading(`SLO report: week of ${day(weekStart)}`)
    .paragraph(
      `Last calendar week: ${weekStart.toISOString()} to ` +
        `${weekEnd.toISOString()}. Month to date: until ${at.toISOString()}.`,
    )
    .table(
      [
        'SLO',
        'objective',
        'last week SLI',
        'last week budget left',
        'month-to-date SLI',
        'month budget left',
        'month events',
        'month verdict',
      ],
      rows.map((row) => [
        row.id,
        formatObjective(row.objective),
        formatPercent(row.lastWeek.numbers?.sli ?? null, 3),
        formatPercent(row.lastWeek.numbers?.budgetRemaining ?? null),
        formatPercent(row.monthToDate.numbers?.sli ?? null, 3),
        formatPercent(row.monthToDate.numbers?.budgetRemaining ?? null),
        formatCount(row.monthToDate.numbers?.total ?? null),
        row.monthToDate.verdict,
      ]),
    );
  const notes = rows.flatMap((row) =>
    row.monthToDate.verdict === 'pass'
      ? []
      : [`- ${row.id}: ${row.monthToDate.reasons.join(' ')}`],
  );
  if (notes.length > 0)
    md.heading('Needs attention', 3).paragraph(notes.join('\n'));
  return md.toString();
}
