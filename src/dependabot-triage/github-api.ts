import type { GitHubClient } from '../shared/github.js';
import type { AlertRecord } from './security.js';
import type { TrustSubject } from './trust.js';

/** Marker that identifies the action's own comment on a pull request. */
export const COMMENT_MARKER = '<!-- dependabot-triage -->';

/** The pull request fields the triage reads. */
export interface PullRequestInfo {
  number: number;
  nodeId: string;
  title: string;
  body: string;
  author: string;
  state: string;
  merged: boolean;
  headRef: string;
  headSha: string;
  headRepository: string | undefined;
  baseRef: string;
  labels: string[];
  autoMergeEnabled: boolean;
}

export type AutoMergeResult =
  'enabled' | 'clean-status' | 'not-allowed' | 'head-moved';

/** The GitHub calls of the triage and the revert, over one client. */
export class TriageApi {
  constructor(
    readonly client: GitHubClient,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  get repoFullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  private get repoParams() {
    return { owner: this.owner, repo: this.repo };
  }

  async getPull(number: number): Promise<PullRequestInfo> {
    const { data } = await this.client.rest.pulls.get({
      ...this.repoParams,
      pull_number: number,
    });
    return {
      number: data.number,
      nodeId: data.node_id,
      title: data.title,
      body: data.body ?? '',
      author: data.user.login,
      state: data.state,
      merged: data.merged,
      headRef: data.head.ref,
      headSha: data.head.sha,
      headRepository: data.head.repo?.full_name,
      baseRef: data.base.ref,
      labels: data.labels.map((l) => l.name),
      autoMergeEnabled: data.auto_merge !== null,
    };
  }

  /** Every commit of the pull request, in order (100 per page). */
  async listCommits(
    number: number,
  ): Promise<{ messages: string[]; trust: TrustSubject['commits'] }> {
    const commits = await this.client.rest.paginate(
      this.client.rest.pulls.listCommits,
      {
        ...this.repoParams,
        pull_number: number,
        per_page: 100,
      },
    );
    return {
      messages: commits.map((c) => c.commit.message),
      trust: commits.map((c) => ({
        sha: c.sha,
        authorLogin: c.author?.login,
        committerLogin: c.committer?.login,
        verified: c.commit.verification?.verified === true,
        reason: c.commit.verification?.reason ?? 'unknown',
      })),
    };
  }

  /** Open Dependabot alerts, or `undefined` when the token may not read them. */
  async listOpenAlerts(): Promise<AlertRecord[] | undefined> {
    try {
      const alerts = await this.client.rest.paginate(
        this.client.rest.dependabot.listAlertsForRepo,
        { ...this.repoParams, state: 'open', per_page: 100 },
      );
      return alerts as unknown as AlertRecord[];
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 403 || status === 404) return undefined;
      throw error;
    }
  }

