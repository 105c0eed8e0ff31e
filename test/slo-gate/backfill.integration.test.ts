import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { memoryLogger } from '../../src/shared/logger.js';
import { PrometheusClient } from '../../src/shared/prometheus.js';
import {
  runGate,
  type GateReport,
  type SloReport,
} from '../../src/slo-gate/gate.js';
import { parseSloText } from '../../src/slo-gate/load.js';
import type { Slo } from '../../src/slo-gate/model.js';
import type { GatePolicy } from '../../src/slo-gate/policy.js';
import {
  burnAnnotations,
  generateRules,
  renderRules,
  sloLabels,
} from '../../src/slo-gate/rules.js';
import {
  startPrometheus,
  type PrometheusServer,
} from '../helpers/prometheus.js';
import {
  backfillSeries,
  END,
  MONTH_START_STEP,
  promtoolSeries,
  SCENARIOS,
  START,
  STEPS,
} from './scenarios.js';

const execFileAsync = promisify(execFile);

const ratio = (job: string) => ({
  ratio: {
    bad: `http_requests_total{job="${job}",code=~"5.."}`,
    total: `http_requests_total{job="${job}"}`,
  },
});

const SLO_FILE = stringify({
  apiVersion: 'slo-gate/v1',
  service: 'backfill',
  slos: [
    ...['zero', 'quiet', 'reset', 'outage', 'slowburn', 'shards'].map(
      (job) => ({
        name: job,
        objective: 99.9,
        window: '30d',
        sli: ratio(job),
      }),
    ),
    { name: 'low', objective: 90, window: '30d', sli: ratio('low') },
    {
      name: 'calendar',
      objective: 99.9,
      window: { calendar: 'month', timeZone: 'Europe/Berlin' },
      sli: ratio('calendar'),
    },
    {
      name: 'slices',
      objective: 99,
      window: '30d',
      sli: {
        threshold: {
          query: 'sum(rate(http_requests_total{job="outage",code="200"}[10m]))',
          operator: '>=',
          value: 1,
          timeSlice: '5m',
        },
      },
    },
    {
      name: 'missing',
      objective: 99.9,
      window: '30d',
      sli: ratio('no-such-job'),
    },
    {
      name: 'malformed',
      objective: 99,
      window: '30d',
      sli: {
        threshold: {
          query: 'sum(rate(http_requests_total{job="outage"}[1m])',
          operator: '>=',
          value: 1,
        },
      },
    },
  ],
});

const POLICY: GatePolicy = {
  minBudgetRemaining: 0,
  blockOnPage: true,
  blockOnTicket: false,
  minEvents: 100,
  onInsufficientData: 'fail',
  onPrometheusError: 'fail',
};

const at = new Date(END * 1000);
const options = (policy: Partial<GatePolicy> = {}) => ({
  at,
  useRecordingRules: false,
  math: { minEvents: 100, scrapeIntervalSeconds: 300 },
  policy: { ...POLICY, ...policy },
});

