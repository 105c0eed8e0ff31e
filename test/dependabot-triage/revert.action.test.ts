// Revert mode on workflow_run: one revert pull request per failed merge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dependabotCommit,
  webhookExample,
  type FakeGitHub,
} from '../fake-github/index.js';
import { useFakeGitHub } from './helpers/hooks.js';
import { runAction } from './helpers/run-action.js';

const github = useFakeGitHub();

function failedRunEvent(fake: FakeGitHub, sha: string, branch = 'main') {
  const event = webhookExample('workflow_run', 'completed');
  const run = event.workflow_run as Record<string, unknown>;
  Object.assign(run, {
    conclusion: 'failure',
    head_branch: branch,
    head_sha: sha,
    name: 'CI',
  });
  (event.repository as Record<string, unknown>).default_branch =
    fake.state.defaultBranch;
  return event;
}

function mergedPull(fake: FakeGitHub, labels: string[]) {
  const pull = fake.state.addPull({
    title: 'Bump widget-core from 4.17.20 to 4.17.21',
    labels,
    commits: [dependabotCommit('Bump widget-core')],
  });
  return fake.state.merge(pull, 'squash');
}

test('failed run after a triage merge opens one revert', async () => {
  const fake = github();
  const sha = mergedPull(fake, ['dependencies', 'auto-merged']);
  const event = failedRunEvent(fake, sha);
  const first = await runAction(fake, event, { mode: 'revert' });
  assert.equal(first.code, 0, first.log);
  const reverts = [...fake.state.pulls.values()].filter((p) =>
    p.labels.includes('dependabot-revert'),
  );
  assert.equal(reverts.length, 1);
  assert.equal(first.outputs['revert-pull-request'], String(reverts[0].number));
  assert.match(reverts[0].body, /Reverts #1/);
  assert.match(reverts[0].body, /failed on main/);
  const second = await runAction(fake, event, { mode: 'revert' });
  assert.equal(second.code, 0, second.log);
  assert.equal(second.outputs['revert-pull-request'], '');
  assert.match(second.summary, /already exists/);
  assert.equal(
    [...fake.state.pulls.values()].filter((p) =>
      p.labels.includes('dependabot-revert'),
    ).length,
    1,
  );
  assert.deepEqual(fake.violations, []);
});

test('merge by a person is not reverted', async () => {
  const fake = github();
  const sha = mergedPull(fake, ['dependencies']);
  const run = await runAction(fake, failedRunEvent(fake, sha), {
    mode: 'revert',
  });
  assert.equal(run.code, 0, run.log);
  assert.equal(fake.state.pulls.size, 1);
  assert.match(run.summary, /not a Dependabot merge by this action/);
});

test('failure on another branch is ignored', async () => {
  const fake = github();
  const sha = mergedPull(fake, ['auto-merged']);
  const run = await runAction(fake, failedRunEvent(fake, sha, 'feature'), {
    mode: 'revert',
  });
  assert.equal(fake.state.pulls.size, 1);
  assert.match(run.summary, /not main/);
});

test('revert on a pull_request event is rejected', async () => {
  const fake = github();
  const event = webhookExample('pull_request', 'opened');
  const run = await runAction(fake, event, { mode: 'revert' });
  assert.notEqual(run.code, 0);
  assert.match(run.log, /this event has no workflow_run/);
  assert.equal(fake.state.pulls.size, 0);
});
