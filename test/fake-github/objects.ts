// Response bodies built from the OpenAPI description's own examples, with
// the fake's state written over them, so every field GitHub documents is
// present and typed as GitHub types it.
import { openApi } from './openapi.js';
import type {
  FakeAlert,
  FakeCheckRun,
  FakeComment,
  FakeCommit,
  FakePull,
  FakeReview,
  FakeState,
} from './state.js';

type Json = Record<string, unknown>;

function example(name: string): Json {
  const components = openApi().document.components as Json;
  const value = ((components.examples as Json)[name] as Json).value;
  return structuredClone(value) as Json;
}

function first(name: string): Json {
  return (example(name) as unknown as Json[])[0];
}

function user(login: string): Json {
  const base = (example('pull-request') as Json).user as Json;
  const bot = login.endsWith('[bot]');
  return { ...base, login, id: bot ? 49699333 : 1, type: bot ? 'Bot' : 'User' };
}

function api(state: FakeState, path: string): string {
  return `https://api.github.com/repos/${state.fullName}${path}`;
}

export function pullObject(state: FakeState, pull: FakePull): Json {
  const base = example('pull-request');
  const sha = state.headSha(pull);
  const repo = (base.base as Json).repo as Json;
  const repoFor = (fullName: string) => ({
    ...repo,
    name: fullName.split('/')[1],
    full_name: fullName,
    owner: user(fullName.split('/')[0]),
  });
  return {
    ...base,
    number: pull.number,
    id: pull.number * 10,
    node_id: pull.nodeId,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    user: user(pull.author),
    merged: pull.merged,
    merge_commit_sha: pull.mergeCommitSha,
    merged_at: pull.merged ? new Date().toISOString() : null,
    closed_at: pull.state === 'closed' ? new Date().toISOString() : null,
    labels: pull.labels.map((name) => labelObject(name)),
    requested_teams: [],
    commits: pull.commits.length,
    auto_merge: pull.autoMerge
      ? {
          enabled_by: user(pull.autoMerge.enabledBy),
          merge_method: pull.autoMerge.mergeMethod.toLowerCase(),
          commit_title: pull.title,
          commit_message: '',
        }
      : null,
    mergeable_state: state.requiredChecksPass(pull) ? 'clean' : 'blocked',
    head: {
      ...(base.head as Json),
      ref: pull.headRef,
      sha,
      label: `${state.owner}:${pull.headRef}`,
      repo: pull.headRepository ? repoFor(pull.headRepository) : null,
    },
    base: {
      ...(base.base as Json),
      ref: pull.baseRef,
      sha: state.branchCommits.at(-1)?.sha ?? '1'.repeat(40),
      repo: repoFor(state.fullName),
    },
  };
}

export function pullSimpleObject(state: FakeState, pull: FakePull): Json {
  const full = pullObject(state, pull);
  const simple = first('pull-request-simple-items');
  const keep = Object.fromEntries(
    Object.keys(simple).map((key) => [key, full[key] ?? simple[key]]),
  );
  return { ...keep, requested_teams: [], auto_merge: full.auto_merge };
}

export function commitObject(state: FakeState, commit: FakeCommit): Json {
  const base = first('commit-items');
  const inner = base.commit as Json;
  return {
    ...base,
    sha: commit.sha,
    node_id: `C_${commit.sha.slice(0, 12)}`,
    url: api(state, `/commits/${commit.sha}`),
    author: commit.authorLogin ? user(commit.authorLogin) : null,
    committer: user(commit.committerLogin ?? 'web-flow'),
    commit: {
      ...inner,
      message: commit.message,
      author: {
        ...(inner.author as Json),
        name: commit.authorLogin ?? 'someone',
        email: commit.authorEmail,
      },
      verification: {
        verified: commit.verified,
        reason: commit.reason,
        signature: commit.verified ? '-----BEGIN PGP SIGNATURE-----' : null,
        payload: commit.verified ? 'tree …' : null,
        verified_at: commit.verified ? new Date().toISOString() : null,
      },
    },
  };
}

export function labelObject(name: string): Json {
  return { ...first('label-items'), name, default: false };
}

export function reviewObject(review: FakeReview): Json {
  return {
    ...example('pull-request-review'),
    id: review.id,
    user: user(review.user),
    state: review.state,
    body: review.body,
    commit_id: review.commitId,
  };
}

export function commentObject(state: FakeState, comment: FakeComment): Json {
  return {
    ...example('issue-comment'),
    id: comment.id,
    body: comment.body,
    user: user(comment.author),
    url: api(state, `/issues/comments/${comment.id}`),
  };
}

export function checkRunObject(run: FakeCheckRun): Json {
  const base = (example('check-run-paginated').check_runs as Json[])[0];
  return {
    ...base,
    id: run.id,
    head_sha: run.headSha,
    name: run.name,
    status: run.status,
    conclusion: run.conclusion,
  };
}

export function combinedStatusObject(state: FakeState, sha: string): Json {
  const base = example('combined-commit-status');
  const statuses = state.statuses.filter((s) => s.sha === sha);
  const template = (base.statuses as Json[])[0];
  return {
    ...base,
    sha,
    total_count: statuses.length,
    state: statuses.some((s) => s.state !== 'success') ? 'pending' : 'success',
    statuses: statuses.map((s, i) => ({
      ...template,
      id: i + 1,
      context: s.context,
      state: s.state,
    })),
  };
}

export function alertObject(state: FakeState, alert: FakeAlert): Json {
  const base = (
    example('dependabot-alerts-for-repository') as unknown as Json[]
  )[0];
  const advisory = base.security_advisory as Json;
  const vulnerability = base.security_vulnerability as Json;
  const pkg = { ecosystem: alert.ecosystem, name: alert.packageName };
  const patched = alert.firstPatched
    ? { identifier: alert.firstPatched }
    : null;
  return {
    ...base,
    number: alert.number,
    state: alert.state,
    url: api(state, `/dependabot/alerts/${alert.number}`),
    dependency: {
      ...(base.dependency as Json),
      package: pkg,
      manifest_path: alert.manifestPath,
    },
    security_advisory: {
      ...advisory,
      ghsa_id: alert.ghsaId,
      cve_id: alert.cveId ?? null,
      severity: alert.severity,
      epss: { percentage: 0.01, percentile: 0.5 },
      cvss: { ...(advisory.cvss as Json), score: alert.cvss },
      cvss_severities: null,
      vulnerabilities: [
        {
          package: pkg,
          severity: alert.severity,
          vulnerable_version_range: alert.vulnerableRange,
          first_patched_version: patched,
        },
      ],
    },
    security_vulnerability: {
      ...vulnerability,
      package: pkg,
      severity: alert.severity,
      vulnerable_version_range: alert.vulnerableRange,
      first_patched_version: patched,
    },
  };
}

export function contentObject(
  state: FakeState,
  path: string,
  text: string,
): Json {
  const base = example('content-file-response-if-content-is-a-file');
  return {
    ...base,
    name: path.split('/').pop(),
    path,
    encoding: 'base64',
    size: Buffer.byteLength(text),
    content: Buffer.from(text).toString('base64'),
    url: api(state, `/contents/${path}`),
  };
}

export function issueObject(state: FakeState, pull: FakePull): Json {
  const base = first('issue-items');
  return {
    ...base,
    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    user: user(pull.author),
    labels: pull.labels.map((name) => labelObject(name)),
    pull_request: {
      url: api(state, `/pulls/${pull.number}`),
      html_url: null,
      diff_url: null,
      patch_url: null,
    },
  };
}