describe('slo-gate against backfilled Prometheus', () => {
  let prometheus: PrometheusServer;
  let client: PrometheusClient;
  let slos: Slo[];
  let report: GateReport;
  const byName = (name: string) => report.slos.find((s) => s.name === name)!;

  before(async () => {
    const series = Object.values(SCENARIOS).flat();
    prometheus = await startPrometheus({ backfill: backfillSeries(series) });
    client = new PrometheusClient({
      url: prometheus.url,
      timeoutMs: 20_000,
      retries: 0,
    });
    slos = parseSloText(SLO_FILE, 'backfill.slo.yaml');
    report = await runGate(client, slos, options(), memoryLogger());
  });
  after(async () => prometheus?.stop());

  it('zero traffic is insufficient data, never NaN', () => {
    const slo = byName('zero');
    assert.equal(slo.verdict, 'insufficient-data');
    assert.equal(slo.events.total, 0);
    assert.equal(slo.sli, null);
    assert.ok(!JSON.stringify(report).includes('NaN'));
    assert.ok(slo.burnRates.every((rate) => rate.value === null));
  });

  it('insufficient data policy decides the job', async () => {
    const zero = slos.filter((slo) => slo.name === 'zero');
    const strict = await runGate(client, zero, options(), memoryLogger());
    assert.equal(strict.verdict, 'insufficient-data');
    assert.equal(strict.failJob, true);
    const lenient = await runGate(
      client,
      zero,
      options({ onInsufficientData: 'warn' }),
      memoryLogger(),
    );
    assert.equal(lenient.verdict, 'insufficient-data');
    assert.equal(lenient.failJob, false);
    assert.match(lenient.message, /on-insufficient-data is "warn"/);
  });

  it('quiet service with one error', async () => {
    const slo = byName('quiet');
    assert.equal(slo.verdict, 'insufficient-data');
    assert.equal(slo.events.bad, 1);
    const low = await runGate(
      client,
      slos,
      options({ minEvents: 10 }),
      memoryLogger(),
    );
    const judged = low.slos.find((s) => s.name === 'quiet')!;
    assert.equal(judged.verdict, 'fail');
    assert.ok(judged.budgetRemaining! < 0);
  });

  it('counter reset loses no events', () => {
    const slo = byName('reset');
    // 30 days at 1000 per step, one bad event every second step.
    assert.ok(Math.abs(slo.events.total! - 8640 * 1000) <= 1000);
    assert.ok(Math.abs(slo.sli! - 0.9995) < 1e-5);
    assert.ok(Math.abs(slo.budgetRemaining! - 0.5) < 0.01);
    assert.equal(slo.verdict, 'pass');
  });

  it('full outage fires the page condition', () => {
    const slo = byName('outage');
    assert.equal(slo.verdict, 'fail');
    const page = slo.conditions.filter((c) => c.severity === 'page');
    assert.equal(page[0].firing, false, '5m window is too short at 5m scrapes');
    assert.equal(page[1].firing, true);
    assert.ok(Math.abs(rate(slo, '1h')! - 1000) < 1e-9);
    assert.match(slo.warnings.join('\n'), /5m is not computed: too short/);
  });

  it('slow burn fires only the ticket condition', async () => {
    const slo = byName('slowburn');
    assert.deepEqual(firing(slo), ['ticket']);
    assert.equal(slo.verdict, 'pass');
    assert.ok(Math.abs(slo.budgetRemaining! - 0.8) < 1e-9);
    const strict = await runGate(
      client,
      slos,
      options({ blockOnTicket: true }),
      memoryLogger(),
    );
    assert.equal(
      strict.slos.find((s) => s.name === 'slowburn')!.verdict,
      'fail',
    );
  });

  it('low objective reports unreachable factor', () => {
    const slo = byName('low');
    const fastest = slo.conditions[0];
    assert.equal(fastest.factor, 14.4);
    assert.equal(fastest.reachable, false);
    assert.equal(fastest.firing, false);
    assert.match(
      slo.warnings.join('\n'),
      /cannot fire: it needs 144% bad events/,
    );
    assert.ok(Math.abs(rate(slo, '1h')! - 10) < 1e-9);
  });

  it('shard label keeps two-window conditions', () => {
    const slo = byName('shards');
    assert.equal(slo.events.total, byName('outage').events.total);
    assert.deepEqual(firing(slo), ['page', 'ticket']);
  });

  it('calendar month counts only this month', () => {
    const slo = byName('calendar');
    const steps = STEPS - MONTH_START_STEP;
    assert.equal(slo.events.total, steps * 1000);
    assert.equal(slo.events.bad, Math.floor(steps / 2));
    assert.equal(slo.conditions[0].factor, 14.4, 'November has 30 days');
    assert.equal(slo.verdict, 'pass');
  });

  it('time slices count bad slices', () => {
    const slo = byName('slices');
    // A 10m rate is zero only in slices whose window lies in the outage.
    assert.equal(slo.events.bad, 11);
    assert.ok(
      [8640, 8641].includes(slo.events.total!),
      String(slo.events.total),
    );
    const expected = 1 - 11 / slo.events.total! / (1 - 0.99);
    assert.ok(Math.abs(slo.budgetRemaining! - expected) < 1e-9);
  });

  it('no series is reported as misconfigured', () => {
    const slo = byName('missing');
    assert.equal(slo.verdict, 'fail');
    assert.match(slo.reasons[0], /probably misconfigured/);
  });

  it('missing recording rules are named', async () => {
    const reset = slos.filter((slo) => slo.name === 'reset');
    const recorded = await runGate(
      client,
      reset,
      { ...options(), useRecordingRules: true },
      memoryLogger(),
    );
    assert.equal(recorded.slos[0].verdict, 'fail');
    assert.match(recorded.slos[0].reasons[0], /No recorded series/);
  });

  it('malformed query fails its SLO only', () => {
    const slo = byName('malformed');
    assert.equal(slo.verdict, 'fail');
    assert.match(slo.reasons[0], /Prometheus rejected/);
    assert.equal(byName('reset').verdict, 'pass');
  });

  it('generated rules pass promtool check', async () => {
    const valid = slos.filter((slo) => slo.name !== 'malformed');
    const rules = join(prometheus.dir, 'all.rules.yml');
    await writeFile(rules, renderRules(generateRules(valid)));
    const { stdout } = await execFileAsync('promtool', [
      'check',
      'rules',
      rules,
    ]);
    assert.match(stdout, /SUCCESS/);
  });

  for (const name of ['reset', 'outage', 'slowburn', 'low', 'shards']) {
    it(`promtool agrees on ${name}`, async () => {
      const slo = slos.find((s) => s.name === name)!;
      await assertPromtoolAgrees(slo, byName(name));
    });
  }
});

