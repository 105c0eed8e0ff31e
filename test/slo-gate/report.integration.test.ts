import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memoryLogger } from '../../src/shared/logger.js';
import { PrometheusClient } from '../../src/shared/prometheus.js';
import { parseSloText } from '../../src/slo-gate/load.js';
import {
  buildWeeklyReport,
  type WeeklyReport,
} from '../../src/slo-gate/report.js';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { addIssueRoutes, fakeIssues } from '../fake-github/issues.js';
import {
  startPrometheus,
  type PrometheusServer,
} from '../helpers/prometheus.js';
import { runBundle } from './bundle.js';
import {
  backfillSeries,
  END,
  SCENARIOS,
  START,
  STEP,
  STEPS,
} from './scenarios.js';

const SLO_FILE = `
apiVersion: slo-gate/v1
service: report
slos:
  - name: slowburn
    objective: 99.9
    window: 30d
    sli:
      ratio:
        bad: http_requests_total{job="slowburn",code=~"5.."}
        total: http_requests_total{job="slowburn"}
  - name: calendar
    objective: 99.9
    window: { calendar: month, timeZone: Europe/Berlin }
    sli:
      ratio:
        bad: http_requests_total{job="calendar",code=~"5.."}
        total: http_requests_total{job="calendar"}
`;

/** Steps from `from` (Unix seconds) to the end of the history. */
const stepsSince = (from: number) => (END - Math.max(from, START)) / STEP;

describe('weekly report', () => {
  let prometheus: PrometheusServer;
  let github: FakeGitHub;
  let dir: string;
  let sloFile: string;
  let report: WeeklyReport;

  before(async () => {
    const series = [...SCENARIOS.slowburn, ...SCENARIOS.calendar];
    prometheus = await startPrometheus({ backfill: backfillSeries(series) });
    github = await startFakeGitHub();
    addIssueRoutes(github);
    dir = await mkdtemp(join(tmpdir(), 'slo-report-'));
    sloFile = join(dir, 'slo.yaml');
    await writeFile(sloFile, SLO_FILE);
    const client = new PrometheusClient({
      url: prometheus.url,
      timeoutMs: 20_000,
      retries: 0,
    });
    report = await buildWeeklyReport(
      client,
      parseSloText(SLO_FILE, 'slo.yaml'),
      {
        at: new Date(END * 1000),
        useRecordingRules: false,
        math: { minEvents: 100, scrapeIntervalSeconds: 300 },
        policy: {
          minBudgetRemaining: 0,
          blockOnPage: true,
          blockOnTicket: false,
          minEvents: 100,
          onInsufficientData: 'fail',
          onPrometheusError: 'fail',
        },
      },
      memoryLogger(),
    );
  });
  after(async () => {
    await prometheus?.stop();
    await github?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('last week is Monday to Monday', () => {
    // The history ends on Friday 20 November 2026.
    assert.equal(report.weekStart.toISOString(), '2026-11-09T00:00:00.000Z');
    assert.equal(report.weekEnd.toISOString(), '2026-11-16T00:00:00.000Z');
  });

  it('slow burn shows only in month to date', () => {
    const row = report.rows.find((r) => r.id === 'report/slowburn')!;
    assert.equal(row.lastWeek.numbers!.bad, 0);
    assert.equal(row.lastWeek.numbers!.total, 7 * 288 * 1000);
    const month = row.monthToDate.numbers!;
    const monthStart = Date.UTC(2026, 10, 1) / 1000;
    assert.equal(month.total, stepsSince(monthStart) * 1000);
    assert.equal(month.bad, 2 * 3 * 288);
    assert.ok(
      Math.abs(month.budgetRemaining! - (1 - 1728 / month.total! / 0.001)) <
        1e-9,
    );
  });

  it('calendar SLO uses its time zone', () => {
    const row = report.rows.find((r) => r.id === 'report/calendar')!;
    // Berlin's week starts at 23:00 UTC on Sunday.
    assert.equal(row.lastWeek.numbers!.total, 7 * 288 * 1000);
    assert.ok(
      row.monthToDate.numbers!.bad! < row.monthToDate.numbers!.total! / 1000,
    );
    assert.equal(STEPS, 31 * 288);
  });

  it('markdown has both periods', () => {
    assert.match(report.markdown, /SLO report: week of 2026-11-09/);
    assert.match(
      report.markdown,
      /\| report\/slowburn \| 99\.9% \| 100% \| 100% \|/,
    );
  });

  it('bundle opens then updates the issue', async () => {
    const inputs = {
      mode: 'report',
      'slo-file': sloFile,
      'prometheus-url': prometheus.url,
      'evaluation-time': new Date(END * 1000).toISOString(),
      'scrape-interval': '5m',
      'report-issue': 'true',
      'github-token': 'fake-token',
    };
    const env = {
      GITHUB_API_URL: github.apiUrl,
      GITHUB_GRAPHQL_URL: github.graphqlUrl,
      GITHUB_REPOSITORY: github.state.fullName,
    };
    const first = await runBundle(inputs, env);
    assert.equal(first.code, 0, first.stdout);
    const second = await runBundle(inputs, env);
    assert.equal(second.code, 0, second.stdout);
    const issues = [...fakeIssues(github.state).values()];
    assert.equal(issues.length, 1);
    assert.equal(first.outputs['issue-number'], String(issues[0].number));
    assert.equal(second.outputs['issue-number'], String(issues[0].number));
    assert.deepEqual(issues[0].labels, ['slo-report']);
    assert.match(issues[0].body, /SLO report: week of 2026-11-09/);
    assert.match(second.summary, /month-to-date SLI/);
    assert.deepEqual(github.violations, []);
  });
});
