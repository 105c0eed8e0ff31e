import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { memoryLogger } from '../../src/shared/logger.js';
import { HaproxyRouter } from '../../src/blue-green-deploy/routers/haproxy.js';
import type { Weights } from '../../src/blue-green-deploy/routers/router.js';
import {
  runBundledAction,
  startBundledAction,
  type ActionRun,
} from '../helpers/action.js';
import { startHaproxy, type Balancer } from '../helpers/balancers.js';
import {
  buildDemoImages,
  removeServiceContainers,
  serviceContainerNames,
} from '../helpers/docker.js';
import { startLoad, type LoadReport } from '../helpers/load.js';
import { freePort } from '../helpers/ports.js';
import {
  startPrometheus,
  type PrometheusServer,
} from '../helpers/prometheus.js';

const service = 'bgtest-canary';
let balancer: Balancer;
let prometheus: PrometheusServer;
let ports: [number, number];
let router: HaproxyRouter;

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    service,
    'blue-port': String(ports[0]),
    'green-port': String(ports[1]),
    'health-timeout': '20s',
    'health-interval': '250ms',
    steps: '10,50,100',
    'step-duration': '4s',
    'analysis-interval': '2s',
    'min-requests': '20',
    'max-error-rate': '0.05',
    'max-p95-latency': '0.25',
    'inconclusive-limit': '2',
    'prometheus-url': prometheus.url,
    'lock-ttl': '30s',
    ...balancer.inputs,
    ...extra,
  };
}

const runAs = (run: string, extra: Record<string, string>) =>
  runBundledAction('blue-green-deploy', inputs(extra), {
    env: { GITHUB_RUN_ID: run },
  });