  /** A file of the base branch, or undefined when it does not exist. */
  async readFile(path: string, ref: string): Promise<string | undefined> {
    try {
      const { data } = await this.client.rest.repos.getContent({
        ...this.repoParams,
        path,
        ref,
      });
      if (Array.isArray(data) || data.type !== 'file') return undefined;
      return Buffer.from(data.content, 'base64').toString('utf8');
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  async approve(number: number, sha: string, body: string): Promise<void> {
    await this.client.rest.pulls.createReview({
      ...this.repoParams,
      pull_number: number,
      commit_id: sha,
      event: 'APPROVE',
      body,
    });
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.client.rest.issues.addLabels({
      ...this.repoParams,
      issue_number: number,
      labels,
    });
  }

  /** Updates the action's comment in place, or creates it on the first run. */
  async upsertComment(
    number: number,
    body: string,
  ): Promise<'created' | 'updated'> {
    const comments = await this.client.rest.paginate(
      this.client.rest.issues.listComments,
      {
        ...this.repoParams,
        issue_number: number,
        per_page: 100,
      },
    );
    const own = comments.find((c) => c.body?.startsWith(COMMENT_MARKER));
    const text = `${COMMENT_MARKER}\n${body}`;
    if (own) {
      await this.client.rest.issues.updateComment({
        ...this.repoParams,
        comment_id: own.id,
        body: text,
      });
      return 'updated';
    }
    await this.client.rest.issues.createComment({
      ...this.repoParams,
      issue_number: number,
      body: text,
    });
    return 'created';
  }

  async checkRuns(
    sha: string,
  ): Promise<{ name: string; status: string; conclusion: string | null }[]> {
    const runs = await this.client.rest.paginate(
      this.client.rest.checks.listForRef,
      {
        ...this.repoParams,
        ref: sha,
        per_page: 100,
      },
    );
    return runs.map((r) => ({
      name: r.name,
      status: r.status,
      conclusion: r.conclusion,
    }));
  }

  async statuses(sha: string): Promise<{ context: string; state: string }[]> {
    const { data } = await this.client.rest.repos.getCombinedStatusForRef({
      ...this.repoParams,
      ref: sha,
      per_page: 100,
    });
    return data.statuses.map((s) => ({ context: s.context, state: s.state }));
  }

  async merge(
    number: number,
    sha: string,
    method: string,
  ): Promise<
    { merged: true; sha: string } | { merged: false; reason: string }
  > {
    try {
      const { data } = await this.client.rest.pulls.merge({
        ...this.repoParams,
        pull_number: number,
        sha,
        merge_method: method as 'merge' | 'squash' | 'rebase',
      });
      return { merged: true, sha: data.sha };
    } catch (error) {
      const { status, message } = error as {
        status?: number;
        message?: string;
      };
      if (status === 405 || status === 409)
        return { merged: false, reason: message ?? String(status) };
      throw error;
    }
  }

  /** Enables native auto-merge pinned to `sha`. */
  async enableAutoMerge(
    nodeId: string,
    method: string,
    sha: string,
  ): Promise<AutoMergeResult> {
    try {
      await this.client.graphql(
        `mutation($id: ID!, $mergeMethod: PullRequestMergeMethod!, $sha: GitObjectID!) {
          enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: $mergeMethod, expectedHeadOid: $sha }) {
            pullRequest { autoMergeRequest { enabledAt } }
          }
        }`,
        { id: nodeId, mergeMethod: method.toUpperCase(), sha },
      );
      return 'enabled';
    } catch (error) {
      const message = (error as Error).message;
      if (/clean status/i.test(message)) return 'clean-status';
      if (/auto merge is not allowed/i.test(message)) return 'not-allowed';
      // NOTE: GitHub's wording for a stale expectedHeadOid is matched
      // loosely ("head" with "sha" or "oid"); the fake's message is modelled.
      if (/head.*(sha|oid)/i.test(message)) return 'head-moved';
      throw error;
    }
  }

  async disableAutoMerge(nodeId: string): Promise<void> {
    await this.client.graphql(
      `mutation($id: ID!) {
        disablePullRequestAutoMerge(input: { pullRequestId: $id }) { pullRequest { number } }
      }`,
      { id: nodeId },
    );
  }

  /** Pull requests that a commit of the default branch came from. */
  async pullsOfCommit(sha: string): Promise<
    {
      number: number;
      nodeId: string;
      title: string;
      author: string;
      labels: string[];
      mergeSha: string | null;
    }[]
  > {
    const { data } =
      await this.client.rest.repos.listPullRequestsAssociatedWithCommit({
        ...this.repoParams,
        commit_sha: sha,
      });
    return data.map((p) => ({
      number: p.number,
      nodeId: p.node_id,
      title: p.title,
      author: p.user?.login ?? '',
      labels: p.labels.map((l) => l.name),
      mergeSha: p.merge_commit_sha,
    }));
  }

  /** Bodies of issues and pull requests that carry `label`, in any state. */
  async bodiesWithLabel(label: string): Promise<string[]> {
    const issues = await this.client.rest.paginate(
      this.client.rest.issues.listForRepo,
      {
        ...this.repoParams,
        labels: label,
        state: 'all',
        per_page: 100,
      },
    );
    return issues.map((i) => i.body ?? '');
  }

  async revertPull(
    nodeId: string,
    title: string,
    body: string,
  ): Promise<{ number: number; url: string }> {
    const result = await this.client.graphql<{
      revertPullRequest: { revertPullRequest: { number: number; url: string } };
    }>(
      `mutation($id: ID!, $title: String!, $body: String!) {
        revertPullRequest(input: { pullRequestId: $id, title: $title, body: $body }) {
          revertPullRequest { number url }
        }
      }`,
      { id: nodeId, title, body },
    );
    return result.revertPullRequest.revertPullRequest;
  }
}
