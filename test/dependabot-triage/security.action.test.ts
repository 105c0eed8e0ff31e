// Security updates come only from the repository's Dependabot alerts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeAlert } from '../fake-github/index.js';
import { FIXTURES } from './fixtures/pull-requests.js';
import { useFakeGitHub } from './helpers/hooks.js';
import { runAction } from './helpers/run-action.js';
import { seedPull } from './helpers/seed.js';

const github = useFakeGitHub();

function alert(fields: Partial<FakeAlert>): FakeAlert {
  return {
    number: 1,
    state: 'open',
    ecosystem: 'npm',
    packageName: 'other-package',
    manifestPath: 'package-lock.json',
    ghsaId: 'GHSA-aaaa-bbbb-cccc',
    severity: 'high',
    cvss: 7.5,
    vulnerableRange: '< 1.0.0',
    firstPatched: '1.0.0',
    ...fields,
  };
}

/** 120 unrelated alerts, then the one for the dependency: two pages. */
function alertsWithMatchOnPage2(match: Partial<FakeAlert>): FakeAlert[] {
  const noise = Array.from({ length: 120 }, (_, i) =>
    alert({ number: i + 1, packageName: `noise-${i}` }),
  );
  return [...noise, alert({ number: 121, ...match })];
}

test('open alert fixed by the update makes it security', async () => {
  const fake = github();
  fake.state.requiredChecks = ['test'];
  // A minor production update waits by default, unless it fixes an alert.
  fake.state.alerts = alertsWithMatchOnPage2({
    packageName: 'acme/deploy-action',
    ecosystem: 'actions',
    manifestPath: '.github/workflows/deploy.yml',
    firstPatched: '2.2.0',
    ghsaId: 'GHSA-2222-3333-4444',
    cvss: 9.1,
    severity: 'critical',
  });
  const fixture = FIXTURES.leadingV;
  const { pull, event } = seedPull(fake, { ...fixture });
  const run = await runAction(fake, event);
  assert.equal(run.code, 0, run.log);
  // The manifest lies in /.github/workflows, the update in /: not a match.
  assert.equal(run.outputs['ghsa-id'], '');
  assert.equal(run.outputs.decision, 'comment');
  fake.state.alerts.at(-1)!.manifestPath = 'action.yml';
  pull.labels = [];
  const second = await runAction(fake, event);
  assert.equal(second.outputs['ghsa-id'], 'GHSA-2222-3333-4444');
  assert.equal(second.outputs.cvss, '9.1');
  assert.equal(second.outputs['alert-state'], 'OPEN');
  assert.equal(second.outputs.decision, 'merge');
  assert.ok(pull.labels.includes('security'));
  assert.match(second.summary, /GHSA-2222-3333-4444 critical CVSS 9.1/);
  const pages = fake.requests.filter(
    (r) => r.operationId === 'dependabot/list-alerts-for-repo',
  );
  assert.equal(pages.length, 4, 'two pages per run');
  assert.deepEqual(fake.violations, []);
});

test('alert the new version does not fix is ignored', async () => {
  const fake = github();
  fake.state.alerts = [
    alert({
      packageName: 'acme/deploy-action',
      ecosystem: 'actions',
      manifestPath: 'action.yml',
      firstPatched: '3.0.0',
    }),
  ];
  const { event } = seedPull(fake, FIXTURES.leadingV);
  const run = await runAction(fake, event);
  assert.equal(run.outputs['ghsa-id'], '');
  assert.equal(run.outputs.decision, 'comment');
});

test('security label or title alone is not security', async () => {
  const fake = github();
  const { event } = seedPull(
    fake,
    { ...FIXTURES.leadingV, title: `[Security] ${FIXTURES.leadingV.title}` },
    { labels: ['security'] },
  );
  const run = await runAction(fake, event);
  assert.equal(run.outputs['ghsa-id'], '');
  assert.equal(run.outputs.decision, 'comment');
});

test('alerts without permission are reported', async () => {
  const fake = github();
  fake.state.alertsReadable = false;
  const { event } = seedPull(fake, FIXTURES.leadingV);
  const run = await runAction(fake, event);
  assert.equal(run.code, 0, run.log);
  assert.match(run.summary, /may not read Dependabot alerts/);
  assert.match(run.log, /::warning::The token may not read Dependabot alerts/);
  assert.equal(run.outputs.decision, 'comment');
  assert.deepEqual(fake.violations, []);
});

test('secondary rate limit is waited out', async () => {
  const fake = github();
  fake.state.requiredChecks = ['test'];
  fake.state.rateLimitNext = 1;
  fake.state.retryAfterSeconds = 1;
  const { pull, event } = seedPull(fake, FIXTURES.single);
  const started = Date.now();
  const run = await runAction(fake, event);
  assert.equal(run.code, 0, run.log);
  assert.ok(Date.now() - started >= 1000, 'waited for retry-after');
  assert.match(run.log, /secondary rate limit/);
  assert.notEqual(pull.autoMerge, null);
  const sent = fake.requests.length;
  assert.equal(
    Number(run.outputs['api-calls']),
    sent,
    'every request is counted, retries included',
  );
});
