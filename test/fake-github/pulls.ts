// REST and GraphQL routes for pull requests, reviews, merges and auto-merge.
import type { FakeGitHub, Reply } from './server.js';
import { page } from './server.js';
import {
  commitObject,
  pullObject,
  pullSimpleObject,
  reviewObject,
} from './objects.js';
import { fakeSha, type FakePull, type FakeState } from './state.js';

const notFound: Reply = {
  status: 404,
  body: { message: 'Not Found', documentation_url: '' },
};

export function addPullRoutes(fake: FakeGitHub): void {
  const base = '/repos/{owner}/{repo}/pulls';
  fake
    .route('get', `${base}/{pull_number}`, ({ state, params }) => {
      const pull = state.pull(Number(params.pull_number));
      return pull ? { status: 200, body: pullObject(state, pull) } : notFound;
    })
    .route('get', base, (context) => {
      const wanted = context.query.get('state') ?? 'open';
      const list = [...context.state.pulls.values()].filter(
        (p) => wanted === 'all' || p.state === wanted,
      );
      return page(context, list, (p) => pullSimpleObject(context.state, p));
    })
    .route('get', `${base}/{pull_number}/commits`, (context) => {
      const pull = context.state.pull(Number(context.params.pull_number));
      if (!pull) return notFound;
      return page(context, pull.commits, (c) => commitObject(context.state, c));
    })
    .route(
      'post',
      `${base}/{pull_number}/reviews`,
      ({ state, params, body }) => {
        const pull = state.pull(Number(params.pull_number));
        if (!pull) return notFound;
        const review = {
          id: state.id(),
          user: state.tokenLogin,
          state:
            body.event === 'APPROVE'
              ? ('APPROVED' as const)
              : ('COMMENTED' as const),
          commitId: String(body.commit_id ?? state.headSha(pull)),
          body: String(body.body ?? ''),
        };
        pull.reviews.push(review);
        return { status: 200, body: reviewObject(review) };
      },
    )
    .route('get', `${base}/{pull_number}/reviews`, (context) => {
      const pull = context.state.pull(Number(context.params.pull_number));
      if (!pull) return notFound;
      return page(context, pull.reviews, reviewObject);
    })
    .route('put', `${base}/{pull_number}/merge`, ({ state, params, body }) =>
      mergePull(state, state.pull(Number(params.pull_number)), body),
    )
    .route(
      'get',
      '/repos/{owner}/{repo}/commits/{commit_sha}/pulls',
      (context) => {
        const sha = context.params.commit_sha;
        const pulls = [...context.state.pulls.values()].filter(
          (p) =>
            p.mergeCommitSha === sha || p.commits.some((c) => c.sha === sha),
        );
        return page(context, pulls, (p) => pullSimpleObject(context.state, p));
      },
    );
  fake.graphql({
    repository: (args, state) => repositoryNode(state, args),
    enablePullRequestAutoMerge: (args, state) =>
      enableAutoMerge(state, input(args)),
    disablePullRequestAutoMerge: (args, state) => {
      const pull = pullById(state, input(args));
      pull.autoMerge = null;
      return { pullRequest: pullNode(state, pull) };
    },
    revertPullRequest: (args, state) => revert(state, input(args)),
  });
}

function mergePull(
  state: FakeState,
  pull: FakePull | undefined,
  body: Record<string, unknown>,
): Reply {
  if (!pull) return notFound;
  if (pull.state !== 'open') {
    return {
      status: 405,
      body: { message: 'Pull Request is not mergeable', documentation_url: '' },
    };
  }
  if (body.sha !== undefined && body.sha !== state.headSha(pull)) {
    return {
      status: 409,
      body: {
        message: 'Head branch was modified. Review and try the merge again.',
        documentation_url: '',
      },
    };
  }
  if (!state.requiredChecksPass(pull)) {
    return {
      status: 405,
      body: {
        message: 'Required status checks have not passed.',
        documentation_url: '',
      },
    };
  }
  const sha = state.merge(pull, String(body.merge_method ?? 'merge'));
  return {
    status: 200,
    body: { sha, merged: true, message: 'Pull Request successfully merged' },
  };
}

function input(args: Record<string, unknown>): Record<string, unknown> {
  return args.input as Record<string, unknown>;
}

function pullById(state: FakeState, fields: Record<string, unknown>): FakePull {
  const pull = state.findPullByNodeId(String(fields.pullRequestId));
  if (!pull) {
    throw new Error(
      `Could not resolve to a node with the global id of '${String(fields.pullRequestId)}'`,
    );
  }
  return pull;
}

function enableAutoMerge(state: FakeState, fields: Record<string, unknown>) {
  const pull = pullById(state, fields);
  if (!state.allowAutoMerge) {
    throw new Error(
      'Pull request Auto merge is not allowed for this repository',
    );
  }
  if (
    fields.expectedHeadOid &&
    fields.expectedHeadOid !== state.headSha(pull)
  ) {
    throw new Error("Pull request Head sha didn't match expected head sha");
  }
  if (state.requiredChecksPass(pull)) {
    throw new Error('Pull request Pull request is in clean status');
  }
  pull.autoMerge = {
    mergeMethod:
      (fields.mergeMethod as 'MERGE' | 'SQUASH' | 'REBASE') ?? 'MERGE',
    enabledBy: state.tokenLogin,
    expectedHeadOid: fields.expectedHeadOid as string | undefined,
    enabledAt: new Date().toISOString(),
  };
  return { pullRequest: pullNode(state, pull) };
}

function revert(state: FakeState, fields: Record<string, unknown>) {
  const original = pullById(state, fields);
  if (!original.merged) throw new Error('Pull request is not merged');
  const pull = state.addPull({
    title: String(fields.title ?? `Revert "${original.title}"`),
    body: String(fields.body ?? ''),
    author: state.tokenLogin,
    headRef: `revert-${original.number}-${original.headRef}`,
    commits: [
      {
        sha: fakeSha(`revert:${original.number}`),
        message: `Revert "${original.title}"`,
        authorLogin: state.tokenLogin,
        authorEmail: 'actions@example.invalid',
        verified: true,
        reason: 'valid',
      },
    ],
  });
  return {
    pullRequest: pullNode(state, original),
    revertPullRequest: pullNode(state, pull),
  };
}

function repositoryNode(state: FakeState, args: Record<string, unknown>) {
  if (`${String(args.owner)}/${String(args.name)}` !== state.fullName)
    return null;
  return {
    __typename: 'Repository',
    nameWithOwner: state.fullName,
    autoMergeAllowed: state.allowAutoMerge,
    pullRequest: ({ number }: { number: number }) => {
      const pull = state.pull(number);
      return pull ? pullNode(state, pull) : null;
    },
  };
}

function pullNode(state: FakeState, pull: FakePull) {
  return {
    __typename: 'PullRequest',
    id: pull.nodeId,
    number: pull.number,
    title: pull.title,
    url: `https://github.com/${state.fullName}/pull/${pull.number}`,
    headRefOid: state.headSha(pull),
    merged: pull.merged,
    state: pull.merged ? 'MERGED' : pull.state === 'open' ? 'OPEN' : 'CLOSED',
    autoMergeRequest: pull.autoMerge
      ? {
          __typename: 'AutoMergeRequest',
          enabledAt: pull.autoMerge.enabledAt,
          mergeMethod: pull.autoMerge.mergeMethod,
          enabledBy: { __typename: 'Bot', login: pull.autoMerge.enabledBy },
        }
      : null,
  };
}
