import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable } from '../../action-templates/demo/report.js';
import {
  DEMO_STEPS,
  judgeStep,
  type StepObservation,
} from '../../action-templates/demo/steps.js';
import type { LoadReport } from '../helpers/load.js';

const rollback = DEMO_STEPS.find((step) => step.name === 'rollback')!;

const cleanLoad = (): LoadReport => ({
  sent: 500,
  ok: 500,
  badStatus: {},
  connectionErrors: 0,
  slow: 0,
  failed: 0,
  durationMs: 2000,
  rate: 250,
  versions: { v1: 300, v2: 200 },
});

const asExpected = (): StepObservation => ({
  exitCode: 0,
  outputs: {
    result: 'rolled-back',
    'active-color': 'blue',
    'active-image': 'resilience-demo:v1',
  },
  servedVersion: 'v1',
  load: cleanLoad(),
});

test('judgeStep passes an expected step', () => {
  assert.deepEqual(judgeStep(rollback, asExpected()), []);
});

test('judgeStep flags failed requests', () => {
  const observed = asExpected();
  observed.load!.failed = 3;
  observed.load!.badStatus = { '503': 2 };
  observed.load!.connectionErrors = 1;
  const problems = judgeStep(rollback, observed);
  assert.equal(problems.length, 1);
  assert.match(
    problems[0],
    /3 failed requests, more than 0 \(2 x HTTP 503, 1 connection/,
  );
});

test('judgeStep flags a served v3', () => {
  const observed = asExpected();
  observed.load!.versions.v3 = 7;
  assert.deepEqual(judgeStep(rollback, observed), ['v3 served 7 requests']);
});

test('judgeStep allows expected failures', () => {
  const observed = asExpected();
  observed.load!.failed = 4;
  observed.load!.badStatus = { '500': 4 };
  const tolerant = {
    ...rollback,
    expect: { ...rollback.expect, maxFailedRequests: 5, neverServed: [] },
  };
  observed.load!.versions.v3 = 4;
  assert.deepEqual(judgeStep(tolerant, observed), []);
  observed.load!.failed = 6;
  assert.match(judgeStep(tolerant, observed).join(), /6 failed requests/);
});

test('judgeStep flags a low load rate', () => {
  const observed = asExpected();
  observed.load!.rate = 120;
  assert.match(judgeStep(rollback, observed).join(), /120 req\/s, under 200/);
});

test('judgeStep flags wrong version and exit', () => {
  const observed = asExpected();
  observed.exitCode = 1;
  observed.servedVersion = 'v2';
  observed.outputs['active-image'] = 'resilience-demo:v2';
  assert.deepEqual(judgeStep(rollback, observed), [
    'the action exited with code 1, expected success',
    'active image is "resilience-demo:v2", expected "resilience-demo:v1"',
    'served version is "v2", expected "v1"',
  ]);
});

test('judgeStep expects the crash step to fail', () => {
  const crash = DEMO_STEPS.find((step) => step.name === 'deploy v3-crash')!;
  const observed = asExpected();
  observed.outputs = {
    result: 'deployed',
    'active-color': 'blue',
    'active-image': 'resilience-demo:v3-crash',
  };
  observed.servedVersion = 'v3';
  const problems = judgeStep(crash, observed);
  assert.equal(
    problems[0],
    'the action exited with code 0, expected a failure',
  );
  assert.equal(problems.length, 5, problems.join('\n'));
});

test('formatTable aligns one row per step', () => {
  const table = formatTable([
    {
      step: 'deploy v1',
      purpose: 'first deploy',
      exitCode: 0,
      result: 'deployed',
      activeColor: 'blue',
      activeImage: 'resilience-demo:v1',
      servedVersion: 'v1',
      durationMs: 4200,
      problems: [],
    },
    {
      step: 'rollback',
      purpose: 'back to v1',
      exitCode: 0,
      result: 'rolled-back',
      activeColor: 'blue',
      activeImage: 'resilience-demo:v1',
      servedVersion: 'v2',
      durationMs: 900,
      load: cleanLoad(),
      problems: ['served version is "v2", expected "v1"'],
    },
  ]);
  const rows = table.split('\n');
  assert.equal(rows.length, 4);
  assert.match(
    rows[2],
    /^deploy v1 +deployed +blue resilience-demo:v1 +v1 +4\.2 s +- +- +- +ok$/,
  );
  assert.match(
    rows[3],
    /^rollback +rolled-back .* 0\.9 s +500 +250\/s +0 +UNEXPECTED$/,
  );
  assert.equal(rows[2].indexOf('deployed'), rows[3].indexOf('rolled-back'));
});
