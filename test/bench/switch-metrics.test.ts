import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  medianAndWorst,
  rollbackMetrics,
  switchMetrics,
} from '../../bench/switch-metrics.js';
import type { Sample, TimedLoad } from '../../bench/timed-load.js';

const ok = (sentMs: number, version: string): Sample => ({
  sentMs,
  doneMs: sentMs + 2,
  outcome: 'ok',
  status: 200,
  version,
});

const failed = (sentMs: number, outcome: Sample['outcome']): Sample => ({
  sentMs,
  doneMs: sentMs + 1,
  outcome,
  status: outcome === 'status' ? 502 : 0,
  version: 'none',
  errorCode: outcome === 'connection' ? 'ECONNRESET' : undefined,
});

const loadOf = (samples: Sample[]): TimedLoad => ({
  samples,
  startedMs: 0,
  durationMs: 1000,
  rate: samples.length,
});

test('switchMetrics measures a gap with failures', () => {
  const metrics = switchMetrics(
    loadOf([
      ok(0, 'v1'),
      ok(100, 'v1'),
      failed(120, 'connection'),
      failed(300, 'status'),
      failed(350, 'slow'),
      ok(400, 'v2'),
      ok(500, 'v2'),
    ]),
    { from: 'v1', to: 'v2' },
    450,
  );
  assert.equal(metrics.gapMs, 300);
  assert.equal(metrics.overlapMs, 0);
  assert.equal(metrics.failureSpanMs, 230);
  assert.deepEqual(metrics.failures, {
    total: 3,
    byStatus: { '502': 1 },
    connection: 1,
    connectionCodes: { ECONNRESET: 1 },
    slow: 1,
  });
  assert.equal(metrics.totalMs, 450);
  assert.equal(metrics.sent, 7);
});

test('switchMetrics measures an overlap', () => {
  const metrics = switchMetrics(
    loadOf([ok(0, 'v1'), ok(40, 'v2'), ok(60, 'v1'), ok(80, 'v2')]),
    { from: 'v1', to: 'v2' },
    100,
  );
  assert.equal(metrics.gapMs, 0);
  assert.equal(metrics.overlapMs, 20);
  assert.equal(metrics.failures.total, 0);
  assert.equal(metrics.failureSpanMs, 0);
});

test('switchMetrics rejects a run without v2', () => {
  assert.throws(
    () => switchMetrics(loadOf([ok(0, 'v1')]), { from: 'v1', to: 'v2' }, 1),
    /1 responses from v1 and 0 from v2/,
  );
});

test('rollbackMetrics times the last v2 response', () => {
  const metrics = rollbackMetrics(
    loadOf([ok(0, 'v2'), ok(900, 'v2'), ok(1300, 'v1')]),
    'v2',
    500,
    700,
  );
  assert.equal(metrics.fullyBackMs, 400);
  assert.equal(metrics.actionMs, 700);
});

test('medianAndWorst of three runs', () => {
  assert.deepEqual(medianAndWorst([5, 1, 3]), { median: 3, worst: 5 });
  assert.deepEqual(medianAndWorst([4, 2]), { median: 2, worst: 4 });
});
