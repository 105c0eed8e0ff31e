import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { readSettings } from '../../src/blue-green-deploy/inputs.js';
import { ConfigurationError } from '../../src/shared/errors.js';

const base: Record<string, string> = {
  mode: 'deploy',
  service: 'web',
  image: 'registry.example/web:1.2.3',
  router: 'haproxy',
  'haproxy-socket': '/run/haproxy/admin.sock',
  port: '8080',
  'blue-port': '8081',
  'green-port': '8082',
  network: 'published',
  'publish-address': '127.0.0.1',
  'backend-host': '127.0.0.1',
  'health-path': '/healthz',
  'health-timeout': '60s',
  'health-interval': '1s',
  'health-successes': '3',
  'keep-previous': '30m',
  'drain-timeout': '10s',
  steps: '10,50,100',
  'step-duration': '60s',
  'analysis-interval': '15s',
  'failure-limit': '1',
  'inconclusive-limit': '3',
  'requests-metric': 'http_requests_total',
  'duration-metric': 'http_request_duration_seconds',
  'color-label': 'color',
  'status-label': 'code',
  'max-error-rate': '0.01',
  'max-p95-latency': '0.5',
  'min-requests': '50',
  'baseline-error-margin': '0.01',
  'baseline-latency-tolerance': '0.5',
  'lock-ttl': '2m',
};

const setInputs = (inputs: Record<string, string>) => {
  for (const [key, value] of Object.entries(inputs)) {
    process.env[`INPUT_${key.toUpperCase()}`] = value;
  }
};

afterEach(() => {
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('INPUT_')) delete process.env[key];
  }
});

test('valid inputs become settings', () => {
  setInputs(base);
  const settings = readSettings({});
  assert.deepEqual(settings.canary.steps, [10, 50, 100]);
  assert.equal(settings.health.timeoutMs, 60_000);
  assert.equal(settings.replicas, undefined);
});

const rejected: [string, string, RegExp][] = [
  [
    'health-timeout',
    '0',
    /"health-timeout" is "0", but it must be at least 1000 ms/,
  ],
  ['health-interval', '0s', /"health-interval" is "0s"/],
  ['analysis-interval', '0', /"analysis-interval" is "0"/],
  ['lock-ttl', '0s', /"lock-ttl" is "0s", but it must be at least 3000 ms/],
  [
    'image',
    'Bad Image!!',
    /"image" is "Bad Image!!", which is not an image reference/,
  ],
  ['steps', '50,10', /"steps" is "50,10"/],
  ['replicas', '0', /"replicas" is "0"/],
];

for (const [input, value, message] of rejected) {
  test(`${input}=${value} is rejected`, () => {
    setInputs({ ...base, [input]: value });
    assert.throws(
      () => readSettings({}),
      (error: unknown) =>
        error instanceof ConfigurationError && message.test(error.message),
    );
  });
}

test('router-container works with nginx only', () => {
  setInputs({ ...base, 'router-container': 'edge-haproxy' });
  assert.throws(
    () => readSettings({}),
    (error: unknown) =>
      error instanceof ConfigurationError &&
      /"router-container" is "edge-haproxy", but only the nginx driver/.test(
        error.message,
      ),
  );
});