const rate = (slo: SloReport, window: string) =>
  slo.burnRates.find((r) => r.window === window)!.value;

const firing = (slo: SloReport) => [
  ...new Set(slo.conditions.filter((c) => c.firing).map((c) => c.severity)),
];

/**
 * Runs `promtool test rules` on the generated rules with the same series,
 * expecting the gate's numbers and firing conditions at the same time.
 */
async function assertPromtoolAgrees(slo: Slo, gate: SloReport) {
  const dir = await mkdtemp(join(tmpdir(), 'slo-oracle-'));
  try {
    await writeFile(join(dir, 'rules.yml'), renderRules(generateRules([slo])));
    const labels = sloLabels(slo);
    const matchers = `{slo_service="${slo.service}",slo_name="${slo.name}"}`;
    const evalTime = `${END - START}s`;
    const expect = (metric: string, value: number) => ({
      expr: `${metric}${matchers}`,
      eval_time: evalTime,
      exp_samples: [{ labels: seriesText(metric, labels), value }],
    });
    const exprTests = [
      expect('slo:events_total:increase30d', gate.events.total!),
      expect('slo:events_bad:increase30d', gate.events.bad!),
      expect('slo:sli:ratio', gate.sli!),
      expect('slo:error_budget_remaining:ratio', gate.budgetRemaining!),
      ...gate.burnRates
        .filter((r) => r.value !== null)
        .map((r) => expect(`slo:burn_rate:${r.window}`, r.value!)),
    ];
    const alerts = (['page', 'ticket'] as const).map((severity) => ({
      eval_time: evalTime,
      alertname: severity === 'page' ? 'SLOBurnRatePage' : 'SLOBurnRateTicket',
      exp_alerts: firing(gate).includes(severity)
        ? [
            {
              exp_labels: { ...labels, severity },
              exp_annotations: burnAnnotations(slo, severity),
            },
          ]
        : [],
    }));
    const test = {
      rule_files: ['rules.yml'],
      // Daily evaluation keeps 31 days of rule evaluation fast.
      evaluation_interval: '1d',
      tests: [
        {
          interval: '5m',
          input_series: promtoolSeries(SCENARIOS[slo.name]),
          promql_expr_test: exprTests,
          alert_rule_test: alerts,
        },
      ],
    };
    await writeFile(join(dir, 'test.yml'), stringify(test, { lineWidth: 0 }));
    const result = await execFileAsync(
      'promtool',
      ['test', 'rules', join(dir, 'test.yml')],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: { stdout: string; stderr: string }) => error);
    assert.match(
      result.stdout,
      /SUCCESS/,
      `${result.stdout}\n${result.stderr}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function seriesText(name: string, labels: Record<string, string>) {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}=${JSON.stringify(v)}`,
  );
  return `${name}{${parts.join(',')}}`;
}
