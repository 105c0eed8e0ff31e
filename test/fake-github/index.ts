// The fake GitHub with every route the suite uses. To extend it (for
// example with Deployments), call `fake.route(method, template, handler)`
// with an OpenAPI path template, and `fake.graphql({...})` for GraphQL.
import { createRequire } from 'node:module';
import { addPullRoutes } from './pulls.js';
import { addRepositoryRoutes } from './repository.js';
import { FakeGitHub } from './server.js';
import type { FakePull, FakeState } from './state.js';

export { FakeGitHub, page } from './server.js';
export type { Reply, RouteContext, RouteHandler } from './server.js';
export * from './state.js';

const require = createRequire(import.meta.url);

/** Starts a fake GitHub with all routes on a free port of 127.0.0.1. */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const fake = new FakeGitHub();
  addPullRoutes(fake);
  addRepositoryRoutes(fake);
  await fake.start();
  return fake;
}

interface WebhookExample {
  name: string;
  examples: Record<string, unknown>[];
}

/**
 * Returns a webhook payload from @octokit/webhooks-examples for `event`
 * and `action`, deep-copied so that a test can change it.
 */
export function webhookExample(
  event: string,
  action?: string,
): Record<string, unknown> {
  const all =
    require('@octokit/webhooks-examples/api.github.com/index.json') as WebhookExample[];
  const examples = all.find((e) => e.name === event)?.examples ?? [];
  const found = examples.find(
    (e) => action === undefined || e.action === action,
  );
  if (!found)
    throw new Error(`No webhook example for ${event}.${action ?? ''}`);
  return structuredClone(found);
}

/** A `pull_request` event for a pull request of the fake. */
export function pullRequestEvent(
  state: FakeState,
  pull: FakePull,
  action = 'opened',
): Record<string, unknown> {
  const event = webhookExample('pull_request', action);
  const pr = event.pull_request as Record<string, unknown>;
  const repository = event.repository as Record<string, unknown>;
  repository.full_name = state.fullName;
  repository.name = state.repo;
  repository.default_branch = state.defaultBranch;
  (repository.owner as Record<string, unknown>).login = state.owner;
  Object.assign(pr, {
    number: pull.number,
    node_id: pull.nodeId,
    title: pull.title,
    body: pull.body,
    user: { ...(pr.user as object), login: pull.author, type: 'Bot' },
  });
  (pr.head as Record<string, unknown>).ref = pull.headRef;
  (pr.head as Record<string, unknown>).sha = state.headSha(pull);
  (pr.base as Record<string, unknown>).ref = pull.baseRef;
  event.number = pull.number;
  event.sender = { ...(event.sender as object), login: pull.author };
  return event;
}
