// Trust failures, run through the bundle: no approval, no merge, and a
// comment that names the failed check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependabotCommit, pullRequestEvent } from '../fake-github/index.js';
import { FIXTURES } from './fixtures/pull-requests.js';
import { useFakeGitHub } from './helpers/hooks.js';
import { runAction } from './helpers/run-action.js';
import { passChecks, seedPull } from './helpers/seed.js';

const github = useFakeGitHub();

async function expectRejected(
  seed: Parameters<typeof seedPull>[2],
  failedCheck: RegExp,
  inputs: Record<string, string> = {},
) {
  const fake = github();
  const { pull, event } = seedPull(fake, FIXTURES.single, seed);
  passChecks(fake, pull);
  const run = await runAction(fake, event, inputs);
  assert.equal(run.code, 0, run.log);
  assert.equal(run.outputs.decision, 'untrusted');
  assert.equal(pull.reviews.length, 0);
  assert.equal(pull.merged, false);
  assert.equal(pull.autoMerge, null);
  const comments = fake.state.comments.filter(
    (c) => c.issueNumber === pull.number,
  );
  assert.equal(comments.length, 1);
  assert.match(comments[0].body, failedCheck);
  assert.match(run.summary, failedCheck);
  assert.deepEqual(fake.violations, []);
}

test('pull request opened by a person', async () => {
  await expectRejected(
    { author: 'octocat' },
    /opened by Dependabot failed \(opened by octocat\)/,
  );
});

test('commit by a person on the branch', async () => {
  const human = dependabotCommit('Fix the build', {
    authorLogin: 'octocat',
    authorEmail: 'octocat@example.com',
  });
  await expectRejected(
    { extraCommits: [human] },
    /every commit authored by Dependabot failed/,
  );
});

test('commit signed by a person as Dependabot', async () => {
  const forged = dependabotCommit('Bump again', {
    committerLogin: 'mallory',
  });
  await expectRejected(
    { extraCommits: [forged] },
    /every commit authored by Dependabot failed \(\w{7} by dependabot\[bot\], committed by mallory\)/,
  );
});

test('unsigned Dependabot commit', async () => {
  const unsigned = dependabotCommit('Rebase', {
    verified: false,
    reason: 'unsigned',
  });
  await expectRejected(
    { extraCommits: [unsigned] },
    /verified signature failed \(unverified: \w{7} \(unsigned\)\)/,
  );
});

test('unsigned commits allowed by the option', async () => {
  const fake = github();
  const unsigned = dependabotCommit('Rebase', {
    verified: false,
    reason: 'unsigned',
  });
  const { pull, event } = seedPull(fake, FIXTURES.single, {
    extraCommits: [unsigned],
  });
  passChecks(fake, pull);
  const run = await runAction(fake, event, {
    'allow-unsigned-commits': 'true',
  });
  assert.equal(run.code, 0, run.log);
  assert.equal(run.outputs.decision, 'merge');
  assert.equal(pull.merged, true);
});

test('head in a fork', async () => {
  await expectRejected(
    { headRepository: 'someone/service' },
    /head in the same repository failed \(head repository someone\/service\)/,
  );
});

test('foreign commit after 30 commits is found', async () => {
  const fake = github();
  const many = Array.from({ length: 34 }, (_, i) =>
    dependabotCommit(`Rebase ${i}`),
  );
  many.push(dependabotCommit('Sneak in', { authorLogin: 'mallory' }));
  const { pull, event } = seedPull(fake, FIXTURES.single, {
    extraCommits: many,
  });
  const run = await runAction(fake, event);
  assert.equal(run.outputs.decision, 'untrusted');
  assert.equal(pull.reviews.length, 0);
  assert.match(run.summary, /by mallory/);
  const pages = fake.requests.filter(
    (r) => r.operationId === 'pulls/list-commits',
  );
  assert.equal(pages.length, 1, 'per_page=100 reads 36 commits in one page');
});

test('human push after auto-merge disables it', async () => {
  const fake = github();
  fake.state.requiredChecks = ['test'];
  const { pull, event } = seedPull(fake, FIXTURES.single);
  const first = await runAction(fake, event);
  assert.equal(first.outputs['auto-merge'], 'true');
  assert.notEqual(pull.autoMerge, null);
  fake.state.push(
    pull.number,
    dependabotCommit('tweak', { authorLogin: 'octocat' }),
  );
  const second = await runAction(
    fake,
    pullRequestEvent(fake.state, pull, 'synchronize'),
  );
  assert.equal(second.code, 0, second.log);
  assert.equal(pull.autoMerge, null);
  assert.equal(pull.merged, false);
  const comment = fake.state.comments.find(
    (c) => c.issueNumber === pull.number,
  );
  assert.match(
    comment?.body ?? '',
    /auto-merge disabled because every commit authored by Dependabot failed/,
  );
  assert.deepEqual(fake.violations, []);
});
