import type { Slo } from './model.js';
import { formatObjective } from './model.js';
import { sloMatchers } from './rules.js';
import { BURN_WINDOWS, promDuration } from './windows.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { refId: string; expr: string; legendFormat?: string }[];
  fieldConfig?: unknown;
  datasource: { type: 'prometheus'; uid: string };
}

const DATASOURCE = { type: 'prometheus' as const, uid: '${datasource}' };

/**
 * Builds a Grafana dashboard for one service: per SLO, budget remaining,
 * SLI over time, burn rates and events. Queries read the generated
 * recording rules, except SLI over time, which reads the raw counters.
 */
export function generateDashboard(service: string, slos: Slo[]): object {
  const panels: Panel[] = [];
  slos.forEach((slo, index) => {
    const y = index * 16;
    const row = (x: number, w: number, h: number) => ({ x, y, w, h });
    const m = `{${sloMatchers(slo)}}`;
    const title = `${slo.name} (${formatObjective(slo.objective)})`;
    panels.push(
      panel(
        panels,
        'stat',
        `${title}: budget remaining`,
        row(0, 6, 8),
        [
          {
            expr: `slo:error_budget_remaining:ratio${m}`,
            legendFormat: 'budget',
          },
        ],
        { defaults: { unit: 'percentunit', min: -1, max: 1 } },
      ),
      panel(
        panels,
        'timeseries',
        `${title}: SLI over time`,
        row(6, 18, 8),
        [
          {
            expr: `1 - slo:events_bad:increase1h${m} / slo:events_total:increase1h${m}`,
            legendFormat: 'SLI (1h)',
          },
          { expr: `slo:objective:ratio${m}`, legendFormat: 'objective' },
        ],
        { defaults: { unit: 'percentunit' } },
      ),
      panel(
        panels,
        'timeseries',
        `${title}: burn rates`,
        { x: 0, y: y + 8, w: 12, h: 8 },
        BURN_WINDOWS.map((window) => ({
          expr: `slo:burn_rate:${window}${m}`,
          legendFormat: window,
        })),
      ),
      panel(
        panels,
        'timeseries',
        `${title}: events`,
        { x: 12, y: y + 8, w: 12, h: 8 },
        [
          {
            expr: `slo:events_total:increase5m${m}`,
            legendFormat: 'all per 5m',
          },
          { expr: `slo:events_bad:increase5m${m}`, legendFormat: 'bad per 5m' },
        ],
      ),
    );
    if (slo.window.kind === 'rolling') {
      const range = promDuration(slo.window.seconds);
      panels[panels.length - 4].targets.push({
        refId: 'B',
        expr: `slo:events_bad:increase${range}${m}`,
        legendFormat: `bad events in ${range}`,
      });
    }
  });
  return {
    title: `SLOs: ${service}`,
    uid: `slo-gate-${service}`.slice(0, 40),
    tags: ['slo', 'slo-gate'],
    schemaVersion: 39,
    time: { from: 'now-7d', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          type: 'datasource',
          query: 'prometheus',
          label: 'Prometheus',
        },
      ],
    },
    panels,
  };
}

function panel(
  panels: Panel[],
  type: string,
  title: string,
  gridPos: Panel['gridPos'],
  targets: { expr: string; legendFormat?: string }[],
  fieldConfig?: unknown,
): Panel {
  return {
    id: panels.length + 1,
    type,
    title,
    gridPos,
    datasource: DATASOURCE,
    targets: targets.map((target, index) => ({
      refId: String.fromCharCode(65 + index),
      ...target,
    })),
    ...(fieldConfig ? { fieldConfig } : {}),
  };
}

/** Returns every PromQL expression of a dashboard, for checks. */
export function dashboardQueries(dashboard: object): string[] {
  const panels = (dashboard as { panels: Panel[] }).panels;
  return panels.flatMap((p) => p.targets.map((t) => t.expr));
}
