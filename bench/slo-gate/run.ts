// Measures how long the gate takes to evaluate ten SLOs over 30 days of
// backfilled history (1-minute samples), reading raw counters and reading
// the generated recording rules. Run: npx tsx bench/slo-gate/run.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { memoryLogger } from '../../src/shared/logger.js';
import { PrometheusClient } from '../../src/shared/prometheus.js';
import { runGate } from '../../src/slo-gate/gate.js';
import { parseSloText } from '../../src/slo-gate/load.js';
import { generateRules, renderRules } from '../../src/slo-gate/rules.js';
import {
  type BackfillSeries,
  startPrometheus,
} from '../../test/helpers/prometheus.js';

const SLO_COUNT = 10;
const STEP = 60;
const DAYS = 31;
const RUNS = 5;

const now = Math.floor(Date.now() / 1000 / STEP) * STEP;
const steps = (DAYS * 86_400) / STEP;
const start = now - steps * STEP;

function history(): BackfillSeries[] {
  const series: BackfillSeries[] = [];
  for (let i = 0; i < SLO_COUNT; i++) {
    const job = `bench-${i}`;
    const samples = (perStep: number) =>
      Array.from({ length: steps + 1 }, (_, s): [number, number] => [
        start + s * STEP,
        perStep * s,
      ]);
    series.push(
      {
        name: 'http_requests_total',
        labels: { job, code: '200' },
        samples: samples(600),
      },
      {
        name: 'http_requests_total',
        labels: { job, code: '500' },
        samples: samples(i),
      },
    );
  }
  return series;
}

const sloFile = stringify({
  apiVersion: 'slo-gate/v1',
  service: 'bench',
  slos: Array.from({ length: SLO_COUNT }, (_, i) => ({
    name: `slo-${i}`,
    objective: 99.9,
    window: '30d',
    sli: {
      ratio: {
        bad: `http_requests_total{job="bench-${i}",code=~"5.."}`,
        total: `http_requests_total{job="bench-${i}"}`,
      },
    },
  })),
});

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'slo-bench-'));
  const slos = parseSloText(sloFile, 'bench.slo.yaml');
  const rules = generateRules(slos);
  // The window group runs every 5m in production; 10s lets the bench start
  // measuring as soon as the first evaluation is stored.
  for (const group of rules.groups) if (group.interval) group.interval = '10s';
  const rulesFile = join(dir, 'bench.rules.yml');
  await writeFile(rulesFile, renderRules(rules));

  const backfillStart = Date.now();
  const prometheus = await startPrometheus({
    backfill: history(),
    ruleFiles: [rulesFile],
    evaluationInterval: '10s',
  });
  const backfillMs = Date.now() - backfillStart;
  try {
    const client = new PrometheusClient({
      url: prometheus.url,
      timeoutMs: 120_000,
      retries: 0,
    });
    await waitForRules(client);
    const results: Record<string, number[]> = { raw: [], recorded: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const mode of ['raw', 'recorded'] as const) {
        const begin = performance.now();
        const report = await runGate(
          client,
          slos,
          {
            at: new Date(),
            useRecordingRules: mode === 'recorded',
            math: { minEvents: 100, scrapeIntervalSeconds: STEP },
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
        results[mode].push(performance.now() - begin);
        if (report.slos.some((slo) => slo.events.total === null)) {
          throw new Error(`${mode}: an SLO had no data`);
        }
      }
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(
      JSON.stringify(
        {
          slos: SLO_COUNT,
          days: DAYS,
          stepSeconds: STEP,
          samplesPerSeries: steps + 1,
          backfillAndStartMs: backfillMs,
          rawMedianMs: Math.round(median(results.raw)),
          recordedMedianMs: Math.round(median(results.recorded)),
          rawRunsMs: results.raw.map(Math.round),
          recordedRunsMs: results.recorded.map(Math.round),
        },
        null,
        2,
      ),
    );
  } finally {
    await prometheus.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitForRules(client: PrometheusClient) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const samples = await client.query('count(slo:events_total:increase30d)');
    if (samples[0]?.value === SLO_COUNT) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('recording rules did not produce the 30d series in 120 s');
}

await main();
