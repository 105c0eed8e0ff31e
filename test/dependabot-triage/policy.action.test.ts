// Policy files on the base branch, and release age read with the npm
// client from a fake registry on 127.0.0.1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURES } from './fixtures/pull-requests.js';
import { useFakeGitHub } from './helpers/hooks.js';
import { npmRegistry, startReceiver } from './helpers/receivers.js';
import { runAction } from './helpers/run-action.js';
import { seedPull } from './helpers/seed.js';

const github = useFakeGitHub();
const POLICY = '.github/dependabot-triage.yml';
const DAY = 86_400_000;

const AGE_POLICY = `
version: 1
rules:
  - name: settled npm releases merge
    match:
      ecosystem: npm
      min-release-age: 7d
    action: merge
    merge-method: rebase
    labels: [settled]
  - name: everything else waits
    action: comment
`;

async function withRegistry(
  ageDays: number,
  fn: (registry: string) => Promise<void>,
) {
  const published = new Date(Date.now() - ageDays * DAY).toISOString();
  const registry = await startReceiver(
    npmRegistry({
      'widget-core': {
        '4.17.20': '2020-01-01T00:00:00.000Z',
        '4.17.21': published,
      },
    }),
  );
  try {
    await fn(registry.url);
  } finally {
    await registry.stop();
  }
}

test('release older than the minimum merges', async () => {
  await withRegistry(10, async (registry) => {
    const fake = github();
    fake.state.requiredChecks = ['test'];
    fake.state.files.set(POLICY, AGE_POLICY);
    const { pull, event } = seedPull(fake, FIXTURES.single);
    const run = await runAction(
      fake,
      event,
      {},
      { npm_config_registry: registry },
    );
    assert.equal(run.code, 0, run.log);
    assert.equal(run.outputs.decision, 'merge');
    assert.equal(pull.autoMerge?.mergeMethod, 'REBASE');
    assert.ok(pull.labels.includes('settled'));
    const [dependency] = JSON.parse(run.outputs['dependencies-json']);
    assert.ok(dependency.releaseAgeMs >= 10 * DAY - 60_000);
    assert.equal(dependency.rule, 'settled npm releases merge');
  });
});

test('release younger than the minimum waits', async () => {
  await withRegistry(2, async (registry) => {
    const fake = github();
    fake.state.files.set(POLICY, AGE_POLICY);
    const { pull, event } = seedPull(fake, FIXTURES.single);
    const run = await runAction(
      fake,
      event,
      {},
      { npm_config_registry: registry },
    );
    assert.equal(run.outputs.decision, 'comment');
    assert.equal(pull.reviews.length, 0);
    assert.match(run.summary, /everything else waits/);
  });
});

test('age unknown outside npm does not match', async () => {
  const fake = github();
  fake.state.files.set(
    POLICY,
    AGE_POLICY.replace('ecosystem: npm', 'ecosystem: docker'),
  );
  const { event } = seedPull(fake, FIXTURES.dockerDigest);
  const run = await runAction(fake, event);
  assert.equal(run.outputs.decision, 'comment');
});

test('invalid policy fails naming rule, field and fix', async () => {
  const fake = github();
  fake.state.files.set(
    POLICY,
    'rules:\n  - name: fast\n    match:\n      update-type: tiny\n    action: merge\n',
  );
  const { pull, event } = seedPull(fake, FIXTURES.single);
  const run = await runAction(fake, event);
  assert.equal(run.code, 1);
  assert.match(
    run.log,
    /::error::Configuration error: Policy file \.github\/dependabot-triage\.yml is invalid/,
  );
  assert.match(
    run.log,
    /rule 1 \("fast"\), field "match\.update-type" is "tiny"\. Use one of: major, minor, patch, unknown\.(?!.*must be array)/,
  );
  assert.equal(pull.reviews.length, 0);
});
