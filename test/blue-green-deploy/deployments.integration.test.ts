import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runBundledAction } from '../helpers/action.js';
import { startHaproxy, type Balancer } from '../helpers/balancers.js';
import { buildDemoImages, removeServiceContainers } from '../helpers/docker.js';
import { freePort } from '../helpers/ports.js';
import { FakeGitHub } from '../fake-github/server.js';
import {
  addDeploymentRoutes,
  fakeDeployments,
} from '../fake-github/deployments.js';

const service = 'bgtest-deployments';
let balancer: Balancer;
let github: FakeGitHub;
let ports: [number, number];

const run = (id: string, extra: Record<string, string>) =>
  runBundledAction(
    'blue-green-deploy',
    {
      service,
      'blue-port': String(ports[0]),
      'green-port': String(ports[1]),
      'health-interval': '250ms',
      'health-timeout': '20s',
      environment: 'production',
      'environment-url': 'http://127.0.0.1/service',
      'github-token': 'ghs_test-token',
      ...balancer.inputs,
      ...extra,
    },
    {
      env: {
        GITHUB_RUN_ID: id,
        GITHUB_REPOSITORY: github.state.fullName,
        GITHUB_API_URL: github.apiUrl,
        GITHUB_GRAPHQL_URL: github.graphqlUrl,
        GITHUB_SHA: 'a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d',
      },
    },
  );

const statesOf = (index: number) =>
  fakeDeployments(github.state)[index].statuses.map((s) => s.state);

before(async () => {
  await buildDemoImages();
  await removeServiceContainers(service);
  ports = [await freePort(), await freePort()];
  balancer = await startHaproxy(service, ports);
  github = new FakeGitHub();
  addDeploymentRoutes(github);
  await github.start();
});

after(async () => {
  await balancer?.stop();
  await github?.stop();
  await removeServiceContainers(service);
});

test('first deploy creates a successful deployment', async () => {
  const result = await run('301', { image: 'resilience-demo:v1' });
  assert.equal(result.exitCode, 0, result.stdout);
  const [first] = fakeDeployments(github.state);
  assert.equal(first.environment, 'production');
  assert.deepEqual(first.payload, { image: 'resilience-demo:v1' });
  assert.deepEqual(statesOf(0), ['in_progress', 'in_progress', 'success']);
  assert.equal(
    first.statuses.at(-1)?.environmentUrl,
    'http://127.0.0.1/service',
  );
  assert.match(first.statuses.at(-1)?.logUrl ?? '', /\/actions\/runs\/301$/);
  assert.deepEqual(github.violations, []);
});

test('canary steps show as statuses; old one goes inactive', async () => {
  const result = await run('302', {
    image: 'resilience-demo:v2',
    steps: '50,100',
    'step-duration': '1s',
    'analysis-interval': '500ms',
  });
  assert.equal(result.exitCode, 0, result.stdout);
  const second = fakeDeployments(github.state)[1];
  assert.deepEqual(statesOf(1), [
    'in_progress',
    'in_progress',
    'in_progress',
    'success',
  ]);
  assert.match(second.statuses[1].description, /takes 50% as green/);
  assert.deepEqual(statesOf(0).at(-1), 'inactive');
  assert.deepEqual(github.violations, []);
});

test('failed deploy posts failure and keeps the live one', async () => {
  const result = await run('303', { image: 'resilience-demo:v3-crash' });
  assert.notEqual(result.exitCode, 0);
  assert.deepEqual(statesOf(2), ['in_progress', 'failure']);
  assert.equal(statesOf(1).at(-1), 'success');
  assert.deepEqual(github.violations, []);
});

test('rollback is a deployment of the previous image', async () => {
  const result = await run('304', { mode: 'rollback' });
  assert.equal(result.exitCode, 0, result.stdout);
  const rollback = fakeDeployments(github.state)[3];
  assert.deepEqual(rollback.payload, { image: 'resilience-demo:v1' });
  assert.deepEqual(statesOf(3), ['in_progress', 'success']);
  assert.equal(statesOf(1).at(-1), 'inactive');
  assert.deepEqual(github.violations, []);
});

test('GitHub outage warns and deploys anyway', async () => {
  const closed = await freePort();
  const result = await runBundledAction(
    'blue-green-deploy',
    {
      service,
      image: 'resilience-demo:v2',
      'blue-port': String(ports[0]),
      'green-port': String(ports[1]),
      'health-interval': '250ms',
      environment: 'production',
      'github-token': 'ghs_test-token',
      ...balancer.inputs,
    },
    {
      env: {
        GITHUB_RUN_ID: '305',
        GITHUB_API_URL: `http://127.0.0.1:${closed}`,
        GITHUB_GRAPHQL_URL: `http://127.0.0.1:${closed}/graphql`,
      },
    },
  );
  assert.equal(result.exitCode, 0, result.stdout);
  assert.equal(result.outputs.result, 'deployed');
  assert.match(result.stdout, /::warning::Could not create a deployment/);
  // The token appears only in the command that asks the runner to mask it.
  const unmasked = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'));
  assert.ok(!unmasked.some((line) => line.includes('ghs_test-token')));
});
