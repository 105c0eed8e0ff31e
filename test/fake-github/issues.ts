// REST routes for plain issues (not pull requests): create, update and a
// list that contains both. Add them with `addIssueRoutes(fake)`, which
// replaces
// the list route of repository.ts for that fake only.
import { issueObject } from './objects.js';
import { page, type FakeGitHub } from './server.js';
import type { FakePull, FakeState } from './state.js';

const repo = '/repos/{owner}/{repo}';

/** An issue as the fake stores it. */
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

const issuesByState = new WeakMap<FakeState, Map<number, FakeIssue>>();

/** Returns the plain issues of a fake's state. */
export function fakeIssues(state: FakeState): Map<number, FakeIssue> {
  let issues = issuesByState.get(state);
  if (!issues) {
    issues = new Map();
    issuesByState.set(state, issues);
  }
  return issues;
}

function plainIssueObject(state: FakeState, issue: FakeIssue) {
  const pullLike = {
    ...issue,
    author: state.tokenLogin,
  } as unknown as FakePull;
  const object = issueObject(state, pullLike) as Record<string, unknown>;
  delete object.pull_request;
  return object;
}

export function addIssueRoutes(fake: FakeGitHub): void {
  fake
    .route('post', `${repo}/issues`, ({ state, body }) => {
      const issues = fakeIssues(state);
      const issue: FakeIssue = {
        number: 5000 + issues.size + 1,
        title: String(body.title),
        body: String(body.body ?? ''),
        state: 'open',
        labels: ((body.labels as string[]) ?? []).map(String),
      };
      issues.set(issue.number, issue);
      return { status: 201, body: plainIssueObject(state, issue) };
    })
    .route(
      'patch',
      `${repo}/issues/{issue_number}`,
      ({ state, params, body }) => {
        const issue = fakeIssues(state).get(Number(params.issue_number));
        if (!issue) {
          return {
            status: 404,
            body: { message: 'Not Found', documentation_url: '' },
          };
        }
        if (body.title !== undefined) issue.title = String(body.title);
        if (body.body !== undefined) issue.body = String(body.body);
        if (body.state === 'open' || body.state === 'closed')
          issue.state = body.state;
        return { status: 200, body: plainIssueObject(state, issue) };
      },
    )
    .route('get', `${repo}/issues`, (context) => {
      const requested = context.query.get('labels')?.split(',') ?? [];
      const stateFilter = context.query.get('state') ?? 'open';
      const matches = (labels: string[], state: string) =>
        requested.every((label) => labels.includes(label)) &&
        (stateFilter === 'all' || state === stateFilter);
      const pulls = [...context.state.pulls.values()]
        .filter((p) => matches(p.labels, p.state))
        .map((p) => issueObject(context.state, p));
      const issues = [...fakeIssues(context.state).values()]
        .filter((i) => matches(i.labels, i.state))
        .map((i) => plainIssueObject(context.state, i));
      return page(context, [...pulls, ...issues], (item) => item);
    });
}