async function underLoad(action: () => Promise<ActionRun>) {
  const load = startLoad(balancer.url, { rate: 250, maxDurationMs: 90_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await action();
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { result, report: await load.stop() };
}

async function liveVersion(): Promise<string> {
  const response = await fetch(balancer.url, {
    headers: { connection: 'close' },
  });
  return ((await response.json()) as { version: string }).version;
}

/** Polls the balancer until `predicate` holds for its weights. */
async function waitForWeights(predicate: (weights: Weights) => boolean) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { weights } = await router.read();
    if (predicate(weights)) return weights;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the balancer never reached the expected weights');
}

function assertNoFailures(report: LoadReport) {
  assert.equal(report.failed, 0, JSON.stringify(report));
  assert.ok(report.rate >= 200, `rate ${report.rate.toFixed(0)}/s`);
}

before(async () => {
  await buildDemoImages();
  await removeServiceContainers(service);
  ports = [await freePort(), await freePort()];
  balancer = await startHaproxy(service, ports);
  router = new HaproxyRouter(
    {
      kind: 'haproxy',
      socket: balancer.inputs['haproxy-socket'],
      backend: service,
    },
    memoryLogger(),
  );
  prometheus = await startPrometheus({
    scrapeTargets: ports.map((port) => `127.0.0.1:${port}`),
    scrapeInterval: '1s',
    waitForTargets: false,
  });
  const first = await runAs('100', {
    image: 'resilience-demo:v1',
    steps: '100',
  });
  assert.equal(first.exitCode, 0, first.stdout);
});

after(async () => {
  await balancer?.stop();
  await prometheus?.stop();
  await removeServiceContainers(service);
});

test('good canary is promoted through every step', async () => {
  const { result, report } = await underLoad(() =>
    runAs('101', { image: 'resilience-demo:v2' }),
  );
  assert.equal(result.exitCode, 0, result.stdout);
  assert.equal(result.outputs.result, 'deployed');
  assert.equal(result.outputs['active-image'], 'resilience-demo:v2');
  assertNoFailures(report);
  for (const step of [
    'Step 1: green 10%',
    'Step 2: green 50%',
    'Step 3: green 100%',
  ]) {
    assert.match(result.summary, new RegExp(`${step} \\| ok`));
  }
  assert.match(result.summary, /### Canary analysis/);
  assert.match(result.summary, /\| error rate \| 0 \| <= 0.05 \| pass/);
  assert.equal(await liveVersion(), 'v2');
});

test('5xx canary rolls back at the first step', async () => {
  const { result, report } = await underLoad(() =>
    runAs('102', { image: 'resilience-demo:v3-failing' }),
  );
  assert.notEqual(result.exitCode, 0);
  assert.equal(result.outputs.result, 'rolled-back');
  assert.equal(result.outputs['active-image'], 'resilience-demo:v2');
  assert.match(result.stdout, /error rate 1 \(<= 0.05; threshold crossed\)/);
  assert.doesNotMatch(result.summary, /Step 2:/);
  assert.match(result.summary, /\| error rate \| 1 \| <= 0.05 \| fail/);
  assert.match(
    result.summary,
    /http_requests_total\{color="blue",code=~"5\.\."\}/,
  );
  // Only the canary's 10% share failed, and only until the rollback.
  assert.ok(report.failed > 0, 'the canary received traffic');
  assert.ok(report.failed < report.sent * 0.1, JSON.stringify(report));
  assert.equal(await liveVersion(), 'v2');
  // The canary is gone and the v1 it had set aside is back for rollback.
  const names = await serviceContainerNames(service);
  assert.ok(names.includes(`${service}-blue`), names.join(', '));
  assert.ok(
    !names.some((name) => name.endsWith('-set-aside')),
    names.join(', '),
  );
  const status = await runAs('102', { mode: 'status' });
  assert.match(
    status.summary,
    /\| blue \| resilience-demo:v1 \| running \| 0% \|/,
  );
});

test('slow canary rolls back on latency', async () => {
  const { result, report } = await underLoad(() =>
    runAs('103', { image: 'resilience-demo:v3-slow' }),
  );
  assert.notEqual(result.exitCode, 0);
  assert.equal(result.outputs.result, 'rolled-back');
  assert.match(
    result.summary,
    /\| p95 latency \(s\) \| 0\.\d+ \| <= 0.25 \| fail/,
  );
  assert.equal(report.failed, 0, JSON.stringify(report));
  assert.equal(await liveVersion(), 'v2');
});

test('canary without traffic ends inconclusive', async () => {
  const result = await runAs('104', { image: 'resilience-demo:v1' });
  assert.notEqual(result.exitCode, 0);
  assert.equal(result.outputs.result, 'rolled-back');
  assert.match(result.stdout, /inconclusive \(limit 2\)/);
  assert.match(result.summary, /too few requests to judge/);
  assert.equal(await liveVersion(), 'v2');
});

test('unreachable Prometheus never promotes', async () => {
  const closed = await freePort();
  const { result, report } = await underLoad(() =>
    runAs('105', {
      image: 'resilience-demo:v1',
      'prometheus-url': `http://127.0.0.1:${closed}`,
    }),
  );
  assert.notEqual(result.exitCode, 0);
  assert.equal(result.outputs.result, 'rolled-back');
  assert.match(
    result.summary,
    /Prometheus at http:\/\/127.0.0.1:\d+ is unavailable/,
  );
  assert.equal(report.failed, 0);
  assert.equal(await liveVersion(), 'v2');
});

test('metric that never answers fails as misconfigured', async () => {
  const { result } = await underLoad(() =>
    runAs('106', {
      image: 'resilience-demo:v1',
      'requests-metric': 'no_such_requests_total',
    }),
  );
  assert.notEqual(result.exitCode, 0);
  assert.match(result.stdout, /misconfigured analysis: request count/);
  assert.equal(await liveVersion(), 'v2');
});

test('manual gate pauses, then promote finishes', async () => {
  const { result: paused, report: first } = await underLoad(() =>
    runAs('107', {
      image: 'resilience-demo:v1',
      steps: '20,100',
      'manual-gate': '20',
    }),
  );
  assert.equal(paused.exitCode, 0, paused.stdout);
  assert.equal(paused.outputs.result, 'paused');
  assert.equal(paused.outputs['canary-weight'], '20');
  assert.deepEqual((await router.read()).weights, { blue: 20, green: 80 });
  assertNoFailures(first);

  const blocked = await runAs('108', { image: 'resilience-demo:v2' });
  assert.notEqual(blocked.exitCode, 0);
  assert.match(blocked.stdout, /is paused at 20%/);

  const { result: promoted, report: second } = await underLoad(() =>
    runAs('109', { mode: 'promote', steps: '20,100', 'manual-gate': '20' }),
  );
  assert.equal(promoted.exitCode, 0, promoted.stdout);
  assert.equal(promoted.outputs.result, 'deployed');
  assert.equal(promoted.outputs['active-image'], 'resilience-demo:v1');
  assertNoFailures(second);
  assert.deepEqual((await router.read()).weights, { blue: 100 });
});

test('manual gate pauses, then rollback ends it', async () => {
  const paused = await underLoad(() =>
    runAs('110', {
      image: 'resilience-demo:v2',
      steps: '20,100',
      'manual-gate': '20',
    }),
  );
  assert.equal(paused.result.outputs.result, 'paused', paused.result.stdout);
  const { result, report } = await underLoad(() =>
    runAs('111', { mode: 'abort' }),
  );
  assert.equal(result.exitCode, 0, result.stdout);
  assert.equal(result.outputs.result, 'rolled-back');
  assert.equal(result.outputs['active-image'], 'resilience-demo:v1');
  assertNoFailures(report);
  assert.deepEqual((await router.read()).weights, { blue: 100 });
  const names = await serviceContainerNames(service);
  assert.ok(names.includes(`${service}-green`), 'the set-aside v2 is restored');
  assert.ok(
    !names.some((name) => name.endsWith('-set-aside')),
    names.join(', '),
  );

  const idle = await runAs('111', { mode: 'abort' });
  assert.equal(idle.exitCode, 0, idle.stdout);
  assert.equal(idle.outputs.result, 'unchanged');
  assert.match(idle.summary, /abort changed nothing/);
  assert.deepEqual((await router.read()).weights, { blue: 100 });
});

test('second deploy is refused while one runs', async () => {
  const first = await startBundledAction(
    'blue-green-deploy',
    inputs({
      image: 'resilience-demo:v2',
      'step-duration': '6s',
      'min-requests': '1',
    }),
    { env: { GITHUB_RUN_ID: '112' } },
  );
  const load = startLoad(balancer.url, { rate: 250, maxDurationMs: 60_000 });
  await waitForWeights((w) => w.green === 10);
  const second = await runAs('113', { image: 'resilience-demo:v2' });
  assert.notEqual(second.exitCode, 0);
  assert.match(second.stdout, /is locked by run octo-org\/demo-service#112\.1/);
  const done = await first.done;
  const report = await load.stop();
  assert.equal(done.exitCode, 0, done.stdout);
  assert.equal(done.outputs.result, 'deployed');
  assertNoFailures(report);
});

test('rollback ends a deploy mid-analysis', async () => {
  const deploying = await startBundledAction(
    'blue-green-deploy',
    inputs({ image: 'resilience-demo:v1', 'step-duration': '30s' }),
    { env: { GITHUB_RUN_ID: '114' } },
  );
  await waitForWeights((w) => w.blue === 10);
  const rolledBack = await runAs('115', { mode: 'rollback' });
  assert.equal(rolledBack.exitCode, 0, rolledBack.stdout);
  assert.equal(rolledBack.outputs['active-image'], 'resilience-demo:v2');
  assert.deepEqual((await router.read()).weights, { green: 100 });
  const ended = await deploying.done;
  assert.notEqual(ended.exitCode, 0);
  assert.match(ended.stdout, /took the deploy lock over/);
  assert.deepEqual((await router.read()).weights, { green: 100 });
});

test('killed job is repaired by its post step', async () => {
  const deploying = await startBundledAction(
    'blue-green-deploy',
    inputs({ image: 'resilience-demo:v1', 'step-duration': '30s' }),
    { env: { GITHUB_RUN_ID: '116' } },
  );
  await waitForWeights((w) => w.blue === 10);
  deploying.child.kill('SIGKILL');
  await deploying.done;
  const post = await runBundledAction(
    'blue-green-deploy',
    inputs({ image: 'resilience-demo:v1' }),
    { env: { GITHUB_RUN_ID: '116', STATE_isPost: 'true' } },
  );
  assert.equal(post.exitCode, 0, post.stdout);
  assert.match(post.stdout, /the job stopped before the deploy finished/);
  assert.deepEqual((await router.read()).weights, { green: 100 });
  const next = await runAs('117', { mode: 'status' });
  assert.match(
    next.summary,
    /\| green \| resilience-demo:v2 \| running \| 100% \|/,
  );
});

test('killed job is recovered by the next run', async () => {
  const deploying = await startBundledAction(
    'blue-green-deploy',
    inputs({
      image: 'resilience-demo:v1',
      'step-duration': '30s',
      'lock-ttl': '3s',
    }),
    { env: { GITHUB_RUN_ID: '118' } },
  );
  await waitForWeights((w) => w.blue === 10);
  deploying.child.kill('SIGKILL');
  await deploying.done;

  const tooSoon = await runAs('119', {
    image: 'resilience-demo:v1',
    steps: '100',
  });
  assert.notEqual(tooSoon.exitCode, 0);
  assert.match(tooSoon.stdout, /locked by run octo-org\/demo-service#118\.1/);

  await new Promise((resolve) => setTimeout(resolve, 3000));
  const { result, report } = await underLoad(() =>
    runAs('120', { image: 'resilience-demo:v1', steps: '100' }),
  );
  assert.equal(result.exitCode, 0, result.stdout);
  assert.match(result.summary, /Recover unfinished deploy \| ok/);
  assert.equal(result.outputs.result, 'deployed');
  assert.equal(result.outputs['active-image'], 'resilience-demo:v1');
  assertNoFailures(report);
  assert.equal(await liveVersion(), 'v1');
});

/** Waits until the deploy has set the old green aside and started its own. */
async function waitForSetAside() {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const names = await serviceContainerNames(service);
    if (
      names.includes(`${service}-green-set-aside`) &&
      names.includes(`${service}-green`)
    ) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the deploy never set the old green aside');
}

test('rollback during the health check ends the deploy', async () => {
  const deploying = await startBundledAction(
    'blue-green-deploy',
    inputs({ image: 'resilience-demo:v3-failing', 'health-timeout': '20s' }),
    { env: { GITHUB_RUN_ID: '121' } },
  );
  await waitForSetAside();
  const rolledBack = await runAs('122', { mode: 'rollback' });
  assert.equal(rolledBack.exitCode, 0, rolledBack.stdout);
  assert.equal(rolledBack.outputs['active-image'], 'resilience-demo:v1');
  assert.deepEqual((await router.read()).weights, { blue: 100 });
  const ended = await deploying.done;
  assert.notEqual(ended.exitCode, 0);
  assert.match(ended.stdout, /took the deploy lock over/);
  assert.equal(await liveVersion(), 'v1');
  const status = await runAs('122', { mode: 'status' });
  assert.match(
    status.summary,
    /\| green \| resilience-demo:v2 \| running \| 0% \|/,
  );
  const names = await serviceContainerNames(service);
  assert.ok(
    !names.some((name) => name.endsWith('-set-aside')),
    names.join(', '),
  );
});

test('job killed in its health check is repaired by post', async () => {
  const deploying = await startBundledAction(
    'blue-green-deploy',
    inputs({ image: 'resilience-demo:v3-failing' }),
    { env: { GITHUB_RUN_ID: '123' } },
  );
  await waitForSetAside();
  deploying.child.kill('SIGKILL');
  await deploying.done;
  const post = await runBundledAction(
    'blue-green-deploy',
    inputs({ image: 'resilience-demo:v3-failing' }),
    { env: { GITHUB_RUN_ID: '123', STATE_isPost: 'true' } },
  );
  assert.equal(post.exitCode, 0, post.stdout);
  assert.deepEqual((await router.read()).weights, { blue: 100 });
  const status = await runAs('124', { mode: 'status' });
  assert.match(
    status.summary,
    /\| green \| resilience-demo:v2 \| running \| 0% \|/,
  );
  const rollback = await runAs('124', { mode: 'rollback' });
  assert.equal(rollback.outputs['active-image'], 'resilience-demo:v2');
  assert.equal(await liveVersion(), 'v2');
});

test('cleanup waits for a running deploy', async () => {
  const deploying = await startBundledAction(
    'blue-green-deploy',
    inputs({ image: 'resilience-demo:v1', steps: '100' }),
    { env: { GITHUB_RUN_ID: '125' } },
  );
  const deadline = Date.now() + 20_000;
  while (
    !(await serviceContainerNames(service)).includes(
      `${service}-blue-set-aside`,
    )
  ) {
    if (Date.now() > deadline) throw new Error('the deploy never started');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const cleanup = await runAs('126', {
    mode: 'cleanup',
    'keep-previous': '0s',
  });
  assert.notEqual(cleanup.exitCode, 0);
  assert.match(
    cleanup.stdout,
    /is locked by run octo-org\/demo-service#125\.1/,
  );
  const done = await deploying.done;
  assert.equal(done.exitCode, 0, done.stdout);
  assert.equal(await liveVersion(), 'v1');
});
