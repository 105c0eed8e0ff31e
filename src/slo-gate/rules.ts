import { stringify } from 'yaml';
import { formatObjective, type Slo } from './model.js';
import { eventsQuery } from './queries.js';
import {
  BURN_CONDITIONS,
  BURN_WINDOWS,
  burnFactor,
  promDuration,
} from './windows.js';

/** Prometheus rule file structure, as `promtool check rules` reads it. */
export interface RuleFile {
  groups: RuleGroup[];
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}
interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Month length used by rules for calendar windows, which PromQL lacks. */
const CALENDAR_SECONDS = { week: 7 * 86_400, month: 30 * 86_400 };

/** Returns the window length the rules size factors with. */
export function ruleWindowSeconds(slo: Slo): number {
  return slo.window.kind === 'rolling'
    ? slo.window.seconds
    : CALENDAR_SECONDS[slo.window.unit];
}

/** Labels every series and alert of an SLO carries. */
export function sloLabels(slo: Slo): Record<string, string> {
  return { ...slo.labels, slo_service: slo.service, slo_name: slo.name };
}

/** Matchers that select one SLO's recorded series. */
export function sloMatchers(slo: Slo): string {
  return `slo_service="${slo.service}",slo_name="${slo.name}"`;
}

/** Generates recording and alerting rules for the SLOs. */
export function generateRules(slos: Slo[]): RuleFile {
  return { groups: slos.flatMap((slo) => sloGroups(slo)) };
}

export function renderRules(file: RuleFile): string {
  return stringify(file, { lineWidth: 0 });
}

function sloGroups(slo: Slo): RuleGroup[] {
  const prefix = `slo-gate:${slo.service}:${slo.name}`;
  // Alerts follow the burn rates in one group, because rules in a group run
  // in order and so read this evaluation's burn rates, not the last one's.
  const groups: RuleGroup[] = [
    { name: prefix, rules: [...burnRules(slo), ...alertRules(slo)] },
  ];
  if (slo.window.kind === 'rolling') {
    groups.push({
      name: `${prefix}:window`,
      // Increases over the whole window are costly and change slowly.
      interval: '5m',
      rules: windowRules(slo, promDuration(slo.window.seconds)),
    });
  }
  return groups;
}

/** Returns the expression of bad events over `range`. */
export function badEventsExpr(slo: Slo, range: string): string {
  if (slo.sli.kind === 'ratio' && slo.sli.good) {
    const total = eventsQuery(slo, 'total', range);
    return `${total} - (${eventsQuery(slo, 'good', range)} or vector(0))`;
  }
  return `${eventsQuery(slo, 'bad', range)} or vector(0)`;
}

function countRules(slo: Slo, range: string): Rule[] {
  const labels = sloLabels(slo);
  return [
    {
      record: `slo:events_total:increase${range}`,
      expr: eventsQuery(slo, 'total', range),
      labels,
    },
    {
      record: `slo:events_bad:increase${range}`,
      expr: badEventsExpr(slo, range),
      labels,
    },
  ];
}

function burnRules(slo: Slo): Rule[] {
  const matchers = sloMatchers(slo);
  return BURN_WINDOWS.flatMap((window) => [
    ...countRules(slo, window),
    {
      record: `slo:burn_rate:${window}`,
      expr:
        `slo:events_bad:increase${window}{${matchers}} / ` +
        `slo:events_total:increase${window}{${matchers}} / ` +
        `(1 - ${slo.objective})`,
      labels: sloLabels(slo),
    },
  ]);
}

function windowRules(slo: Slo, range: string): Rule[] {
  const matchers = sloMatchers(slo);
  const ratio =
    `(slo:events_bad:increase${range}{${matchers}} / ` +
    `slo:events_total:increase${range}{${matchers}})`;
  return [
    ...countRules(slo, range),
    { record: 'slo:sli:ratio', expr: `1 - ${ratio}`, labels: sloLabels(slo) },
    {
      record: 'slo:error_budget_remaining:ratio',
      expr: `1 - ${ratio} / (1 - ${slo.objective})`,
      labels: sloLabels(slo),
    },
    {
      record: 'slo:objective:ratio',
      expr: `vector(${slo.objective})`,
      labels: sloLabels(slo),
    },
  ];
}

function alertRules(slo: Slo): Rule[] {
  const matchers = sloMatchers(slo);
  const windowSeconds = ruleWindowSeconds(slo);
  const rules: Rule[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const parts = BURN_CONDITIONS.filter((c) => c.severity === severity).map(
      (condition) => {
        const factor = burnFactor(condition, windowSeconds);
        const burn = (window: string) =>
          `slo:burn_rate:${window}{${matchers}} > ${factor}`;
        return `(${burn(condition.long)} and ${burn(condition.short)})`;
      },
    );
    rules.push({
      alert: severity === 'page' ? 'SLOBurnRatePage' : 'SLOBurnRateTicket',
      expr: parts.join(' or '),
      labels: { ...sloLabels(slo), severity },
      annotations: burnAnnotations(slo, severity),
    });
  }
  rules.push({
    alert: 'SLOMetricsAbsent',
    expr: `absent(${slo.sli.kind === 'ratio' ? slo.sli.total : slo.sli.query})`,
    for: '10m',
    labels: { ...sloLabels(slo), severity: 'ticket' },
    annotations: absentAnnotations(slo),
  });
  return rules;
}

export function burnAnnotations(slo: Slo, severity: 'page' | 'ticket') {
  return {
    summary: `${slo.service} ${slo.name} is burning its error budget`,
    description:
      `The ${slo.name} SLO of ${slo.service} (objective ` +
      `${formatObjective(slo.objective)}) burns its error budget fast ` +
      `enough to need a ${severity}.`,
  };
}

export function absentAnnotations(slo: Slo) {
  return {
    summary: `${slo.service} ${slo.name} has no SLI data`,
    description:
      'The SLI query returns no series: the target is down, not scraped, ' +
      'or the SLO selector does not match its metrics.',
  };
}
