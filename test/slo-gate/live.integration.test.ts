import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/ports.js';
import {
  startPrometheus,
  type PrometheusServer,
} from '../helpers/prometheus.js';
import { parseSloText } from '../../src/slo-gate/load.js';
import { generateRules, renderRules } from '../../src/slo-gate/rules.js';
import { runBundle } from './bundle.js';

/** Counters and a latency histogram that the test moves by hand. */
class Metrics {
  ok = 0;
  errors = 0;
  fast = 0;
  slow = 0;

  text(): string {
    const count = this.fast + this.slow;
    return [
      '# TYPE http_requests_total counter',
      `http_requests_total{code="200"} ${this.ok}`,
      `http_requests_total{code="500"} ${this.errors}`,
      '# TYPE http_request_duration_seconds histogram',
      `http_request_duration_seconds_bucket{le="0.1"} ${this.fast}`,
      `http_request_duration_seconds_bucket{le="0.2"} ${this.fast}`,
      `http_request_duration_seconds_bucket{le="+Inf"} ${count}`,
      `http_request_duration_seconds_sum ${count * 0.1}`,
      `http_request_duration_seconds_count ${count}`,
      '',
    ].join('\n');
  }
}

const SLO_FILE = `
apiVersion: slo-gate/v1
service: live
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      ratio:
        bad: http_requests_total{job="targets",code=~"5.."}
        total: http_requests_total{job="targets"}
  - name: latency
    objective: 95
    window: 7d
    sli:
      latency:
        histogram: http_request_duration_seconds{job="targets"}
        threshold: 0.2
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('slo-gate bundle against live scraping', () => {
  const metrics = new Metrics();
  let server: Server;
  let prometheus: PrometheusServer;
  let dir: string;
  let sloFile: string;
  let ticker: NodeJS.Timeout;

  before(async () => {
    const port = await freePort();
    server = createServer((_req, res) => res.end(metrics.text()));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    dir = await mkdtemp(join(tmpdir(), 'slo-live-'));
    sloFile = join(dir, 'slo.yaml');
    await writeFile(sloFile, SLO_FILE);
    // The window group runs every 5m; every second lets the test read it.
    const rules = generateRules(parseSloText(SLO_FILE, sloFile));
    for (const group of rules.groups) if (group.interval) group.interval = '1s';
    const rulesFile = join(dir, 'live.rules.yml');
    await writeFile(rulesFile, renderRules(rules));
    prometheus = await startPrometheus({
      scrapeTargets: [`127.0.0.1:${port}`],
      ruleFiles: [rulesFile],
    });
    // 200 requests a second, all fast and successful.
    ticker = setInterval(() => {
      metrics.ok += 200;
      metrics.fast += 200;
    }, 100).unref();
    await sleep(4000);
  });
  after(async () => {
    clearInterval(ticker);
    await prometheus?.stop();
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const gate = (extra: Record<string, string> = {}) =>
    runBundle({
      'slo-file': sloFile,
      'prometheus-url': prometheus.url,
      'scrape-interval': '1s',
      ...extra,
    });

  it('healthy service passes', async () => {
    const run = await gate();
    assert.equal(run.outputs.verdict, 'pass', run.summary);
    assert.equal(run.code, 0);
    const report = JSON.parse(run.outputs.report);
    const availability = report.slos[0];
    assert.equal(availability.budgetRemaining, 1);
    assert.ok(availability.events.total > 1000);
    assert.match(run.summary, /\| live\/availability \|/);
    assert.match(run.summary, /xychart-beta/);
  });

  it('recording rules give the same verdict', async () => {
    const raw = JSON.parse((await gate()).outputs.report);
    const recorded = await gate({ 'use-recording-rules': 'true' });
    assert.equal(recorded.outputs.verdict, 'pass', recorded.summary);
    const report = JSON.parse(recorded.outputs.report);
    for (const [index, slo] of report.slos.entries()) {
      const total = raw.slos[index].events.total;
      // The rules ran up to a second before the raw query.
      assert.ok(
        Math.abs(slo.events.total - total) <= 0.2 * total,
        `${slo.id}: ${slo.events.total} vs ${total}`,
      );
      assert.equal(slo.budgetRemaining, 1);
    }
  });

  it('errors and slow requests fail', async () => {
    metrics.errors += 5000;
    metrics.slow += 50_000;
    await sleep(2500);
    const run = await gate();
    assert.equal(run.outputs.verdict, 'fail');
    assert.equal(run.code, 1);
    const report = JSON.parse(run.outputs.report);
    for (const slo of report.slos) {
      assert.equal(slo.verdict, 'fail', slo.id);
      assert.ok(
        slo.conditions.some((c: { firing: boolean }) => c.firing),
        slo.id,
      );
    }
    assert.match(run.stdout, /page burn condition fires/);
  });

  it('unreachable Prometheus fails closed', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const closed = await gate({ 'prometheus-url': url, retries: '1' });
    assert.equal(closed.code, 1);
    assert.equal(closed.outputs.verdict, 'fail');
    assert.match(closed.stdout, /fails closed/);
    // Reported once, by the job's failure, with a full stop before the fix.
    assert.equal(closed.stdout.match(/::error::/g)?.length, 1, closed.stdout);
    assert.match(closed.stdout, /\. Set on-prometheus-error to "pass"/);
    const open = await gate({
      'prometheus-url': url,
      retries: '0',
      'on-prometheus-error': 'pass',
    });
    assert.equal(open.code, 0);
    assert.equal(open.outputs.verdict, 'pass');
    assert.match(open.stdout, /::warning::.*fails open/);
  });

  it('failed gate notifies Slack', async () => {
    const received: string[] = [];
    const port = await freePort();
    const slack = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => slack.listen(port, '127.0.0.1', r));
    try {
      const webhook = `http://127.0.0.1:${port}/services/T0/B0/secret`;
      const run = await runBundle(
        {
          'slo-file': sloFile,
          'prometheus-url': prometheus.url,
          'scrape-interval': '1s',
          'slack-webhook-url': webhook,
        },
        { GITHUB_SERVER_URL: 'https://github.example', GITHUB_RUN_ID: '77' },
      );
      assert.equal(run.code, 1);
      assert.match(run.stdout, /::add-mask::http:\/\/127\.0\.0\.1/);
      assert.equal(received.length, 1);
      const text = JSON.parse(received[0]).text as string;
      assert.match(text, /^\*SLO gate: fail\*/);
      assert.match(text, /• live\/availability: fail, budget remaining -?\d/);
      assert.match(
        text,
        /<https:\/\/github\.example\/octo\/authz\/actions\/runs\/77\|Workflow run>/,
      );
    } finally {
      slack.close();
    }
  });

  it('token is masked', async () => {
    const run = await gate({ 'prometheus-token': 'sekret-token-value' });
    assert.match(run.stdout, /::add-mask::sekret-token-value/);
    assert.equal(run.stdout.split('sekret-token-value').length, 2);
  });
});
