// Runs the bundled action (node dist/dependabot-triage/index.js) against
// the fake GitHub and asserts on the fake's state afterwards.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  dependabotCommit,
  startFakeGitHub,
  type FakeGitHub,
} from '../fake-github/index.js';
import { combinedStatusObject, reviewObject } from '../fake-github/objects.js';
import { addPullRoutes } from '../fake-github/pulls.js';
import { addRepositoryRoutes } from '../fake-github/repository.js';
import { FakeState } from '../fake-github/state.js';
import { FIXTURES } from './fixtures/pull-requests.js';
import { runAction } from './helpers/run-action.js';
import { passChecks, seedPull } from './helpers/seed.js';
import { startReceiver } from './helpers/receivers.js';

let fake: FakeGitHub;

before(async () => {
  fake = await startFakeGitHub();
});
after(async () => {
  await fake.stop();
});
beforeEach(() => {
  Object.assign(fake.state, new FakeState());
  fake.violations.length = 0;
  fake.requests.length = 0;
});

function ownComments(number: number) {
  return fake.state.comments.filter((c) => c.issueNumber === number);
}

test('patch update enables auto-merge pinned to head', async () => {
  const { pull, event } = seedPull(fake, FIXTURES.single);
  fake.state.requiredChecks = ['test'];
  const run = await runAction(fake, event);
  assert.equal(run.code, 0, run.log);
  assert.equal(pull.reviews.length, 1);
  assert.equal(pull.reviews[0].state, 'APPROVED');
  assert.equal(pull.autoMerge?.mergeMethod, 'SQUASH');
  assert.equal(pull.autoMerge?.expectedHeadOid, fake.state.headSha(pull));
  assert.deepEqual(pull.labels.sort(), [
    'auto-merged',
    'dependencies',
    'semver:patch',
  ]);
  assert.equal(ownComments(pull.number).length, 1);
  assert.equal(run.outputs.decision, 'merge');
  assert.equal(run.outputs['update-type'], 'version-update:semver-patch');
  assert.equal(run.outputs['dependency-names'], 'widget-core');
  assert.equal(run.outputs['previous-version'], '4.17.20');
  assert.match(run.log, /default GITHUB_TOKEN/);
  assert.deepEqual(fake.violations, []);
});

test('second run updates the one comment', async () => {
  const { pull, event } = seedPull(fake, FIXTURES.single);
  fake.state.requiredChecks = ['test'];
  await runAction(fake, event);
  const first = ownComments(pull.number)[0].body;
  pull.autoMerge = null;
  const run = await runAction(fake, event);
  assert.equal(run.code, 0, run.log);
  assert.equal(ownComments(pull.number).length, 1);
  assert.match(first, /dependabot-triage/);
  assert.deepEqual(fake.violations, []);
});

test('clean status merges directly with the head sha', async () => {
  const { pull, event } = seedPull(fake, FIXTURES.single);
  passChecks(fake, pull);
  const head = fake.state.headSha(pull);
  const run = await runAction(fake, event, {
    'merge-token': 'ghs_app_token',
    'check-interval': '100ms',
  });
  assert.equal(run.code, 0, run.log);
  assert.equal(pull.merged, true);
  assert.equal(pull.mergeMethod, 'squash');
  assert.equal(run.outputs['merged-sha'], pull.mergeCommitSha);
  assert.ok(fake.state.branchCommits.some((c) => c.pullNumber === pull.number));
  assert.equal(pull.reviews[0].commitId, head);
  assert.doesNotMatch(run.log, /default GITHUB_TOKEN/);
  assert.deepEqual(fake.violations, []);
});

test('auto-merge not allowed waits for checks, then merges', async () => {
  const { pull, event } = seedPull(fake, FIXTURES.single);
  fake.state.allowAutoMerge = false;
  passChecks(fake, pull);
  fake.state.checkRuns.push({
    id: 1,
    headSha: fake.state.headSha(pull),
    name: 'triage',
    status: 'in_progress',
    conclusion: null,
  });
  const run = await runAction(fake, event, { 'check-interval': '100ms' });
  assert.equal(run.code, 0, run.log);
  assert.equal(pull.merged, true);
  assert.equal(pull.autoMerge, null);
  assert.deepEqual(fake.violations, []);
});

