import {
  dependabotCommit,
  pullRequestEvent,
  type FakeCommit,
  type FakeGitHub,
  type FakePull,
} from '../../fake-github/index.js';
import type { PullRequestFixture } from '../fixtures/pull-requests.js';

/** Adds a Dependabot pull request built from a fixture to the fake. */
export function seedPull(
  fake: FakeGitHub,
  fixture: PullRequestFixture,
  extra: Partial<FakePull> & { extraCommits?: FakeCommit[] } = {},
): { pull: FakePull; event: Record<string, unknown> } {
  const { extraCommits = [], ...fields } = extra;
  const pull = fake.state.addPull({
    title: fixture.title,
    body: fixture.body,
    headRef: fixture.branch,
    baseRef: fixture.baseRef ?? 'main',
    commits: [dependabotCommit(fixture.commitMessage), ...extraCommits],
    ...fields,
  });
  return { pull, event: pullRequestEvent(fake.state, pull) };
}

/** Adds a passing check run on the pull request's head commit. */
export function passChecks(
  fake: FakeGitHub,
  pull: FakePull,
  name = 'test',
): void {
  fake.state.requiredChecks = [name];
  fake.state.checkRuns.push({
    id: fake.state.id(),
    headSha: fake.state.headSha(pull),
    name,
    status: 'completed',
    conclusion: 'success',
  });
}
