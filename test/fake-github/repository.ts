// REST routes for labels, comments, checks, statuses, alerts and contents.
import { page, type FakeGitHub, type Reply } from './server.js';
import {
  alertObject,
  checkRunObject,
  combinedStatusObject,
  commentObject,
  contentObject,
  issueObject,
  labelObject,
} from './objects.js';

const repo = '/repos/{owner}/{repo}';

function notFound(): Reply {
  return { status: 404, body: { message: 'Not Found', documentation_url: '' } };
}

export function addRepositoryRoutes(fake: FakeGitHub): void {
  fake
    .route(
      'post',
      `${repo}/issues/{issue_number}/labels`,
      ({ state, params, body }) => {
        const pull = state.pull(Number(params.issue_number));
        if (!pull) return notFound();
        for (const name of (body.labels as string[]) ?? []) {
          if (!pull.labels.includes(name)) pull.labels.push(name);
        }
        return { status: 200, body: pull.labels.map(labelObject) };
      },
    )
    .route('get', `${repo}/issues/{issue_number}/comments`, (context) => {
      const number = Number(context.params.issue_number);
      const list = context.state.comments.filter(
        (c) => c.issueNumber === number,
      );
      return page(context, list, (c) => commentObject(context.state, c));
    })
    .route(
      'post',
      `${repo}/issues/{issue_number}/comments`,
      ({ state, params, body }) => {
        const comment = {
          id: state.id(),
          issueNumber: Number(params.issue_number),
          body: String(body.body),
          author: state.tokenLogin,
        };
        state.comments.push(comment);
        return { status: 201, body: commentObject(state, comment) };
      },
    )
    .route(
      'patch',
      `${repo}/issues/comments/{comment_id}`,
      ({ state, params, body }) => {
        const comment = state.comments.find(
          (c) => c.id === Number(params.comment_id),
        );
        if (!comment) return notFound();
        comment.body = String(body.body);
        return { status: 200, body: commentObject(state, comment) };
      },
    )
    .route('get', `${repo}/issues`, (context) => {
      const wanted = context.query.get('labels')?.split(',') ?? [];
      const list = [...context.state.pulls.values()].filter((p) =>
        wanted.every((label) => p.labels.includes(label)),
      );
      return page(context, list, (p) => issueObject(context.state, p));
    })
    .route('get', `${repo}/commits/{ref}/check-runs`, ({ state, params }) => {
      const runs = state.checkRuns.filter((r) => r.headSha === params.ref);
      return {
        status: 200,
        body: {
          total_count: runs.length,
          check_runs: runs.map(checkRunObject),
        },
      };
    })
    .route('get', `${repo}/commits/{ref}/status`, ({ state, params }) => ({
      status: 200,
      body: combinedStatusObject(state, params.ref),
    }))
    .route('get', `${repo}/dependabot/alerts`, (context) => {
      if (!context.state.alertsReadable) {
        return {
          status: 403,
          body: {
            message: 'Resource not accessible by integration',
            documentation_url: '',
          },
        };
      }
      const states = context.query.get('state')?.split(',');
      const list = context.state.alerts.filter(
        (a) => !states || states.includes(a.state),
      );
      return page(context, list, (a) => alertObject(context.state, a), {
        cursor: true,
      });
    })
    .route('get', `${repo}/contents/{path}`, ({ state, params }) => {
      const text = state.files.get(params.path);
      return text === undefined
        ? notFound()
        : { status: 200, body: contentObject(state, params.path, text) };
    });
}