test('no checks yet is not success', async () => {
  const { pull, event } = seedPull(fake, FIXTURES.single);
  fake.state.allowAutoMerge = false;
  const run = await runAction(fake, event, {
    'check-timeout': '1s',
    'check-interval': '200ms',
  });
  assert.equal(run.code, 0, run.log);
  assert.equal(pull.merged, false);
  assert.match(ownComments(pull.number)[0].body, /timed out.*no checks/);
  assert.deepEqual(fake.violations, []);
});

test('push during the wait makes the merge fail', async () => {
  const { pull, event } = seedPull(fake, FIXTURES.single);
  fake.state.allowAutoMerge = false;
  passChecks(fake, pull);
  // The first reading of the checks moves the head, as a push would.
  let reads = 0;
  fake.route(
    'get',
    '/repos/{owner}/{repo}/commits/{ref}/status',
    ({ state, params }) => {
      reads += 1;
      if (reads === 1) state.push(pull.number, dependabotCommit('Rebase'));
      return { status: 200, body: combinedStatusObject(state, params.ref) };
    },
  );
  const run = await runAction(fake, event, { 'check-interval': '100ms' });
  addRepositoryRoutes(fake);
  assert.equal(run.code, 0, run.log);
  assert.equal(pull.merged, false);
  assert.equal(reads, 1);
  assert.match(ownComments(pull.number)[0].body, /Head branch was modified/);
});

test('major update waits and notifies Slack', async () => {
  const slack = await startReceiver();
  try {
    const { pull, event } = seedPull(fake, FIXTURES.shortened);
    const run = await runAction(fake, event, {
      'slack-webhook-url': slack.url,
    });
    assert.equal(run.code, 0, run.log);
    assert.equal(run.outputs.decision, 'comment');
    assert.equal(pull.reviews.length, 0);
    assert.equal(pull.autoMerge, null);
    assert.equal(slack.bodies.length, 1);
    assert.match(slack.bodies[0], /waits for a person/);
    const mentions = run.log.split(slack.url).length - 1;
    assert.match(run.log, new RegExp(`::add-mask::${slack.url}`));
    assert.equal(mentions, 1, 'the URL appears only in its mask command');
    assert.deepEqual(fake.violations, []);
  } finally {
    await slack.stop();
  }
});

test('push before auto-merge leaves it off', async () => {
  const { pull, event } = seedPull(fake, FIXTURES.single);
  fake.state.requiredChecks = ['test'];
  // The approval moves the head, as a push right after the read would.
  fake.route(
    'post',
    '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    ({ state, params }) => {
      const target = state.pull(Number(params.pull_number));
      if (!target)
        return {
          status: 404,
          body: { message: 'Not Found', documentation_url: '' },
        };
      state.push(target.number, dependabotCommit('Rebase'));
      const review = {
        id: state.id(),
        user: state.tokenLogin,
        state: 'APPROVED' as const,
        commitId: state.headSha(target),
        body: '',
      };
      target.reviews.push(review);
      return { status: 200, body: reviewObject(review) };
    },
  );
  const run = await runAction(fake, event);
  addPullRoutes(fake);
  assert.equal(run.code, 0, run.log);
  assert.equal(pull.autoMerge, null);
  assert.equal(pull.merged, false);
  assert.match(
    ownComments(pull.number)[0].body,
    /auto-merge not enabled because the head moved/,
  );
  assert.deepEqual(fake.violations, []);
});

test('merge without labels still marks it auto-merged', async () => {
  const { pull, event } = seedPull(fake, FIXTURES.single);
  fake.state.requiredChecks = ['test'];
  const run = await runAction(fake, event, { 'add-labels': 'false' });
  assert.equal(run.code, 0, run.log);
  assert.equal(pull.autoMerge?.mergeMethod, 'SQUASH');
  // Revert mode finds the merges it may revert by this one label.
  assert.deepEqual(pull.labels, ['auto-merged']);
  assert.deepEqual(fake.violations, []);
});
