import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import {
  DEMO_SERVICE,
  runDemo,
  type DemoReport,
} from '../../action-templates/demo/demo.js';
import { DEMO_STEPS } from '../../action-templates/demo/steps.js';
import { serviceContainerNames } from '../helpers/docker.js';

let report: DemoReport;
const lines: string[] = [];
const tmpdirBefore = tmpdir();

const resultOf = (step: string) => {
  const result = report.results.find((candidate) => candidate.step === step);
  assert.ok(result, `no result for step ${step}`);
  return result;
};

test('demo runs every step as expected', { timeout: 180_000 }, async () => {
  report = await runDemo({ print: (line) => lines.push(line) });
  const output = lines.join('\n');
  assert.deepEqual(
    report.results.map((result) => result.step),
    DEMO_STEPS.map((step) => step.name),
  );
  for (const result of report.results) {
    assert.deepEqual(result.problems, [], `${result.step}\n${output}`);
  }
  assert.equal(report.passed, true, output);
});

test('demo deploys v2 under load without failures', () => {
  const v2 = resultOf('deploy v2');
  assert.equal(v2.exitCode, 0);
  assert.equal(v2.activeImage, 'resilience-demo:v2');
  assert.ok(v2.load, 'the v2 step ran under load');
  assert.equal(v2.load.failed, 0, JSON.stringify(v2.load));
  assert.ok(v2.load.rate >= 200, `rate ${v2.load.rate}`);
  assert.ok((v2.load.versions.v1 ?? 0) > 0, 'v1 answered before the switch');
  assert.ok((v2.load.versions.v2 ?? 0) > 0, 'v2 answered after the switch');
});

test('demo never serves the crashing v3', () => {
  const crash = resultOf('deploy v3-crash');
  assert.notEqual(crash.exitCode, 0);
  assert.equal(crash.result, 'failed');
  assert.equal(crash.servedVersion, 'v2');
  assert.equal(crash.load?.versions.v3, undefined);
  assert.match(crash.error ?? '', /exited with code 3/);
});

test('demo rolls back to v1 on blue', () => {
  const rollback = resultOf('rollback');
  assert.equal(rollback.result, 'rolled-back');
  assert.equal(rollback.activeColor, 'blue');
  assert.equal(rollback.servedVersion, 'v1');
  assert.equal(rollback.load?.failed, 0);
});

test('demo promotes the good canary', () => {
  const canary = resultOf('canary v2');
  assert.equal(canary.exitCode, 0);
  assert.equal(canary.result, 'deployed');
  assert.equal(canary.servedVersion, 'v2');
  assert.equal(canary.load?.failed, 0, JSON.stringify(canary.load));
  assert.ok((canary.load?.versions.v1 ?? 0) > 0, 'v1 served during the steps');
});

test('demo rolls the failing canary back', () => {
  const canary = resultOf('canary v3-failing');
  assert.notEqual(canary.exitCode, 0);
  assert.equal(canary.result, 'rolled-back');
  assert.equal(canary.servedVersion, 'v2');
  const failed = canary.load?.failed ?? 0;
  assert.ok(failed > 0, 'the canary answered 500 to its share');
  assert.ok(
    failed < (canary.load?.sent ?? 0) * 0.1,
    JSON.stringify(canary.load),
  );
});

test('demo prints step lines and a table', () => {
  const output = lines.join('\n');
  for (const step of DEMO_STEPS) {
    assert.match(output, new RegExp(`\\] ${step.name}: ok, result=`));
  }
  assert.match(output, /^step +result +active +served +took +requests/m);
  assert.match(output, /Demo passed\./);
});

test('demo leaves no containers or files', async () => {
  assert.deepEqual(await serviceContainerNames(DEMO_SERVICE), []);
  assert.equal(tmpdir(), tmpdirBefore, 'TMPDIR is restored');
  assert.equal(existsSync(report.workDir), false, report.workDir);
});
