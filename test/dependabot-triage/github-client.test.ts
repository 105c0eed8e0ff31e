import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGitHubClient } from '../../src/shared/github.js';
import { memoryLogger } from '../../src/shared/logger.js';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';

let fake: FakeGitHub;
before(async () => {
  fake = await startFakeGitHub();
});
after(async () => {
  await fake.stop();
});

function client(sleeps: number[]) {
  const logger = memoryLogger();
  const github = createGitHubClient({
    token: 't',
    apiUrl: fake.apiUrl,
    graphqlUrl: fake.graphqlUrl,
    logger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { github, logger };
}

test('client retries a secondary rate limit', async () => {
  const sleeps: number[] = [];
  const { github, logger } = client(sleeps);
  fake.state.rateLimitNext = 2;
  fake.state.retryAfterSeconds = 7;
  const { data } = await github.rest.issues.listComments({
    owner: 'example-org',
    repo: 'service',
    issue_number: 1,
  });
  assert.deepEqual(data, []);
  assert.deepEqual(sleeps, [7000, 7000]);
  assert.equal(github.calls, 3);
  assert.equal(logger.lines.filter((l) => l.startsWith('warning:')).length, 2);
});

test('client gives up after three retries', async () => {
  const sleeps: number[] = [];
  const { github } = client(sleeps);
  fake.state.rateLimitNext = 10;
  await assert.rejects(
    github.rest.issues.listComments({
      owner: 'example-org',
      repo: 'service',
      issue_number: 1,
    }),
    { status: 403 },
  );
  assert.equal(github.calls, 4);
  fake.state.rateLimitNext = 0;
});

test('client sends GraphQL to its own URL', async () => {
  const { github } = client([]);
  const result = await github.graphql<{
    repository: { nameWithOwner: string };
  }>(
    'query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { nameWithOwner } }',
    { owner: 'example-org', name: 'service' },
  );
  assert.equal(result.repository.nameWithOwner, 'example-org/service');
  assert.equal(github.calls, 1);
  assert.equal(github.callsByRoute.get(`POST ${fake.graphqlUrl}`), 1);
});

test('fake rejects GraphQL outside the schema', async () => {
  const { github } = client([]);
  await assert.rejects(
    github.graphql(
      'query { repository(owner: "a", name: "b") { noSuchField } }',
    ),
  );
  assert.match(
    fake.violations.at(-1) ?? '',
    /Cannot query field "noSuchField"/,
  );
});

test('fake rejects requests outside the description', async () => {
  const { github } = client([]);
  await assert.rejects(
    github.rest.request('GET /repos/{owner}/{repo}/no-such-thing', {
      owner: 'a',
      repo: 'b',
    }),
    { status: 404 },
  );
  assert.match(
    fake.violations.at(-1) ?? '',
    /not in GitHub's OpenAPI description/,
  );
  await assert.rejects(
    github.rest.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      owner: 'a',
      repo: 'b',
      pull_number: 1,
      merge_method: 'fast-forward' as 'merge',
    }),
    { status: 422 },
  );
  assert.match(
    fake.violations.at(-1) ?? '',
    /merge_method must be equal to one of the allowed values/,
  );
});
